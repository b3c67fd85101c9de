// Every route declares its response schema, and fastify's serializer (which writes only the
// properties a schema lists) still sends every field the node hands it: each answer over HTTP
// equals what the deps returned, on the real test chain of the web tests.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildRpc, defaultRpcOptions } from '../../src/rpc/server.js'
import { makeTestChain } from '../web/chain.js'

const chain = makeTestChain()
const app = buildRpc(defaultRpcOptions, chain.deps)
const get = async (url: string): Promise<{ status: number; json: unknown }> => {
  const r = await app.inject({ method: 'GET', url, headers: { accept: 'application/json' } })
  return { status: r.statusCode, json: JSON.parse(r.body) }
}
/** What a value looks like after plain JSON (what the answer must equal). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v))

test('every route of the OpenAPI document declares a response schema for 200 (or 202) and for errors', async () => {
  const doc = (await get('/docs/openapi.json')).json as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
  assert.ok(ops.length >= 20, `${ops.length} operations`)
  for (const { path, method, op } of ops) {
    const ok = op.responses['200'] ?? op.responses['202']
    assert.ok(ok?.content && Object.keys(ok.content).length > 0, `${method} ${path} describes its answer`)
    assert.ok(op.responses['4XX'], `${method} ${path} describes its errors`)
  }
  const status = doc.paths['/v1/status']!['get']!.responses['200']!.content!['application/json'] as { schema: { properties: Record<string, unknown> } }
  assert.ok(status.schema.properties['headHash'], 'the status shape is described field by field')
})

test('the answers carry every field the deps returned: status, tx, receipts, block, evidence, receipt, trust root, case, stats', async () => {
  const ev = chain.blocks[0]!.placed[0]!
  const tx = chain.blocks[1]!.pb.txs[0]!.hash
  const cases: [string, unknown][] = [
    ['/v1/status', chain.deps.status()],
    [`/v1/txs/${tx}`, await chain.deps.getTx(tx)],
    [`/v1/txs/${tx}/receipts`, { hash: tx, ...(await chain.deps.txReceipts(tx)) }],
    ['/v1/blocks/2', await chain.deps.getBlock(2)],
    [`/v1/evidence/${ev.id}`, await chain.deps.getEvidence(ev.id)],
    [`/v1/evidence/${ev.id}/receipt`, await chain.deps.receipt(ev.id)],
    [`/v1/evidence?digest=sha256:${ev.record.digests.sha256}`, { digest: `sha256:${ev.record.digests.sha256}`, ids: [ev.id] }],
    [`/v1/evidence?prefix=${ev.id.slice(0, 8)}`, { prefix: ev.id.slice(0, 8), ids: [ev.id] }],
    ['/v1/trust-root', chain.deps.trustRoot()],
    [`/v1/cases/${chain.caseNo}`, await chain.deps.caseView(chain.caseNo)],
    ['/v1/stats', await chain.deps.stats()],
    ['/v1/chains', await chain.deps.chains()],
    ['/healthz', { ok: true, height: chain.blocks.length, reasons: [] }],
  ]
  for (const [url, want] of cases) {
    const r = await get(url)
    assert.is(r.status, 200, url)
    assert.equal(r.json, plain(want), url)
  }
  // The sm3 digest, the meta and the receipt's genesis hash are among the optional fields kept.
  const receipt = (await get(`/v1/evidence/${ev.id}/receipt`)).json as { depositor: { tx: { itemsRoot: string } } }
  assert.match(receipt.depositor.tx.itemsRoot, /^[0-9a-f]{64}$/)
  const view = (await get(`/v1/evidence/${ev.id}`)).json as { record: { digests: { sm3?: string }; meta?: { label?: string } } }
  assert.ok(view.record.digests.sm3 && view.record.meta?.label === 'contract.pdf')
})

test('POST /v1/evidence/lookup answers the digests on chain with their first deposit, in the order asked', async () => {
  const a = chain.blocks[0]!.placed[0]!
  const b = chain.blocks[1]!.placed[1]!
  const r = await app.inject({ method: 'POST', url: '/v1/evidence/lookup', payload: { digests: [`sha256:${b.record.digests.sha256}`, `sha256:${'0'.repeat(64)}`, `sha256:${a.record.digests.sha256}`] } })
  assert.is(r.statusCode, 200)
  const found = (JSON.parse(r.body) as { found: { digest: string; count: number; first: unknown }[] }).found
  assert.equal(found.map((f) => f.digest), [`sha256:${b.record.digests.sha256}`, `sha256:${a.record.digests.sha256}`])
  assert.equal(found[1]!.first, plain(await chain.deps.getEvidence(a.id)))
  assert.is(found[0]!.count, 1)
})

test('an error answer keeps its {code, message} through the error schema', async () => {
  const r = await get(`/v1/evidence/${'0'.repeat(64)}`)
  assert.is(r.status, 404)
  assert.equal(r.json, { code: 'NOT_FOUND', message: `evidence ${'0'.repeat(64)} not found` })
})

test('/docs is a readable page served from this node (Swagger UI from node_modules), the raw document at /docs/openapi.json', async () => {
  const page = await app.inject({ method: 'GET', url: '/docs' })
  assert.is(page.statusCode, 200)
  assert.match(page.headers['content-type'] as string, /^text\/html/)
  assert.match(page.headers['content-security-policy'] as string, /default-src 'none'; script-src 'self';/)
  assert.not.match(page.body, /https?:\/\//, 'the page names no external URL')
  for (const src of [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
    const r = await app.inject({ method: 'GET', url: src })
    assert.is(r.statusCode, 200, src)
    assert.ok(r.body.length > 0, src)
  }
  assert.is((await app.inject({ method: 'GET', url: '/docs/assets/package.json' })).statusCode, 404, 'only the listed assets are served')
  const raw = await get('/docs/openapi.json')
  assert.match((raw.json as { openapi: string }).openapi, /^3\.1/)
})

test.after(async () => { await app.close() })
test.run()
