// The verifier page served by a real node of a devnet (4 validator processes on loopback), for a
// file deposited with the real `courtchain deposit` command: the page verifies it in the browser
// (depositor, quorum time, signers), says a modified file is not on the chain, fails a tampered
// receipt offline naming the check, shows the live chain on the dashboard and certificate in the
// explorer, and never sends a request outside the node's origin. Screenshots: test/artifacts/devnet-*.png.
// Skipped, with the reason printed, when chromium or playwright-core is missing; failed with CI=true.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster, waitFor, type Cluster } from '../cluster/harness.js'
import { repoPath } from '../helpers.js'
import { browserSkipReason, browserUnavailable, launchBrowser, loadPlaywright, openVerifierPage, type PageSession } from './page.js'

const pw = await loadPlaywright()
const skipReason = browserSkipReason(pw)

/** Runs `node bin/courtchain <args>` with a bounded wait; resolves with its exit code and output. */
function courtchain(args: string[], ms = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [repoPath('bin', 'courtchain'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { out += d })
    const timer = setTimeout(() => p.kill('SIGKILL'), ms)
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out }) })
  })
}

if (skipReason) {
  browserUnavailable(test, 'the page of a devnet node in chromium', skipReason)
} else {
  let c: Cluster
  let s: PageSession
  let launching: Promise<any> | null = null
  let base = ''
  const dir = mkdtempSync(join(tmpdir(), 'courtchain-web-devnet-'))
  const content = Buffer.from(`Contract of sale, devnet web test ${Date.now()}\n${'terms '.repeat(200)}\n`)
  /** What the node says about the deposited file. */
  let deposited: { id: string; record: { time: number; height: number; depositor: string }; receipt: any; trustRoot: any }

  const json = async (path: string): Promise<any> => {
    const r = await fetch(base + path, { signal: AbortSignal.timeout(10_000) })
    assert.is(r.status, 200, `${path}: ${r.status}`)
    return r.json()
  }

  test.before(async () => {
    // Chromium starts while the nodes do.
    launching = launchBrowser(pw)
    launching.catch(() => {})
    c = await startCluster({ nodes: 4, units: 2 })
    base = c.urls[0]!
    await waitFor('every node answers /v1/status', async () => {
      const all = await Promise.all(c.urls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))
      return all.every((st) => st && st.chainId === 'devnet')
    }, 40_000)
    // Deposit through the real command, as a notary office would.
    const file = join(dir, 'contract.pdf')
    writeFileSync(file, content)
    const dep = await courtchain(['deposit', file, '--key', join(c.dir, 'units', 'notary-1.json'), '--node', base, '--sm3', '--out', join(dir, 'receipts')])
    assert.is(dep.code, 0, dep.out)
    assert.match(dep.out, /deposited 1 file \(.*\) on chain devnet/)
    const sha = (await import('node:crypto')).createHash('sha256').update(content).digest('hex')
    const found = await json(`/v1/evidence?digest=sha256:${sha}`)
    const id = found.ids[0] as string
    deposited = { id, record: (await json(`/v1/evidence/${id}`)).record, receipt: await json(`/v1/evidence/${id}/receipt`), trustRoot: await json('/v1/trust-root') }
    s = await openVerifierPage(pw, base, dir, await launching)
  })

  test.after(async () => {
    await (await launching?.catch(() => null))?.close()
    await c?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('the deposited file verifies in the browser: notary-1, the quorum time, its block and signers', async () => {
    await s.setMode('online')
    await s.chooseFile('#file', 'contract.pdf', content)
    await s.page.check('#want-sm3')
    await s.page.click('#verify-btn')
    await s.page.waitForSelector('#verdict[data-verdict="valid"]')
    const text = await s.verdictText()
    assert.match(text, /Verified: this file was deposited on the chain/)
    assert.match(text, /notary-1/)
    assert.is(deposited.record.depositor, 'notary-1')
    assert.ok(text.includes(new Date(deposited.record.time).toISOString().replace('T', ' ').replace('Z', ' UTC')), `shows the UTC block time:\n${text}`)
    assert.match(text, /Asia\/Shanghai/, 'shows the viewer\'s time zone')
    assert.match(text, new RegExp(`In block\\s+#${deposited.record.height}\\b`))
    assert.match(text, /court-\d, court-\d, court-\d/, 'names a quorum of signing validators')
    assert.is(await s.page.locator('li[data-check="digest"].ok').count(), 2, 'SHA-256 and SM3 both match')
    await s.shot('devnet-01-verify-deposited')
  })

  test('a modified file: "not found on this chain"', async () => {
    const modified = Buffer.from(content)
    modified[10]! ^= 1
    await s.chooseFile('#file', 'contract-modified.pdf', modified)
    await s.page.uncheck('#want-sm3')
    await s.page.click('#verify-btn')
    await s.page.waitForSelector('#verdict[data-verdict="not-found"]')
    assert.match(await s.verdictText(), /Not found on this chain/)
    await s.shot('devnet-02-verify-modified')
  })

  test('offline: the node\'s receipt with its storage time backdated fails, naming the check', async () => {
    const leaf = JSON.parse(Buffer.from(deposited.receipt.leaf, 'base64').toString('utf8'))
    leaf.time -= 86_400_000
    const { canonicalJson } = await import('../../src/codec/index.js')
    const { hashLeaf } = await import('../../src/merkle/index.js')
    const { toHex, utf8 } = await import('../../src/util/index.js')
    const leafText = canonicalJson(leaf)
    const tampered = { ...deposited.receipt, leaf: Buffer.from(leafText).toString('base64'), id: toHex(hashLeaf(utf8(leafText))) }
    await s.setMode('offline')
    await s.chooseFile('#receipt-file', 'receipt-tampered.json', JSON.stringify(tampered))
    await s.page.check('input[name=trust][value=file]')
    await s.chooseFile('#trust-file', 'trust-root.json', JSON.stringify(deposited.trustRoot))
    await s.chooseFile('#file', 'contract.pdf', content)
    const before = s.requests.length
    await s.page.click('#verify-btn')
    await s.page.waitForSelector('#verdict[data-verdict="invalid"]')
    // The header's live status poll (every 1.5 s) may fire meanwhile; nothing else may.
    const during = s.requests.slice(before).filter((u) => new URL(u).pathname !== '/v1/status')
    assert.is(await s.page.locator('#verdict .verdict[data-failed="inclusion"]').count(), 1)
    assert.match(await s.verdictText(), /Failed check: inclusion in the evidence log \(inclusion\)/)
    assert.equal(during, [], 'offline verification with a trust root file makes no request')
    await s.shot('devnet-03-offline-tampered')
  })

  test('offline: the node\'s genuine receipt, and its tlog-proof text form, verify', async () => {
    await s.chooseFile('#receipt-file', 'receipt.json', JSON.stringify(deposited.receipt))
    await s.page.click('#verify-btn')
    await s.page.waitForSelector('#verdict[data-verdict="valid"]')
    assert.match(await s.verdictText(), /notary-1/)
    const text = await (await fetch(`${base}/v1/evidence/${deposited.id}/receipt`, { headers: { accept: 'text/plain' } })).text()
    await s.chooseFile('#receipt-file', 'receipt.tlog-proof', text)
    await s.page.click('#verify-btn')
    await s.page.waitForSelector('#verdict[data-verdict="valid"] li[data-check="depositor"].na')
    await s.setMode('online')
  })

  test('dashboard: the live chain\'s height, evidence and four online validators', async () => {
    // A few more blocks, so the dashboard has something moving to show.
    const before = (await json('/v1/stats')).evidence as number
    for (let k = 0; k < 3; k++) assert.is((await c.deposit(k % 4, `dashboard ${k}`)).status, 200)
    // Each deposit waited for its commit on the node it went to; the page's node may be a block behind.
    const stats = await waitFor('the page\'s node has committed the three deposits', async () => {
      const st = await json('/v1/stats')
      return st.evidence >= before + 3 && st
    })
    await s.page.goto(base + '/#/dashboard')
    const tile = async (name: string): Promise<string> => s.page.locator(`[data-tile="${name}"] .tile-value`).innerText()
    await s.page.waitForFunction((h: string) => document.querySelector('[data-tile="height"] .tile-value')?.textContent === h, String(stats.height)).catch(async (e: Error) => {
      await s.shot('devnet-04-dashboard-failed')
      throw new Error(`${e.message}\nstats ${JSON.stringify(stats)}\npage: ${await s.page.locator('main').innerText()}`)
    })
    assert.ok(Number(await tile('height')) > 0)
    assert.ok(Number(await tile('evidence')) >= 1, `evidence tile: ${await tile('evidence')}`)
    assert.is(await tile('evidence'), String(stats.evidence))
    for (const v of ['court-1', 'court-2', 'court-3', 'court-4']) assert.match(await s.page.locator(`[data-validator="${v}"]`).innerText(), /online/)
    await s.page.waitForFunction(() => document.querySelectorAll('#blocks tbody tr').length >= 2)
    await s.shot('devnet-04-dashboard')
  })

  test('explorer: the block\'s real commit certificate verifies in the browser; the evidence page', async () => {
    await s.page.goto(`${base}/#/block/${deposited.record.height}`)
    await s.page.waitForSelector('[data-cert="ok"]')
    assert.match(await s.page.locator('#explorer-out').innerText(), new RegExp(`Block #${deposited.record.height}`))
    await s.shot('devnet-05-explorer-block')
    await s.page.goto(`${base}/#/evidence/${deposited.id}`)
    await s.page.getByRole('button', { name: 'Verify this receipt in the browser' }).click()
    await s.page.waitForSelector('[data-receipt="ok"]')
    await s.shot('devnet-06-explorer-evidence')
  })

  test('every request stayed on the node\'s origin, and the page threw no errors', async () => {
    assert.equal(s.foreignRequests(), [])
    assert.ok(s.requests.length > 20, `saw ${s.requests.length} requests`)
    assert.equal(s.pageErrors, [])
    assert.equal(s.cspViolations, [])
  })
}

test.run()
