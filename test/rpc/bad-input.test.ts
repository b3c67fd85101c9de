// Issue 5's bad-input table against a real node over HTTP: 4 validator processes on loopback.
// Every refused request gets the exact status and code in a `{code, message}` body, nothing it
// carried is stored on any node, and the node keeps serving. Then the happy paths of the same
// routes: verify by id, recorded verifications in the case view, /docs, /metrics, tlog-proof text.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { request } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { signTx, type EvidenceItem, type TrustRoot } from '../../src/chain/index.js'
import { ed25519Sign, generateKeyPair, readKeyFile, sha256 } from '../../src/crypto/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { verifyReceipt } from '../../src/verify/index.js'
import { startCluster, waitFor, type Cluster } from '../cluster/harness.js'

interface Reply { status: number; type: string; text: string; json: any }
/** An evidence-carrying tx as this test builds it (the chain's Tx union also has other kinds). */
interface EvidenceTx { v: 1; chain: string; type: 'deposit' | 'verify'; from: string; nonce: number; items: EvidenceItem[]; sig: string }
interface SignedTx { hash: string; tx: EvidenceTx }

let c: Cluster
let chainId = ''
let genesisId = ''
let unit: { id: string; seed: Uint8Array }
let nonce = Date.now() * 1000 + 500_000_000
/** Height and evidence count after the seed deposit; every refused input must leave them so. */
let baseline = { height: 0, evidence: 0 }
/** A committed deposit to look up, replay and verify. */
let seed: { tx: SignedTx; digest: string; id: string }
/** Hashes of txs the node refused (or of the genuine tx a bad one was made from): never stored. */
const refusedHashes = new Set<string>()

/** One HTTP exchange with node `i`. */
function send(i: number, method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const url = new URL(c.urls[i]! + path)
  return new Promise((resolve, reject) => {
    let answered = false
    const req = request(url, { method, headers: opts.headers ?? {}, timeout: 40_000 }, (res) => {
      answered = true
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => {
        let json: unknown = null
        try { json = JSON.parse(text) } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, json })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', (e) => { if (!answered) reject(e) })
    req.end(opts.body)
  })
}
const JSON_HEADERS = { 'content-type': 'application/json' }
const postJson = (i: number, path: string, value: unknown): Promise<Reply> => send(i, 'POST', path, { body: JSON.stringify(value), headers: JSON_HEADERS })
const get = (i: number, path: string, headers: Record<string, string> = {}): Promise<Reply> => send(i, 'GET', path, { headers })

function makeTx(o: { type?: EvidenceTx['type']; from?: string; chain?: string; items?: EvidenceItem[]; seed?: Uint8Array } = {}): SignedTx {
  const items = o.items ?? [{ digests: { sha256: toHex(sha256(utf8(`bad-input ${nonce}`))) }, meta: { label: `case ${nonce}` } }]
  const unsigned = { v: 1 as const, chain: o.chain ?? chainId, type: o.type ?? 'deposit', from: o.from ?? unit.id, nonce: nonce++, items }
  const p = signTx(unsigned as Parameters<typeof signTx>[0], genesisId, (m) => ed25519Sign(o.seed ?? unit.seed, m))
  return { hash: p.hash, tx: p.tx as unknown as EvidenceTx }
}
const digestItems = (n: number, label?: string): EvidenceItem[] =>
  Array.from({ length: n }, (_, k) => ({ digests: { sha256: toHex(sha256(utf8(`many ${nonce} ${k}`))) }, ...(label ? { meta: { label } } : {}) }))

/** Asserts an error reply: exact status and code, a `{code, message}` body, a message that says something. */
function assertError(r: Reply, status: number, code: string, message?: RegExp): void {
  const ctx = `${r.status} ${r.text.slice(0, 300)}`
  assert.is(r.status, status, ctx)
  assert.match(r.type, /^application\/json/, ctx)
  assert.equal(Object.keys(r.json ?? {}).sort(), ['code', 'message'], ctx)
  assert.is(r.json.code, code, ctx)
  assert.type(r.json.message, 'string')
  assert.ok(r.json.message.length >= 12, `message too short to help: ${ctx}`)
  if (message) assert.match(r.json.message, message, ctx)
}

async function chainCounts(i = 0): Promise<{ height: number; evidence: number }> {
  const s = (await get(i, '/v1/stats')).json
  return { height: s.height, evidence: s.evidence }
}

/** The request is refused as stated, the chain did not move, and the node still answers. */
async function refuses(req: () => Promise<Reply>, status: number, code: string, message?: RegExp, hashes: string[] = []): Promise<void> {
  const before = await chainCounts()
  assertError(await req(), status, code, message)
  assert.equal(await chainCounts(), before, 'height and evidence count unchanged')
  for (const h of hashes) {
    refusedHashes.add(h)
    assertError(await get(0, `/v1/txs/${h}`), 404, 'NOT_FOUND', /not found/)
  }
  const health = await get(0, '/healthz')
  assert.is(health.status, 200, 'the node keeps serving')
}

test.before(async () => {
  c = await startCluster({ nodes: 4, units: 2 })
  await waitFor('every node answers /v1/status', async () => {
    const all = await Promise.all(c.urls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))
    return all.every((s) => s && s.chainId === 'devnet')
  }, 40_000)
  chainId = JSON.parse(await readFile(join(c.dir, 'genesis.json'), 'utf8')).chainId
  genesisId = c.genesisHash
  unit = await readKeyFile(join(c.dir, 'units', 'notary-1.json'))
  const tx = makeTx()
  const r = await postJson(0, '/v1/txs?wait=commit&timeoutMs=20000', tx.tx)
  assert.is(r.status, 200, r.text)
  const digest = tx.tx.items[0]!.digests.sha256
  const found = await get(0, `/v1/evidence?digest=sha256:${digest}`)
  seed = { tx, digest, id: found.json.ids[0] }
  // every node has the seed block before the baseline: the tests below compare each node with it
  for (let i = 0; i < 4; i++) await waitFor(`the seed tx commits on node ${i}`, async () => (await get(i, `/v1/txs/${tx.hash}`)).json?.status === 'committed', 15_000)
  baseline = await chainCounts()
})

