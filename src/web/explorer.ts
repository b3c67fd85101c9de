// The explorer: a block, tx, evidence item or case, each at its own URL (#/block/12, #/tx/<hash>,
// #/evidence/<id>, #/case/<no>). Block certificates and receipts are re-checked here.
import { blockHash, checkCommitCertificate, genesisHash, initialState, prepareTx, type Block, type PreparedBlock, type Tx, type EvidenceRecord } from '../chain/index.js'
import { verifyReceipt } from '../verify/index.js'
import { ApiError, byId, dl, getJson, h, isHex64, link, mono } from './dom.js'
import { checkDetail } from './check-details.js'
import { formatTime, t } from './i18n.js'
import { CHECK_KEYS, nodeTrustRoot } from './verifier.js'

export type ExplorerRoute = { kind: 'block' | 'tx' | 'evidence' | 'case'; arg: string }

export function initExplorer(go: (hash: string) => void): void {
  byId<HTMLFormElement>('search').addEventListener('submit', (e) => {
    e.preventDefault()
    const q = byId<HTMLInputElement>('q').value.trim()
    if (!q) return
    void resolveQuery(q).then(go)
  })
}

/** Where a search goes: a number is a height, 64 hex is evidence (else a tx), anything else a case. */
async function resolveQuery(q: string): Promise<string> {
  if (/^\d{1,16}$/.test(q)) return `#/block/${Number(q)}`
  const hex = q.toLowerCase().replace(/^(sha256:)/, '')
  // A short id, as a person copies it: the evidence it names if exactly one id starts with it.
  if (/^[0-9a-f]{4,63}$/.test(hex)) return `#/evidence/${hex}`
  if (isHex64(hex)) {
    try { await getJson(`v1/evidence/${hex}`); return `#/evidence/${hex}` } catch { /* try a tx */ }
    try { await getJson(`v1/txs/${hex}`); return `#/tx/${hex}` } catch { /* try a file digest */ }
    try { const r = await getJson<{ ids: string[] }>(`v1/evidence?digest=sha256:${hex}`); return `#/evidence/${r.ids[0]}` } catch { return `#/tx/${hex}` }
  }
  return `#/case/${encodeURIComponent(q)}`
}

export async function showExplorer(route: ExplorerRoute | null): Promise<void> {
  const out = byId('explorer-out')
  out.replaceChildren(h('p', { class: 'muted' }, '…'))
  if (!route) {
    byId<HTMLInputElement>('q').value = ''
    try { out.replaceChildren(await latestBlocks()) } catch (e) { out.replaceChildren(h('p', { class: 'alert bad', role: 'alert' }, t('errorGeneric', { msg: (e as Error).message }))) }
    return
  }
  try {
    const view = route.kind === 'block' ? await blockView(Number(route.arg))
      : route.kind === 'tx' ? await txView(route.arg)
      : route.kind === 'evidence' ? await evidenceView(route.arg)
      : await caseView(route.arg)
    out.replaceChildren(view)
    byId<HTMLInputElement>('q').value = route.arg
  } catch (e) {
    const msg = e instanceof ApiError && e.status === 404 ? t('notFound', { what: `${route.kind} ${route.arg}` }) : t('errorGeneric', { msg: (e as Error).message })
    out.replaceChildren(h('p', { class: 'alert bad', role: 'alert' }, msg))
  }
}

/** Blocks shown when the explorer opens, newest first. */
const LATEST_BLOCKS = 10

