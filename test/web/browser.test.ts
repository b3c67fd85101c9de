// The page in a real browser (playwright-core driving Debian's /usr/bin/chromium) against an RPC
// server over the real test chain: verify a deposited file, a modified one, a tampered receipt
// offline; the dashboard and explorer render; no request ever leaves the page's origin.
// Set COURTCHAIN_WEB_URL to run the same checks against a running node (e.g. the devnet): the
// deposited-file cases then need COURTCHAIN_WEB_FILE (a file deposited on that chain).
// Skipped, with the reason printed, when chromium or playwright-core is missing; failed with CI=true.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildRpc, defaultRpcOptions } from '../../src/rpc/server.js'
import { makeTestChain, type TestChain } from './chain.js'
import { browserSkipReason, browserUnavailable, loadPlaywright, openVerifierPage, type PageSession } from './page.js'

const pw = await loadPlaywright()
const skipReason = browserSkipReason(pw)

if (skipReason) {
  browserUnavailable(test, 'the page in chromium', skipReason)
} else {
  let chain: TestChain | null = null
  let app: FastifyInstance | null = null
  let base = process.env['COURTCHAIN_WEB_URL']?.replace(/\/$/, '') ?? ''
  let session: PageSession | null = null
  let page: any
  let requests: string[] = [], pageErrors: string[] = [], cspViolations: string[] = []
  const dir = mkdtempSync(join(tmpdir(), 'courtchain-web-'))
  const shot = (name: string): Promise<void> => session!.shot(name)
  const verdictText = (): Promise<string> => session!.verdictText()

  test.before(async () => {
    if (!base) {
      chain = makeTestChain()
      app = buildRpc({ ...defaultRpcOptions, port: 0 }, chain.deps)
      await app.listen({ host: '127.0.0.1', port: 0 })
      base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    }
    session = await openVerifierPage(pw, base, dir)
    ;({ page, requests, pageErrors, cspViolations } = session)
  })

  test.after(async () => {
    await session?.browser.close()
    await app?.close()
  })

  const chooseFile = (selector: string, name: string, content: Uint8Array | string): Promise<void> => session!.chooseFile(selector, name, content)
  const setMode = (mode: 'online' | 'offline'): Promise<void> => session!.setMode(mode)

  test('the page says the file never leaves the machine', async () => {
    assert.match(await page.locator('.privacy').innerText(), /never leaves this computer/)
    await shot('01-verify-empty')
  })

  test('a deposited file: verified in the browser, with depositor, time, block and signers', async () => {
    const content = chain ? chain.depositedFile : readFileSync(process.env['COURTCHAIN_WEB_FILE']!)
    await setMode('online')
    await chooseFile('#file', 'contract.pdf', content)
    await page.check('#want-sm3')
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="valid"]')
    const text = await verdictText()
    assert.match(text, /Verified: this file was deposited on the chain/)
    if (chain) {
      const rec = chain.blocks[0]!.placed[0]!.record
      assert.match(text, /notary-1/)
      assert.ok(text.includes(new Date(rec.time).toISOString().replace('T', ' ').replace('Z', ' UTC')), 'shows the UTC time')
      assert.match(text, /Asia\/Shanghai/, 'shows the viewer\'s time zone')
      assert.match(text, /court-1, court-2, court-3/)
      assert.match(text, /In block\s+#1/)
      assert.is(await page.locator('li[data-check="digest"].ok').count(), 2, 'SHA-256 and SM3 both match')
    }
    await shot('02-verify-deposited')
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON report' }).click()])
    const report = JSON.parse(readFileSync(await dl.path(), 'utf8'))
    assert.is(report.format, 'courtchain.verification-report/v1')
    assert.is(report.verdict, 'valid')
    assert.is(report.file.name, 'contract.pdf')
    assert.ok(report.results[0].checks.every((c: { ok: boolean }) => c.ok === true))
  })

  test('a modified file: "not found on this chain"', async () => {
    const content = Buffer.from(chain ? chain.depositedFile : readFileSync(process.env['COURTCHAIN_WEB_FILE']!))
    content[10] ^= 1
    await chooseFile('#file', 'contract-modified.pdf', content)
    await page.uncheck('#want-sm3')
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="not-found"]')
    assert.match(await verdictText(), /Not found on this chain/)
    await shot('03-verify-modified')
  })

  test('offline: a tampered receipt plus the file fails, naming the check', async () => {
    if (!chain) return
    const id = chain.blocks[0]!.placed[0]!.id
    const receipt = chain.receipt(id)!
    // Backdate the storage time in the leaf (and fix the id to match): the proof no longer holds.
    const leaf = JSON.parse(Buffer.from(receipt.leaf, 'base64').toString('utf8'))
    leaf.time -= 86_400_000
    const { canonicalJson } = await import('../../src/codec/index.js')
    const { hashLeaf } = await import('../../src/merkle/index.js')
    const { toHex, utf8 } = await import('../../src/util/index.js')
    const leafText = canonicalJson(leaf)
    const tampered = { ...receipt, leaf: Buffer.from(leafText).toString('base64'), id: toHex(hashLeaf(utf8(leafText))) }
    await setMode('offline')
    await chooseFile('#receipt-file', 'receipt-tampered.json', JSON.stringify(tampered))
    await page.check('input[name=trust][value=file]')
    await chooseFile('#trust-file', 'trust-root.json', JSON.stringify(chain.trustRoot))
    await chooseFile('#file', 'contract.pdf', chain.depositedFile)
    // The header's status poll runs on every view; verification itself must not touch the network.
    const verifying = (): string[] => requests.filter((u) => !/\/v1\/(status|stats|blocks\/\d+)$/.test(new URL(u).pathname))
    const before = verifying().length
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="invalid"]')
    assert.is(await page.locator('#verdict .verdict[data-failed="inclusion"]').count(), 1)
    assert.match(await verdictText(), /Failed check: inclusion in the evidence log \(inclusion\)/)
    assert.is(verifying().length, before, 'offline verification with a trust root file makes no request')
    await shot('04-offline-tampered')
  })

  test('offline: the genuine tlog-proof text receipt verifies; the depositor check is not available', async () => {
    if (!chain) return
    const id = chain.blocks[0]!.placed[0]!.id
    const text = await chain.deps.receiptText(id)
    await chooseFile('#receipt-file', 'receipt.tlog-proof', text!)
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="valid"]')
    assert.is(await page.locator('li[data-check="depositor"].na').count(), 1)
    await setMode('online')
  })

  test('dashboard: figures, validators with online state, charts and recent blocks render', async () => {
    await page.goto(base + '/#/dashboard')
    for (let i = 0; i < 4; i++) { chain?.addBlock(); await page.waitForTimeout(800) }
    await page.waitForFunction(() => document.querySelectorAll('#blocks tbody tr').length >= 3)
    await page.waitForFunction(() => document.querySelectorAll('#rate-chart polyline.line').length === 1)
    const tile = async (name: string): Promise<string> => page.locator(`[data-tile="${name}"] .tile-value`).innerText()
    assert.ok(Number(await tile('height')) >= 3)
    if (chain) {
      // The page polls every 1.5 s, height and evidence from separate answers: wait for both to
      // catch up with the last block.
      const want = { items: String(chain.blocks.reduce((n, b) => n + b.placed.length, 0)), height: String(chain.blocks.length) }
      await page.waitForFunction((w: { items: string; height: string }) =>
        document.querySelector('[data-tile="evidence"] .tile-value')?.textContent === w.items &&
        document.querySelector('[data-tile="height"] .tile-value')?.textContent === w.height, want)
      assert.is(await tile('height'), want.height)
      assert.is(await tile('units'), '1')
      assert.is(await tile('cases'), '1')
      assert.is(await tile('primary'), 'court-1')
      assert.match(await page.locator('[data-validator="court-4"]').innerText(), /offline/)
      assert.match(await page.locator('[data-validator="court-1"]').innerText(), /online/)
    }
    await shot('05-dashboard')
  })

  test('explorer: block (certificate checked in the browser), evidence and case by URL', async () => {
    await page.goto(base + '/#/block/1')
    await page.waitForSelector('[data-cert="ok"]')
    assert.match(await page.locator('#explorer-out').innerText(), /Block #1/)
    await shot('06-explorer-block')
    if (chain) {
      const id = chain.blocks[0]!.placed[0]!.id
      await page.goto(base + `/#/evidence/${id}`)
      await page.getByRole('button', { name: 'Verify this receipt in the browser' }).click()
      await page.waitForSelector('[data-receipt="ok"]')
      await shot('07-explorer-evidence')
      await page.goto(base + `/#/case/${chain.caseNo}`)
      await page.waitForSelector('#explorer-out table.case tbody tr')
      // Each item with its label, depositor, time and the verifications recorded on chain, not bare ids.
      const rows = page.locator('#explorer-out table.case tbody tr')
      assert.is(await rows.count(), 3)
      const first = await rows.nth(0).innerText()
      const rec = chain.blocks[0]!.placed[0]!.record
      assert.match(first, /contract\.pdf/)
      assert.match(first, /notary-1/)
      assert.ok(first.includes(new Date(rec.time).toISOString().replace('T', ' ').replace('Z', ' UTC')), first)
      assert.match(first, /passes · court-1 · \d{4}-\d\d-\d\d /)
      assert.match(await rows.nth(1).innerText(), /exhibit-1\.jpg[\s\S]*notary-1[\s\S]*none yet/)
      await shot('07b-explorer-case')
      const tx = chain.blocks[1]!.pb.txs[0]!.hash
      await page.goto(base + `/#/tx/${tx}`)
      await page.waitForSelector('#explorer-out h2')
      assert.match(await page.locator('#explorer-out').innerText(), /exhibit-1\.jpg/)
    }
  })

  test('explorer: opens on the latest blocks, newest first, with a short evidence id accepted in the search box', async () => {
    await page.goto(base + '/#/explorer')
    await page.waitForSelector('#latest-blocks tbody tr')
    const height = Number(await page.evaluate(() => fetch('v1/status').then((r) => r.json()).then((s) => s.height)))
    const rows = page.locator('#latest-blocks tbody tr')
    assert.is(await rows.count(), Math.min(10, height))
    assert.is(await rows.nth(0).getAttribute('data-height'), String(height))
    assert.is(await rows.nth(1).getAttribute('data-height'), String(height - 1))
    assert.match(await page.locator('#latest-blocks').innerText(), /Latest blocks/)
    await shot('06b-explorer-landing')
    if (chain) {
      const id = chain.blocks[0]!.placed[0]!.id
      await page.fill('#q', id.slice(0, 10))
      await page.click('#search button')
      await page.waitForSelector('#explorer-out [data-cert], #explorer-out .card h2')
      await page.waitForFunction((full: string) => document.querySelector('#explorer-out')?.textContent?.includes(full), id)
    }
  })

  test('Chinese: the switch translates the page and is remembered after a reload', async () => {
    await page.goto(base + '/#/verify')
    await page.click('#lang')
    assert.is(await page.getAttribute('html', 'lang'), 'zh-CN')
    await page.reload()
    await page.waitForSelector('body[data-ready="true"]')
    assert.match(await page.locator('#h-verify').innerText(), /核验/)
    assert.match(await page.locator('.privacy').innerText(), /文件不会离开您的电脑/)
    await shot('08-verify-zh')
  })

  test('Chinese: the verdict and every check detail are in Chinese; the explorer and case view too', async () => {
    if (!chain) return
    await setMode('online')
    await chooseFile('#file', 'contract.pdf', chain.depositedFile)
    await page.check('#want-sm3')
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="valid"]')
    const text = await verdictText()
    assert.match(text, /核验通过：该文件已在链上存证/)
    const detail = async (name: string): Promise<string> => page.locator(`li[data-check="${name}"] .muted`).first().innerText()
    assert.match(await detail('checkpoint'), /^第 \d+ 届 4 个共识节点中有 3 个签名（court-1, court-2, court-3），区块高度 \d+$/)
    assert.match(await detail('inclusion'), /^共 \d+ 个叶子中的第 \d+ 个$/)
    assert.match(await detail('depositor'), /^由 notary-1 签名$/)
    assert.match(await detail('leaf'), /^存证编号 [0-9a-f]{64}$/)
    assert.match(await detail('digest'), /^sha256 摘要一致$/)
    // No English words left in the check list (ids, digests and names are not words).
    const checks = await page.locator('ul.checks').first().innerText()
    assert.not.match(checks.replace(/[0-9a-f]{64}|court-\d|notary-\d|sha256|sm3|courtchain\.receipt\/v\d|webtest/g, ''), /[A-Za-z]{3,}/, checks)
    await shot('08b-verify-zh-checks')
    // A tampered receipt's failure detail, in Chinese too.
    await setMode('offline')
    const receipt = chain.receipt(chain.blocks[0]!.placed[0]!.id)!
    await chooseFile('#receipt-file', 'r.json', JSON.stringify({ ...receipt, treeSize: receipt.treeSize + 1 }))
    await page.check('input[name=trust][value=node]')
    await page.click('#verify-btn')
    await page.waitForSelector('#verdict[data-verdict="invalid"]')
    assert.match(await page.locator('.fail-detail').innerText(), /^回执中的树大小 \d+ 与检查点的 \d+ 不一致$/)
    await setMode('online')
    await page.goto(base + `/#/case/${chain.caseNo}`)
    await page.waitForSelector('#explorer-out table.case tbody tr')
    assert.match(await page.locator('#explorer-out table.case thead').innerText(), /标签[\s\S]*存证单位[\s\S]*存证时间[\s\S]*链上核验记录/)
    assert.match(await page.locator('#explorer-out table.case tbody tr').nth(0).innerText(), /通过 · court-1/)
    await page.goto(base + '/#/explorer')
    await page.waitForSelector('#latest-blocks tbody tr')
    assert.match(await page.locator('#latest-blocks h2').innerText(), /最新区块/)
    // The tests after this one start from a freshly loaded page, as after the reload above.
    await page.goto(base + '/#/verify')
    await page.reload()
    await page.waitForSelector('body[data-ready="true"]')
  })

  test('the font stack names the common CJK faces', async () => {
    const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily)
    for (const f of ['PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei']) assert.ok(family.includes(f), `${f} in ${family}`)
  })

  test('keyboard: the first Tab reaches the skip link, the file input is focusable with a visible outline', async () => {
    await page.keyboard.press('Tab')
    assert.is(await page.evaluate(() => document.activeElement?.className), 'skip')
    await page.focus('#file')
    const outline = await page.evaluate(() => getComputedStyle(document.querySelector('#drop')!).outlineStyle)
    assert.is(outline, 'solid')
  })

  test('responsive: no horizontal scrolling at 360 px on any view', async () => {
    await page.setViewportSize({ width: 360, height: 780 })
    for (const route of ['#/verify', '#/dashboard', '#/block/1']) {
      await page.goto(base + '/' + route)
      await page.waitForTimeout(1800)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 360, `${route} is ${width}px wide`)
    }
    await shot('09-mobile-360-block')
    await page.goto(base + '/#/dashboard')
    await page.waitForTimeout(1600)
    await shot('10-mobile-360-dashboard')
    await page.click('#lang')
  })

  test('/docs: the API page renders every operation from this node alone, within its CSP', async () => {
    await page.goto(base + '/docs')
    await page.waitForSelector('.opblock')
    assert.ok(await page.locator('.opblock').count() >= 20)
    await page.locator('.opblock-summary-path', { hasText: '/v1/txs/{hash}/receipts' }).first().click()
    await page.waitForSelector('.responses-table')
    await shot('11-docs')
  })

  test('every request stayed on the page\'s origin, and the page threw no errors', async () => {
    assert.equal(session!.foreignRequests(), [])
    assert.ok(requests.length > 20, `saw ${requests.length} requests`)
    assert.equal(pageErrors, [])
    assert.equal(cspViolations, [])
  })
}

test.run()
