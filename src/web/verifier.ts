// The judge's verifier: hash a file here, look its digest up (or take a receipt file), and check
// the receipt here with courtchain/verify against the trust root. The node is asked for data,
// never for a verdict.
import { verifyReceipt, type ReceiptReport, type CheckName } from '../verify/index.js'
import type { TrustRoot } from '../chain/index.js'
import { ApiError, byId, dl, download, getJson, h, link, mono } from './dom.js'
import { hashFile, type FileDigests } from './hashing.js'
import { checkDetail } from './check-details.js'
import { formatBytes, formatTime, onLangChange, t, type Key } from './i18n.js'

export const CHECK_KEYS: Record<CheckName, Key> = {
  format: 'checkFormat', chain: 'checkChain', leaf: 'checkLeaf', checkpoint: 'checkCheckpoint',
  inclusion: 'checkInclusion', depositor: 'checkDepositor', digest: 'checkDigest',
}

interface Outcome {
  mode: 'online' | 'offline'
  file: FileDigests
  chain: string
  /** One entry per deposit of the file (online) or the one receipt (offline). */
  results: { id: string | null; report: ReceiptReport; receipt?: unknown }[]
  notFound?: boolean
  at: number
}

let trustRootCache: TrustRoot | null = null
export async function nodeTrustRoot(): Promise<TrustRoot> {
  trustRootCache ??= await getJson<TrustRoot>('v1/trust-root')
  return trustRootCache
}

let last: Outcome | null = null

export function initVerifier(): void {
  const form = byId<HTMLFormElement>('verify-form')
  const fileInput = byId<HTMLInputElement>('file')
  const drop = byId('drop')
  const showName = (): void => {
    const f = fileInput.files?.[0]
    byId('file-name').textContent = f ? `${f.name} — ${formatBytes(f.size)}` : t('noFile')
  }
  fileInput.addEventListener('change', showName)
  for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over') })
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'))
  drop.addEventListener('drop', (e) => {
    e.preventDefault()
    const files = (e as DragEvent).dataTransfer?.files
    if (files?.length) { fileInput.files = files; showName() }
  })
  const syncMode = (): void => {
    const offline = (form.elements.namedItem('mode') as RadioNodeList).value === 'offline'
    byId('offline-inputs').hidden = !offline
    const trustFile = (form.elements.namedItem('trust') as RadioNodeList).value === 'file'
    byId('trust-file').hidden = byId('trust-file-label').hidden = !trustFile
  }
  form.addEventListener('change', syncMode)
  syncMode()
  form.addEventListener('submit', (e) => { e.preventDefault(); void run(form) })
  onLangChange(() => { showName(); if (last) render(last) })
}

async function run(form: HTMLFormElement): Promise<void> {
  const out = byId('verify-result')
  const button = byId<HTMLButtonElement>('verify-btn')
  const file = byId<HTMLInputElement>('file').files?.[0]
  const offline = (form.elements.namedItem('mode') as RadioNodeList).value === 'offline'
  const trustFromFile = (form.elements.namedItem('trust') as RadioNodeList).value === 'file'
  const receiptFile = byId<HTMLInputElement>('receipt-file').files?.[0]
  const trustFile = byId<HTMLInputElement>('trust-file').files?.[0]
  const problem = !file ? t('needFile') : offline && !receiptFile ? t('needReceipt') : offline && trustFromFile && !trustFile ? t('needTrust') : null
  if (problem) { out.replaceChildren(h('p', { class: 'alert bad', role: 'alert' }, problem)); return }
  button.disabled = true
  const wrap = byId('progress-wrap'), bar = byId<HTMLProgressElement>('progress'), label = byId('progress-label')
  wrap.hidden = false
  try {
    const digests = await hashFile(file!, byId<HTMLInputElement>('want-sm3').checked, (f) => {
      bar.value = f
      label.textContent = t('hashing', { pct: Math.floor(f * 100) })
    })
    const outcome = offline
      ? await verifyOffline(digests, await receiptFile!.text(), trustFromFile ? parseTrustRoot(await trustFile!.text()) : await nodeTrustRoot())
      : await verifyOnline(digests, label)
    last = outcome
    render(outcome)
  } catch (e) {
    const msg = (e as Error).message
    out.replaceChildren(h('p', { class: 'alert bad', role: 'alert' }, e instanceof TypeError ? t('errorNetwork', { msg }) : t('errorGeneric', { msg })))
  } finally {
    button.disabled = false
    wrap.hidden = true
  }
}