test.after(async () => {
  if (c && process.env['CC_RPC_LOGS']) console.log(c.logs(0))
  await c?.stop()
})

// ---- POST /v1/txs: transport and shape (the schema, before any chain rule) ----

test('malformed JSON → 400 BAD_JSON', async () => {
  await refuses(() => send(0, 'POST', '/v1/txs', { body: '{"v":1,"chain":', headers: JSON_HEADERS }), 400, 'BAD_JSON', /JSON/)
  await refuses(() => send(0, 'POST', '/v1/txs', { body: '', headers: JSON_HEADERS }), 400, 'BAD_JSON', /empty/)
})

test('a body that is not a JSON object → 400 BAD_REQUEST', async () => {
  for (const body of ['null', '[]', '"tx"', '42']) await refuses(() => send(0, 'POST', '/v1/txs', { body, headers: JSON_HEADERS }), 400, 'BAD_REQUEST', /body must be object/)
})

test('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
  const tx = makeTx()
  const body = JSON.stringify(tx.tx)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/cbor']) {
    await refuses(() => send(0, 'POST', '/v1/txs', { body, headers: { 'content-type': type } }), 415, 'UNSUPPORTED_MEDIA_TYPE', /application\/json/, [tx.hash])
  }
  await refuses(() => send(0, 'POST', '/v1/txs', { body, headers: {} }), 415, 'UNSUPPORTED_MEDIA_TYPE', /application\/json/, [tx.hash])
})

test('wrong types (nonce as a string, items not an array) → 400 BAD_REQUEST naming the field', async () => {
  const tx = makeTx()
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, nonce: String(tx.tx.nonce) }), 400, 'BAD_REQUEST', /body\/nonce must be integer/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, items: tx.tx.items[0] }), 400, 'BAD_REQUEST', /body\/items must be array/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, v: 2 }), 400, 'BAD_REQUEST', /body\/v/, [tx.hash])
  const { sig: _sig, ...unsigned } = tx.tx
  await refuses(() => postJson(0, '/v1/txs', unsigned), 400, 'BAD_REQUEST', /required property 'sig'/, [tx.hash])
})