/** The explorer's landing view: the newest blocks, each with its time, txs and evidence count. */
async function latestBlocks(): Promise<HTMLElement> {
  const { height } = await getJson<{ height: number }>('v1/status')
  const heights = Array.from({ length: Math.min(LATEST_BLOCKS, height) }, (_, i) => height - i)
  const blocks = await Promise.all(heights.map((ht) => getJson<{ hash: string; block: Block }>(`v1/blocks/${ht}`).then((b) => ({ height: ht, ...b }))))
  const rows = blocks.map((b, i) => {
    const hd = b.block.header
    const below = blocks[i + 1]?.block.header.logSize ?? (b.height === 1 ? 0 : null)
    const evidence = below === null ? '' : String(hd.logSize - below)
    return h('tr', { 'data-height': b.height },
      h('td', {}, link(`#/block/${b.height}`, `#${b.height}`)), h('td', {}, formatTime(hd.time).local),
      h('td', { class: 'num' }, String(hd.txCount)), h('td', { class: 'num' }, evidence), h('td', {}, h('code', { class: 'mono' }, `${b.hash.slice(0, 16)}…`)))
  })
  return h('article', { class: 'card', id: 'latest-blocks' },
    h('h2', {}, t('latestBlocks')),
    heights.length === 0 ? h('p', { class: 'muted' }, t('noBlocksYet')) : h('div', { class: 'scroll' }, h('table', { class: 'blocks' },
      h('thead', {}, h('tr', {}, ...[t('height'), t('time'), t('txs'), t('evidenceCount'), t('hash')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows))))
}

const timeBoth = (ms: number): HTMLElement[] => { const f = formatTime(ms); return [h('span', {}, f.local), h('br'), h('span', { class: 'muted' }, f.utc)] }

async function blockView(height: number): Promise<HTMLElement> {
  const b = await getJson<{ height: number; hash: string; block: Block; certificate: string }>(`v1/blocks/${height}`)
  const hd = b.block.header
  const { genesis } = await nodeTrustRoot()
  // Re-derive the hash and check the certificate against the trust root, here in the browser.
  let certLine: HTMLElement
  try {
    const pb = { block: b.block, hash: blockHash(hd), txs: [], bytes: new Uint8Array(0) } as unknown as PreparedBlock
    if (pb.hash !== b.hash) throw new Error(`header hashes to ${pb.hash}, node says ${b.hash}`)
    const signers = checkCommitCertificate(pb, b.certificate, initialState(genesis))
    certLine = h('p', { class: 'alert good', 'data-cert': 'ok' }, '✓ ', t('certOk', { who: signers.join(', ') }))
  } catch (e) {
    certLine = h('p', { class: 'alert bad', 'data-cert': 'bad' }, '✗ ', t('certBad', { msg: (e as Error).message }))
  }
  const g = genesisHash(genesis)
  const txHashes = b.block.txs.map((tx) => prepareTx(tx, g).hash)
  return h('article', { class: 'card' },
    h('h2', {}, `${t('block')} #${hd.height}`),
    h('p', { class: 'pager' }, hd.height > 0 ? link(`#/block/${hd.height - 1}`, t('prev')) : null, ' ', link(`#/block/${hd.height + 1}`, t('next'))),
    dl([[t('hash'), mono(b.hash)], [t('time'), timeBoth(hd.time)],
      [t('parent'), hd.height > 1 ? link(`#/block/${hd.height - 1}`, hd.parent) : mono(hd.parent)],
      [t('txs'), String(hd.txCount)], [t('logSize'), String(hd.logSize)], [t('txRoot'), mono(hd.txRoot)], [t('logRoot'), mono(hd.logRoot)]]),
    certLine,
    txHashes.length ? h('h3', {}, t('txs')) : null,
    txHashes.length ? h('ol', { class: 'hashes', start: 0 }, ...txHashes.map((x, i) => h('li', {}, link(`#/tx/${x}`, x), ' ', h('span', { class: 'muted' }, `${b.block.txs[i]!.type} · ${b.block.txs[i]!.from} · ${b.block.txs[i]!.items.length}`)))) : null,
    h('details', {}, h('summary', {}, t('certificate')), h('pre', {}, b.certificate)))
}

async function txView(hash: string): Promise<HTMLElement> {
  const v = await getJson<{ hash: string; status: string; location?: { height: number; index: number; blockHash: string }; tx: Tx }>(`v1/txs/${hash}`)
  return h('article', { class: 'card' },
    h('h2', {}, t('tx')),
    dl([[t('hash'), mono(v.hash)], [t('status'), v.status === 'committed' ? t('committed') : t('pending')],
      [t('location'), v.location ? [link(`#/block/${v.location.height}`, `${t('block')} #${v.location.height}`), ` · #${v.location.index}`] : undefined],
      [t('type'), v.tx.type], [t('from'), v.tx.from], [t('nonce'), String(v.tx.nonce)]]),
    h('h3', {}, `${t('items')} (${v.tx.items.length})`),
    h('ol', { class: 'hashes', start: 0 }, ...(v.tx.type === 'gov' || v.tx.type === 'anchor' ? [] : v.tx.items).slice(0, 200).map((it) => h('li', {},
      mono(`sha256:${it.digests.sha256}`), it.digests.sm3 ? [h('br'), mono(`sm3:${it.digests.sm3}`)] : null,
      it.meta?.label ? [h('br'), h('span', { class: 'muted' }, it.meta.label)] : null,
      it.meta?.caseNo ? [' · ', link(`#/case/${encodeURIComponent(it.meta.caseNo)}`, it.meta.caseNo)] : null))))
}

/** The full evidence id a typed prefix names; an ambiguous one lists the ids it could be. */
async function fullId(prefix: string): Promise<string | HTMLElement> {
  if (isHex64(prefix)) return prefix
  const { ids } = await getJson<{ ids: string[] }>(`v1/evidence?prefix=${encodeURIComponent(prefix)}&limit=20`)
  if (ids.length === 1) return ids[0]!
  return h('article', { class: 'card' }, h('h2', {}, t('evidence')), h('p', { class: 'alert bad', role: 'alert' }, t('ambiguousId', { prefix, n: ids.length })),
    h('ul', { class: 'hashes' }, ...ids.map((x) => h('li', {}, link(`#/evidence/${x}`, x)))))
}

async function evidenceView(idOrPrefix: string): Promise<HTMLElement> {
  const id = await fullId(idOrPrefix.toLowerCase())
  if (typeof id !== 'string') return id
  const v = await getJson<{ id: string; leafIndex: number; record: EvidenceRecord; block: { height: number; hash: string }; tx: string }>(`v1/evidence/${id}`)
  const r = v.record
  const checkOut = h('div', { 'aria-live': 'polite' })
  const verifyBtn = h('button', { type: 'button', onclick: async () => {
    const report = verifyReceipt(await getJson(`v1/evidence/${id}/receipt`), await nodeTrustRoot())
    const failed = report.checks.find((c) => c.ok === false)
    checkOut.replaceChildren(h('p', { class: `alert ${report.valid ? 'good' : 'bad'}`, 'data-receipt': report.valid ? 'ok' : 'bad' },
      report.valid ? '✓ ' : '✗ ', report.checks.map((c) => `${t(CHECK_KEYS[c.name])}: ${c.ok === null ? '–' : c.ok ? '✓' : '✗'}`).join(' · '),
      failed ? ` — ${checkDetail(failed)}` : ''))
  } }, t('verifyReceipt'))
  return h('article', { class: 'card' },
    h('h2', {}, t('evidence')),
    dl([[t('evidenceId'), mono(v.id)], [t('depositedBy'), h('strong', {}, r.depositor)], [t('storageTime'), timeBoth(r.time)],
      [t('inBlock'), link(`#/block/${v.block.height}`, `#${v.block.height}`)], [t('tx'), link(`#/tx/${v.tx}`, v.tx)],
      [t('leafIndex'), String(v.leafIndex)], [t('digestSha256'), mono(r.digests.sha256)], [t('digestSm3'), r.digests.sm3 ? mono(r.digests.sm3) : undefined],
      [t('label'), r.meta?.label], [t('size'), r.meta?.size !== undefined ? String(r.meta.size) : undefined], [t('mediaType'), r.meta?.mediaType],
      [t('caseNo'), r.meta?.caseNo ? link(`#/case/${encodeURIComponent(r.meta.caseNo)}`, r.meta.caseNo) : undefined]]),
    h('p', { class: 'actions' }, verifyBtn, ' ', h('a', { href: `v1/evidence/${id}/receipt`, download: `receipt-${id.slice(0, 16)}.json` }, t('downloadReceipt'))),
    checkOut)
}

interface CaseEntry { id: string; leafIndex: number; record: EvidenceRecord }

/** A verification record's label: "verification:<verdict>:<evidence id>[@<foreign chain>]" (src/node/api.ts). */
const VERIFICATION_RE = /^verification:([a-z]+):([0-9a-f]{64})/

async function caseView(caseNo: string): Promise<HTMLElement> {
  const v = await getJson<{ caseNo: string; evidence: CaseEntry[]; verifications: CaseEntry[] }>(`v1/cases/${encodeURIComponent(caseNo)}`)
  // Each verification recorded on chain, under the evidence it checked.
  const verdicts = new Map<string, CaseEntry[]>()
  for (const x of v.verifications) {
    const m = VERIFICATION_RE.exec(x.record.meta?.label ?? '')
    if (m) verdicts.set(m[2]!, [...(verdicts.get(m[2]!) ?? []), x])
  }
  const verdictText = (x: CaseEntry): string => {
    const verdict = VERIFICATION_RE.exec(x.record.meta!.label!)![1]!
    return `${verdict === 'passes' ? t('verdictPasses') : verdict === 'fails' ? t('verdictFails') : t('verdictIncomplete')} · ${x.record.depositor} · ${formatTime(x.record.time).local}`
  }
  const rows = v.evidence.map((e) => {
    const r = e.record
    const checks = verdicts.get(e.id) ?? []
    return h('tr', { 'data-evidence': e.id },
      h('td', {}, link(`#/evidence/${e.id}`, r.meta?.label ?? `${e.id.slice(0, 12)}…`), r.meta?.label ? [h('br'), h('code', { class: 'mono muted' }, `${e.id.slice(0, 12)}…`)] : null),
      h('td', { class: 'depositor' }, r.depositor),
      h('td', {}, timeBoth(r.time)),
      h('td', { 'data-verdicts': checks.length }, checks.length ? h('ul', { class: 'plain' }, ...checks.map((x) => h('li', {}, link(`#/evidence/${x.id}`, verdictText(x))))) : h('span', { class: 'muted' }, t('notVerifiedYet'))))
  })
  return h('article', { class: 'card' },
    h('h2', {}, `${t('case')} ${caseNo}`),
    h('h3', {}, `${t('caseEvidence')} (${v.evidence.length})`),
    h('div', { class: 'scroll' }, h('table', { class: 'case' },
      h('thead', {}, h('tr', {}, ...[t('label'), t('depositedBy'), t('storageTime'), t('verifications')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows))),
    h('details', {}, h('summary', {}, t('raw')), h('pre', {}, JSON.stringify(v, null, 2))))
}