function parseTrustRoot(text: string): TrustRoot {
  const v = JSON.parse(text) as TrustRoot
  if (!v || typeof v !== 'object' || !v.genesis) throw new Error('the trust root file has no "genesis"')
  return v
}

/** Both digests checked: SHA-256 always, SM3 too when it was computed and deposited. */
function check(receipt: unknown, trust: TrustRoot, d: FileDigests): ReceiptReport {
  const report = verifyReceipt(receipt, trust, { digest: { alg: 'sha256', hex: d.sha256 } })
  if (report.valid && d.sm3 && report.record?.digests.sm3) {
    const sm = verifyReceipt(receipt, trust, { digest: { alg: 'sm3', hex: d.sm3 } })
    const c = sm.checks.find((x) => x.name === 'digest')
    if (c) report.checks.push(c)
    if (!sm.valid) { report.valid = false; report.failed = sm.failed }
  }
  return report
}

async function verifyOnline(d: FileDigests, label: HTMLElement): Promise<Outcome> {
  label.textContent = t('lookingUp')
  const trust = await nodeTrustRoot()
  const base = { mode: 'online' as const, file: d, chain: trust.genesis.chainId, at: Date.now() }
  let ids: string[]
  try {
    ids = (await getJson<{ ids: string[] }>(`v1/evidence?digest=sha256:${d.sha256}`)).ids
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { ...base, results: [], notFound: true }
    throw e
  }
  const results = await Promise.all(ids.slice(0, 20).map(async (id) => {
    const receipt = await getJson(`v1/evidence/${id}/receipt`)
    return { id, report: check(receipt, trust, d), receipt }
  }))
  return { ...base, results }
}

async function verifyOffline(d: FileDigests, receiptText: string, trust: TrustRoot): Promise<Outcome> {
  const t0 = receiptText.trimStart()
  let receipt: unknown = receiptText
  if (t0.startsWith('{')) { try { receipt = JSON.parse(t0) } catch { receipt = receiptText } }
  const report = check(receipt, trust, d)
  return { mode: 'offline', file: d, chain: trust.genesis.chainId, at: Date.now(), results: [{ id: report.evidenceId, report }] }
}

function render(o: Outcome): void {
  const out = byId('verify-result')
  const fileRows = dl([
    [t('fileLabel'), `${o.file.name} — ${formatBytes(o.file.size)}`],
    [t('digestSha256'), mono(o.file.sha256)],
    [t('digestSm3'), o.file.sm3 ? mono(o.file.sm3) : undefined],
  ])
  const actions = h('div', { class: 'actions no-print' },
    h('button', { type: 'button', onclick: () => printReport() }, t('printReport')),
    h('button', { type: 'button', onclick: () => download(`verification-${o.file.sha256.slice(0, 16)}.json`, JSON.stringify(jsonReport(o), null, 2), 'application/json') }, t('downloadJson')))
  const printHead = h('div', { class: 'print-only' }, h('h2', {}, t('reportTitle')),
    dl([[t('reportGenerated'), `${formatTime(o.at).local} / ${formatTime(o.at).utc}`], [t('reportNode'), location.origin], [t('chain'), o.chain]]))
  if (o.notFound) {
    out.replaceChildren(h('article', { class: 'card verdict notfound', id: 'verdict', tabindex: -1, 'data-verdict': 'not-found' }, printHead,
      h('h2', { class: 'verdict-title' }, '✗ ', t('verdictNotFound')), h('p', {}, t('notFoundDetail', { chain: o.chain })), fileRows, actions))
  } else {
    const cards = o.results.map((r) => renderResult(r.report, r.id, o.mode === 'online'))
    out.replaceChildren(h('article', { class: 'card verdict-group', id: 'verdict', tabindex: -1, 'data-verdict': o.results.every((r) => r.report.valid) ? 'valid' : 'invalid' }, printHead,
      o.results.length > 1 ? h('p', {}, t('deposits', { n: o.results.length })) : null, fileRows, ...cards, actions))
  }
  byId('verdict').focus?.()
}