test('unknown fields (top level, in an item, in meta) → 400 BAD_REQUEST naming the field', async () => {
  const tx = makeTx()
  const item = tx.tx.items[0]!
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, fee: 0 }), 400, 'BAD_REQUEST', /additional properties: "fee"/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, items: [{ ...item, content: 'aGVsbG8=' }] }), 400, 'BAD_REQUEST', /body\/items\/0 must NOT have additional properties: "content"/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, items: [{ ...item, meta: { ...item.meta, owner: 'x' } }] }), 400, 'BAD_REQUEST', /body\/items\/0\/meta .*"owner"/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, items: [{ ...item, digests: { ...item.digests, md5: '00' } }] }), 400, 'BAD_REQUEST', /digests .*"md5"/, [tx.hash])
})

/**
 * Declares a JSON body of `bytes` bytes to POST /v1/txs and sends only the headers: the node must
 * refuse from Content-Length alone, before reading any of it. (A chunked body over the limit is
 * refused once the limit is passed, but the node then closes the socket while the client is still
 * writing, so the client may see a reset instead of the 413: TCP, not something a test can pin.)
 */
function declareOversized(bytes: number): Promise<Reply> {
  const url = new URL(c.urls[0]! + '/v1/txs')
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': bytes }, timeout: 10_000 }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => {
        req.destroy()
        let json: unknown = null
        try { json = JSON.parse(text) } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, json })
      })
    })
    req.on('timeout', () => req.destroy(new Error('no answer to the headers of an oversized POST')))
    req.on('error', reject)
    req.flushHeaders()
  })
}

test('a body larger than bodyLimit (2 MiB) → 413 BODY_TOO_LARGE, before the body is read', async () => {
  await refuses(() => declareOversized(2 * 1024 * 1024 + 1), 413, 'BODY_TOO_LARGE', /too large/)
  await refuses(() => declareOversized(512 * 1024 * 1024), 413, 'BODY_TOO_LARGE', /too large/)
})

test('bad hex (uppercase, odd length, wrong length digest, non-hex sig) → 400 BAD_REQUEST', async () => {
  const tx = makeTx()
  const d = tx.tx.items[0]!.digests.sha256
  const withDigest = (sha: string): unknown => ({ ...tx.tx, items: [{ ...tx.tx.items[0], digests: { sha256: sha } }] })
  const digestRe = /body\/items\/0\/digests\/sha256 must match pattern/
  await refuses(() => postJson(0, '/v1/txs', withDigest(d.toUpperCase())), 400, 'BAD_REQUEST', digestRe, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', withDigest(d.slice(1))), 400, 'BAD_REQUEST', digestRe, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', withDigest(d.slice(2))), 400, 'BAD_REQUEST', digestRe, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', withDigest(d + '00')), 400, 'BAD_REQUEST', digestRe, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, sig: 'z' + tx.tx.sig.slice(1) }), 400, 'BAD_REQUEST', /body\/sig must match pattern/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, sig: tx.tx.sig.toUpperCase() }), 400, 'BAD_REQUEST', /body\/sig must match pattern/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, sig: tx.tx.sig.slice(2) }), 400, 'BAD_REQUEST', /body\/sig must match pattern/, [tx.hash])
})

// ---- POST /v1/txs: chain rules (parseTx, the mempool's sender and signature checks) ----

test('a signature of another tx, or with one bit flipped → 401 TX_BAD_SIGNATURE', async () => {
  const tx = makeTx(), other = makeTx()
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, sig: other.tx.sig }), 401, 'TX_BAD_SIGNATURE', /does not verify with the key of "notary-1"/, [tx.hash])
  const sig = Buffer.from(tx.tx.sig, 'hex')
  sig[40]! ^= 0x01
  await refuses(() => postJson(0, '/v1/txs', { ...tx.tx, sig: sig.toString('hex') }), 401, 'TX_BAD_SIGNATURE', /does not verify/, [tx.hash])
  // Items changed after signing: the signed items root no longer matches.
  const moved = { ...tx.tx, items: [{ digests: { sha256: toHex(sha256(utf8('swapped'))) } }] }
  await refuses(() => postJson(0, '/v1/txs', moved), 401, 'TX_BAD_SIGNATURE', /does not verify/)
})

test('an unknown depositor → 403 TX_UNKNOWN_MEMBER', async () => {
  const stranger = generateKeyPair()
  const tx = makeTx({ from: 'ghost-1', seed: stranger.seed })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 403, 'TX_UNKNOWN_MEMBER', /"ghost-1" is not a member/, [tx.hash])
})