function renderResult(report: ReceiptReport, id: string | null, online: boolean): HTMLElement {
  const rec = report.record
  const time = rec ? formatTime(rec.time) : null
  const failed = report.checks.find((c) => c.ok === false)
  const head = report.valid
    ? h('h2', { class: 'verdict-title' }, '✓ ', t('verdictOk'))
    : h('h2', { class: 'verdict-title' }, '✗ ', t('verdictBad'), ' — ', t('failedCheck', { check: `${t(CHECK_KEYS[report.failed ?? 'format'])} (${report.failed})` }))
  return h('section', { class: `verdict ${report.valid ? 'good' : 'bad'}`, 'data-valid': String(report.valid), 'data-failed': report.failed ?? '' },
    head,
    failed ? h('p', { class: 'fail-detail' }, checkDetail(failed)) : null,
    rec ? dl([
      [t('depositedBy'), h('strong', { class: 'depositor' }, rec.depositor)],
      [t('storageTime'), [h('span', { class: 'time-local' }, `${time!.local} (${t('localTime')}, ${time!.zone})`), h('br'), h('span', { class: 'time-utc' }, time!.utc)]],
      [t('inBlock'), online ? link(`#/block/${rec.height}`, `#${rec.height}`) : `#${rec.height}`],
      [t('signedBy'), report.signers.length ? report.signers.join(', ') : '—'],
      [t('evidenceId'), id ? (online ? link(`#/evidence/${id}`, id) : mono(id)) : undefined],
      [t('label'), rec.meta?.label], [t('caseNo'), rec.meta?.caseNo ? (online ? link(`#/case/${encodeURIComponent(rec.meta.caseNo)}`, rec.meta.caseNo) : rec.meta.caseNo) : undefined],
    ]) : null,
    h('details', { open: true }, h('summary', {}, t('checks')),
      h('ul', { class: 'checks' }, ...report.checks.map((c) => h('li', { class: c.ok === true ? 'ok' : c.ok === false ? 'fail' : 'na', 'data-check': c.name },
        h('span', { class: 'badge' }, c.ok === true ? `✓ ${t('ok')}` : c.ok === false ? `✗ ${t('failed')}` : `– ${t('na')}`), ' ',
        h('strong', {}, t(CHECK_KEYS[c.name])), ' ', h('span', { class: 'muted' }, checkDetail(c)))))),
    online && id ? h('p', { class: 'no-print' }, h('a', { href: `v1/evidence/${id}/receipt`, download: `receipt-${id.slice(0, 16)}.json` }, t('downloadReceipt'))) : null)
}

function printReport(): void {
  document.body.classList.add('printing')
  const done = (): void => { document.body.classList.remove('printing'); removeEventListener('afterprint', done) }
  addEventListener('afterprint', done)
  print()
}

function jsonReport(o: Outcome): unknown {
  return {
    format: 'courtchain.verification-report/v1', generatedAt: new Date(o.at).toISOString(), node: location.origin, mode: o.mode, chain: o.chain,
    verifiedIn: 'browser (courtchain/verify)', file: o.file,
    verdict: o.notFound ? 'not-found' : o.results.every((r) => r.report.valid) ? 'valid' : 'invalid',
    results: o.results.map((r) => ({ ...r.report, evidenceId: r.id ?? r.report.evidenceId, storageTimeUtc: r.report.record ? new Date(r.report.record.time).toISOString() : null, receipt: r.receipt })),
  }
}