test('a unit sending a verify tx → 403 TX_FORBIDDEN', async () => {
  const tx = makeTx({ type: 'verify' })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 403, 'TX_FORBIDDEN', /a unit may not send "verify"/, [tx.hash])
})

test('a tx for another chain → 422 TX_WRONG_CHAIN', async () => {
  const tx = makeTx({ chain: 'othernet' })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 422, 'TX_WRONG_CHAIN', /expected "devnet", got "othernet"/, [tx.hash])
})

test('an empty batch → 422 TX_EMPTY', async () => {
  const tx = makeTx({ items: [] })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 422, 'TX_EMPTY', /"tx.items" is empty/, [tx.hash])
})

test('more items than genesis maxTxItems (1000) → 413 TX_TOO_MANY_ITEMS', async () => {
  const tx = makeTx({ items: digestItems(1001) })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 413, 'TX_TOO_MANY_ITEMS', /1001 items, at most 1000/, [tx.hash])
})

test('a tx over genesis maxTxBytes (1 MiB) but under bodyLimit → 413 TX_TOO_LARGE', async () => {
  const tx = makeTx({ items: digestItems(1000, 'l'.repeat(1024)) })
  await refuses(() => postJson(0, '/v1/txs', tx.tx), 413, 'TX_TOO_LARGE', /at most 1048576/, [tx.hash])
})

test('a bad query on POST /v1/txs → 400 BAD_REQUEST', async () => {
  const tx = makeTx()
  await refuses(() => postJson(0, '/v1/txs?wait=forever', tx.tx), 400, 'BAD_REQUEST', /querystring\/wait/, [tx.hash])
  await refuses(() => postJson(0, '/v1/txs?timeoutMs=-1', tx.tx), 400, 'BAD_REQUEST', /querystring\/timeoutMs/, [tx.hash])
})

test('nothing any refused tx carried is stored, on any node', async () => {
  await new Promise((r) => setTimeout(r, 300)) // several block intervals
  for (let i = 0; i < 4; i++) {
    assert.equal(await chainCounts(i), baseline, `node ${i} moved`)
    for (const h of refusedHashes) assert.is((await get(i, `/v1/txs/${h}`)).status, 404, `node ${i} has ${h}`)
  }
  assert.ok(refusedHashes.size >= 12, `checked ${refusedHashes.size} hashes`)
})

// ---- replay protection ----

test('a committed tx submitted again → 409 DUPLICATE_TX, on the same and on another node', async () => {
  assertError(await postJson(0, '/v1/txs', seed.tx.tx), 409, 'DUPLICATE_TX', /already on chain/)
  assertError(await postJson(2, '/v1/txs?wait=commit', seed.tx.tx), 409, 'DUPLICATE_TX', /already on chain/)
  assert.equal(await chainCounts(), baseline)
})

test('the same tx submitted while pending → 409 DUPLICATE_TX; it is stored once', async () => {
  const tx = makeTx()
  const replies = await Promise.all(Array.from({ length: 4 }, () => postJson(0, '/v1/txs', tx.tx)))
  const accepted = replies.filter((r) => r.status === 202)
  assert.is(accepted.length, 1, replies.map((r) => `${r.status} ${r.text}`).join('\n'))
  const dups = replies.filter((r) => r.status !== 202)
  for (const r of dups) assertError(r, 409, 'DUPLICATE_TX', /already (pending|on chain)/)
  assert.ok(dups.some((r) => /already pending/.test(r.json.message)), 'at least one copy met the pending one')
  // on node 1 too: a node one block behind still holds the tx as pending
  for (const i of [0, 1]) await waitFor(`the tx commits on node ${i}`, async () => (await get(i, `/v1/txs/${tx.hash}`)).json?.status === 'committed', 15_000)
  assertError(await postJson(1, '/v1/txs', tx.tx), 409, 'DUPLICATE_TX', /already on chain/)
  const after = await chainCounts()
  assert.is(after.evidence, baseline.evidence + 1, 'one item, stored once')
  baseline = after
})

// ---- GET routes ----

test('evidence by id: bad format → 400, unknown → 404 NOT_FOUND (record and receipt)', async () => {
  for (const id of ['XYZ', seed.id.toUpperCase(), seed.id.slice(1), seed.id + '0']) {
    assertError(await get(0, `/v1/evidence/${id}`), 400, 'BAD_REQUEST', /params\/id must match pattern/)
    assertError(await get(0, `/v1/evidence/${id}/receipt`), 400, 'BAD_REQUEST', /params\/id/)
  }
  const unknown = '0'.repeat(64)
  assertError(await get(0, `/v1/evidence/${unknown}`), 404, 'NOT_FOUND', /evidence 0{64} not found/)
  assertError(await get(0, `/v1/evidence/${unknown}/receipt`), 404, 'NOT_FOUND', /evidence 0{64} not found/)
  assertError(await get(0, `/v1/evidence/${unknown}/receipt`, { accept: 'text/plain' }), 404, 'NOT_FOUND', /not found/)
  assert.is((await get(0, `/v1/evidence/${seed.id}`)).json.record.depositor, 'notary-1')
})

test('evidence by digest: bad algorithm or format → 400; unknown digest → 404 with a clear message', async () => {
  const hex = seed.digest
  for (const q of [`md5:${hex}`, `sha256:${hex.toUpperCase()}`, `sha256:${hex.slice(1)}`, `sha256-${hex}`, hex, '']) {
    assertError(await get(0, `/v1/evidence?digest=${encodeURIComponent(q)}`), 400, 'BAD_REQUEST', /querystring\/digest must match pattern/)
  }
  assertError(await get(0, '/v1/evidence'), 400, 'BAD_REQUEST', /give exactly one of "digest" or "prefix"/)
  assertError(await get(0, `/v1/evidence?digest=sha256:${hex}&prefix=abcd`), 400, 'BAD_REQUEST', /give exactly one of "digest" or "prefix"/)
  assertError(await get(0, '/v1/evidence?prefix=abc'), 400, 'BAD_REQUEST', /querystring\/prefix must match pattern/)
  assert.equal((await get(0, `/v1/evidence?prefix=${seed.id.slice(0, 12)}`)).json.ids, [seed.id])
  assertError(await get(0, `/v1/evidence?digest=sha256:${hex}&limit=0`), 400, 'BAD_REQUEST', /querystring\/limit/)
  assertError(await get(0, `/v1/evidence?digest=sha256:${hex}&color=red`), 400, 'BAD_REQUEST', /"color"/)
  const unknown = toHex(sha256(utf8('never deposited')))
  const r = await get(0, `/v1/evidence?digest=sha256:${unknown}`)
  assertError(r, 404, 'NOT_FOUND', new RegExp(`^no evidence with sha256 digest ${unknown} on this chain$`))
  assertError(await get(0, `/v1/evidence?digest=sm3:${unknown}`), 404, 'NOT_FOUND', /no evidence with sm3 digest/)
  assert.equal((await get(0, `/v1/evidence?digest=sha256:${hex}`)).json.ids, [seed.id])
})

test('blocks and txs: bad format → 400, beyond the head → 404', async () => {
  for (const h of ['abc', '-1', '1.5', '01', '0x10', '99999999999999999']) {
    assertError(await get(0, `/v1/blocks/${h}`), 400, 'BAD_REQUEST', /params\/height must match pattern/)
  }
  const { height } = await chainCounts()
  assertError(await get(0, `/v1/blocks/${height + 1}`), 404, 'NOT_FOUND', new RegExp(`block ${height + 1} not found`))
  assertError(await get(0, '/v1/blocks/9007199254740991'), 404, 'NOT_FOUND', /block 9007199254740991 not found/)
  // 16 digits pass the pattern, but Number() would round this to 10000000000000000.
  assertError(await get(0, '/v1/blocks/9999999999999999'), 400, 'BAD_REQUEST', /params\/height must be at most 9007199254740991/)
  assert.is((await get(0, `/v1/blocks/${height}`)).status, 200)
  assertError(await get(0, `/v1/txs/${seed.tx.hash.toUpperCase()}`), 400, 'BAD_REQUEST', /params\/hash/)
  assertError(await get(0, `/v1/txs/${'f'.repeat(64)}`), 404, 'NOT_FOUND', /tx f{64} not found/)
})

test("a committed tx's receipts in one answer are each the receipt of its item, on every node", async () => {
  const tx = makeTx({ items: digestItems(5, 'batch of five') })
  const r = await postJson(0, '/v1/txs?wait=commit&timeoutMs=20000', tx.tx)
  assert.is(r.status, 200, r.text)
  const ids = await Promise.all(tx.tx.items.map(async (it) => (await get(0, `/v1/evidence?digest=sha256:${it.digests.sha256}`)).json.ids[0] as string))
  for (const i of [0, 3]) {
    const batch = await get(i, `/v1/txs/${tx.hash}/receipts`)
    assert.is(batch.status, 200, batch.text)
    assert.equal([batch.json.hash, batch.json.height, batch.json.index], [tx.hash, r.json.height, r.json.index])
    assert.is(batch.json.receipts.length, 5)
    for (const [k, id] of ids.entries()) assert.equal(batch.json.receipts[k], (await get(i, `/v1/evidence/${id}/receipt`)).json, `item ${k} on node ${i}`)
  }
  assertError(await get(0, `/v1/txs/${'f'.repeat(64)}/receipts`), 404, 'NOT_FOUND', /committed tx f{64} not found/)
  baseline = await chainCounts()
})

test('consistency proofs: from > to, beyond the log, or malformed → 400', async () => {
  assertError(await get(0, '/v1/proof/consistency?from=5&to=2'), 400, 'BAD_REQUEST', /no consistency proof from 5 to 2/)
  assertError(await get(0, '/v1/proof/consistency?from=1&to=1000000'), 400, 'BAD_REQUEST', /the log has \d+ leaves/)
  assertError(await get(0, '/v1/proof/consistency?from=1'), 400, 'BAD_REQUEST', /required property 'to'/)
  assertError(await get(0, '/v1/proof/consistency?from=a&to=2'), 400, 'BAD_REQUEST', /querystring\/from/)
  const ok = await get(0, `/v1/proof/consistency?from=1&to=${baseline.evidence}`)
  assert.is(ok.status, 200, ok.text)
  assert.ok(Array.isArray(ok.json.proof))
})

test('unknown routes and methods → 404 ROUTE_NOT_FOUND', async () => {
  assertError(await get(0, '/v1/nope'), 404, 'ROUTE_NOT_FOUND', /no route GET \/v1\/nope/)
  assertError(await get(0, '/v2/status'), 404, 'ROUTE_NOT_FOUND', /no route GET \/v2\/status/)
  assertError(await postJson(0, '/v1/status', {}), 404, 'ROUTE_NOT_FOUND', /no route POST \/v1\/status/)
  assertError(await send(0, 'DELETE', `/v1/evidence/${seed.id}`), 404, 'ROUTE_NOT_FOUND', /DELETE/)
  assertError(await get(0, '/v1/cases/no-such-case'), 404, 'NOT_FOUND', /case no-such-case has no evidence/)
})

// ---- POST /v1/verify ----

test('verify: both or neither of receipt and id → 400', async () => {
  const receipt = (await get(0, `/v1/evidence/${seed.id}/receipt`)).json
  assertError(await postJson(0, '/v1/verify', {}), 400, 'BAD_REQUEST', /exactly one of "receipt" or "id"/)
  assertError(await postJson(0, '/v1/verify', { digest: `sha256:${seed.digest}` }), 400, 'BAD_REQUEST', /exactly one/)
  assertError(await postJson(0, '/v1/verify', { receipt, id: seed.id }), 400, 'BAD_REQUEST', /exactly one/)
})

test('verify: bad fields → 400; an unknown id → 404', async () => {
  assertError(await postJson(0, '/v1/verify', { id: seed.id, digest: `md5:${seed.digest}` }), 400, 'BAD_REQUEST', /body\/digest/)
  assertError(await postJson(0, '/v1/verify', { id: seed.id, file: 'x' }), 400, 'BAD_REQUEST', /"file"/)
  assertError(await postJson(0, '/v1/verify', { id: seed.id, record: 'yes' }), 400, 'BAD_REQUEST', /body\/record must be boolean/)
  assertError(await postJson(0, '/v1/verify', { receipt: 42 }), 400, 'BAD_REQUEST', /body\/receipt must be object,string/)
  assertError(await postJson(0, '/v1/verify', { id: '0'.repeat(64) }), 404, 'NOT_FOUND', /evidence 0{64} not found/)
})

test('verify: a malformed receipt is a 200 report that fails the "format" check', async () => {
  // The request is well formed; the receipt is what is being examined, so the answer is a
  // report (which a court may record), exactly as the offline verifier gives it.
  for (const receipt of [{ format: 'courtchain.receipt/v0' }, 'not a tlog-proof', { format: 'courtchain.receipt/v1' }]) {
    const r = await postJson(0, '/v1/verify', { receipt })
    assert.is(r.status, 200, r.text)
    assert.is(r.json.verdict, 'fails')
    assert.is(r.json.failed, 'format')
    assert.is(r.json.checks.find((k: { name: string }) => k.name === 'format').ok, false)
  }
})

test('verify: record without a caseNo, or with a caseNo the chain refuses → 400, nothing stored', async () => {
  await refuses(() => postJson(0, '/v1/verify', { id: seed.id, record: true }), 400, 'BAD_REQUEST', /"record" needs a "caseNo"/)
  await refuses(() => postJson(0, '/v1/verify', { id: seed.id, record: false, caseNo: '' }), 400, 'BAD_REQUEST', /body\/caseNo/)
  // Passes the RPC schema (1..128 characters) but not the chain's case-number rule: once this was
  // admitted to the mempool, refused by every peer, and answered 504 after 30 s.
  const t0 = Date.now()
  await refuses(() => postJson(1, '/v1/verify', { id: seed.id, record: true, caseNo: ' (2026) leading space' }), 400, 'BAD_REQUEST', /"caseNo" expected a case number/)
  await refuses(() => postJson(1, '/v1/verify', { id: seed.id, record: true, caseNo: 'line\nbreak' }), 400, 'BAD_REQUEST', /"caseNo"/)
  assert.ok(Date.now() - t0 < 5000, 'refused at once')
  assert.is((await get(1, '/v1/status')).json.mempool, 0)
})

// ---- happy paths ----

test('verify by id with the right digest passes; with a wrong digest fails naming "digest"', async () => {
  const r = await postJson(0, '/v1/verify', { id: seed.id, digest: `sha256:${seed.digest}` })
  assert.is(r.status, 200, r.text)
  assert.is(r.json.verdict, 'passes')
  assert.is(r.json.evidenceId, seed.id)
  assert.is(r.json.record.depositor, 'notary-1')
  assert.ok(r.json.signers.length >= 3, r.text)
  const wrong = await postJson(3, '/v1/verify', { id: seed.id, digest: `sha256:${'1'.repeat(64)}` })
  assert.is(wrong.status, 200, wrong.text)
  assert.is(wrong.json.verdict, 'fails')
  assert.is(wrong.json.failed, 'digest')
})

test('verify with record and a caseNo: the report is recorded and listed under the case', async () => {
  const caseNo = '(2026)京0491民初7号'
  const r = await postJson(0, '/v1/verify', { id: seed.id, digest: `sha256:${seed.digest}`, record: true, caseNo })
  assert.is(r.status, 200, r.text)
  assert.is(r.json.verdict, 'passes')
  assert.is(r.json.caseNo, caseNo)
  const rec = r.json.recorded
  assert.match(rec.evidenceId, /^[0-9a-f]{64}$/)
  assert.is(rec.receipt.format, 'courtchain.receipt/v2')
  const trustRoot = (await get(0, '/v1/trust-root')).json as TrustRoot
  const check = verifyReceipt(rec.receipt, trustRoot, { digest: { alg: 'sha256', hex: rec.reportDigest } })
  assert.ok(check.valid, JSON.stringify(check.checks))
  assert.is(check.record!.depositor, 'court-1')
  assert.is(check.record!.meta!.caseNo, caseNo)
  const view = await get(0, `/v1/cases/${encodeURIComponent(caseNo)}`)
  assert.is(view.status, 200, view.text)
  assert.equal(view.json.verifications.map((v: { id: string }) => v.id), [rec.evidenceId])
  assert.equal(view.json.evidence, [])
  assert.match(view.json.verifications[0].record.meta.label, new RegExp(`^verification:passes:${seed.id}$`))
})

test('/docs/openapi.json is an OpenAPI document listing every route; /docs renders it', async () => {
  const page = await get(0, '/docs')
  assert.is(page.status, 200)
  assert.match(page.type, /^text\/html/)
  const r = await get(0, '/docs/openapi.json')
  assert.is(r.status, 200)
  assert.match(r.json.openapi, /^3\./)
  const paths = r.json.paths as Record<string, Record<string, unknown>>
  const expected: [string, string][] = [
    ['get', '/v1/status'], ['post', '/v1/txs'], ['get', '/v1/txs/{hash}'], ['get', '/v1/blocks/{height}'],
    ['get', '/v1/evidence/{id}'], ['get', '/v1/evidence'], ['get', '/v1/evidence/{id}/receipt'],
    ['get', '/v1/checkpoint'], ['get', '/v1/proof/consistency'], ['get', '/v1/trust-root'], ['post', '/v1/verify'],
    ['get', '/v1/chains'], ['get', '/v1/cases/{caseNo}'], ['get', '/v1/stats'],
    ['get', '/metrics'], ['get', '/healthz'], ['get', '/docs'], ['get', '/docs/openapi.json'],
    ['get', '/v1/txs/{hash}/receipts'], ['post', '/v1/evidence/lookup'],
  ]
  for (const [method, path] of expected) assert.ok(paths[path]?.[method], `${method.toUpperCase()} ${path} missing from /docs`)
  assert.ok((paths['/v1/txs']!['post'] as { requestBody?: unknown }).requestBody, 'POST /v1/txs documents its body')
})

test('/metrics has the commit latency histogram and the committed tx counter', async () => {
  const r = await get(0, '/metrics')
  assert.is(r.status, 200)
  assert.match(r.type, /^text\/plain/)
  assert.match(r.text, /^# TYPE courtchain_commit_latency_seconds histogram$/m)
  assert.match(r.text, /^courtchain_commit_latency_seconds_count \d+/m)
  const committed = /^courtchain_txs_committed_total(?:\{[^}]*\})? (\d+)/m.exec(r.text)
  assert.ok(committed, 'courtchain_txs_committed_total present')
  assert.ok(Number(committed[1]) >= 3, `txs committed: ${committed[1]}`)
})

test('/metrics has the process figures under their usual names: memory, CPU, start time, event-loop delay', async () => {
  const text = (await get(0, '/metrics')).text
  const value = (name: string): number => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
    assert.ok(m, `${name} present`)
    return Number(m[1])
  }
  const rss = value('process_resident_memory_bytes')
  assert.ok(rss > 20 * 2 ** 20 && rss < 64 * 2 ** 30, `rss ${rss}`)
  assert.ok(value('process_peak_resident_memory_bytes') >= rss * 0.5)
  assert.ok(value('nodejs_heap_size_used_bytes') > 0 && value('nodejs_heap_size_used_bytes') <= value('nodejs_heap_size_total_bytes'))
  assert.ok(value('process_cpu_user_seconds_total') > 0)
  assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m)
  const started = value('process_start_time_seconds')
  assert.ok(started > Date.now() / 1000 - 3600 && started <= Date.now() / 1000 + 1, `started ${started}`)
  const p99 = value('nodejs_eventloop_delay_p99_seconds')
  assert.ok(p99 >= 0 && p99 < 60 && value('nodejs_eventloop_delay_max_seconds') >= 0)
})

test('Accept: text/plain on a receipt gives a C2SP tlog-proof that verifies with the trust root', async () => {
  const r = await get(0, `/v1/evidence/${seed.id}/receipt`, { accept: 'text/plain' })
  assert.is(r.status, 200, r.text)
  assert.match(r.type, /^text\/plain/)
  assert.is(r.text.split('\n')[0], 'c2sp.org/tlog-proof@v1')
  const trustRoot = (await get(0, '/v1/trust-root')).json as TrustRoot
  const report = verifyReceipt(r.text, trustRoot, { digest: { alg: 'sha256', hex: seed.digest } })
  assert.ok(report.valid, JSON.stringify(report.checks))
  assert.is(report.evidenceId, seed.id)
  // The same text through the node's /v1/verify.
  const v = await postJson(2, '/v1/verify', { receipt: r.text, digest: `sha256:${seed.digest}` })
  assert.is(v.json.verdict, 'passes', v.text)
})

test('after all of it every node still serves and commits', async () => {
  const tx = makeTx()
  const r = await postJson(3, '/v1/txs?wait=commit&timeoutMs=20000', tx.tx)
  assert.is(r.status, 200, r.text)
  assert.is(r.json.status, 'committed')
  for (let i = 0; i < 4; i++) {
    await waitFor(`node ${i} has the tx`, async () => (await get(i, `/v1/txs/${tx.hash}`)).json?.status === 'committed', 10_000)
    assert.is((await get(i, '/healthz')).status, 200)
  }
})

test.run()
