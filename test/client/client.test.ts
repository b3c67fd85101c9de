// CourtchainClient against a node with the real RPC routes and real chain data (fake-node.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { CourtchainClient, hashFiles, type AlreadyDeposited, type DepositProgress } from '../../src/client/index.js'
import { genesisHash, signTx, type EvidenceItem, type EvidenceRecord } from '../../src/chain/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { verifyReceipt } from '../../src/verify/index.js'
import { NodeError, fromBase64, fromUtf8, toHex, utf8 } from '../../src/util/index.js'
import { sha256 } from '../../src/crypto/index.js'
import { CHAIN_ID, FakeNode, UNIT, seedOf } from './fake-node.js'

const unitKey = { id: UNIT, seed: seedOf(UNIT) }
const digestOf = (s: string): string => toHex(sha256(utf8(s)))
const item = (s: string, label?: string): EvidenceItem => ({ digests: { sha256: digestOf(s) }, ...(label ? { meta: { label } } : {}) })
const recordOf = (leaf: string): EvidenceRecord => JSON.parse(fromUtf8(fromBase64(leaf))) as EvidenceRecord

async function withNode(opts: ConstructorParameters<typeof FakeNode>[0], fn: (node: FakeNode, client: CourtchainClient) => Promise<void>): Promise<void> {
  const node = await new FakeNode(opts).start()
  try { await fn(node, new CourtchainClient({ url: node.url })) } finally { await node.close() }
}

/** Runs `fn`, expecting a NodeError; returns it. */
async function rejects(fn: () => Promise<unknown>): Promise<NodeError> {
  try { await fn() } catch (e) {
    assert.instance(e, NodeError)
    return e as NodeError
  }
  throw new Error('expected a NodeError')
}

test('deposit splits items into txs of at most maxTxItems and returns a verifiable receipt per item, in input order', async () => {
  await withNode({ maxTxItems: 4 }, async (node, client) => {
    const items = Array.from({ length: 10 }, (_, i) => item(`evidence ${i}`, `file-${i}.pdf`))
    const phases = new Set<string>()
    const res = await client.deposit(items, { key: unitKey, caseNo: '2026京0491民初1号', onProgress: (p: DepositProgress) => phases.add(p.phase) })
    assert.is(res.txs.length, 3)
    assert.equal(res.txs.map((t) => t.items), [4, 4, 2])
    assert.is(res.items.length, 10)
    assert.equal([...phases].sort(), ['commit', 'receipt'])
    const trustRoot = await client.trustRoot()
    for (const [i, d] of res.items.entries()) {
      assert.is(d.index, i)
      const rec = recordOf(d.receipt.leaf)
      assert.is(rec.digests.sha256, items[i]!.digests.sha256)
      assert.is(rec.meta?.label, `file-${i}.pdf`)
      assert.is(rec.meta?.caseNo, '2026京0491民初1号')
      assert.is(rec.tx, d.tx)
      assert.is(rec.item, d.itemIndex)
      const report = verifyReceipt(d.receipt, trustRoot, { digest: { alg: 'sha256', hex: items[i]!.digests.sha256 } })
      assert.ok(report.valid, `item ${i}: ${report.failed}`)
      assert.equal(report.signers, ['court-1', 'court-3', 'court-4'])
    }
    assert.ok(res.firstHeight >= 1 && res.lastHeight <= node.height)
  })
})

test('deposit picks the evidence of its own tx and item when several items share a digest', async () => {
  await withNode({ maxTxItems: 3 }, async (_node, client) => {
    // An earlier deposit of the same content must not be mistaken for this one.
    const earlier = await client.deposit([item('same')], { key: unitKey })
    const res = await client.deposit([item('same'), item('other'), item('same'), item('same')], { key: unitKey, batchSize: 2, again: true })
    const ids = res.items.map((d) => d.id)
    assert.is(new Set([...ids, earlier.items[0]!.id]).size, 5)
    for (const d of res.items) {
      const rec = recordOf(d.receipt.leaf)
      assert.equal([rec.tx, rec.item], [d.tx, d.itemIndex])
    }
    assert.equal(res.items.map((d) => d.itemIndex), [0, 1, 0, 1])
  })
})

test('deposit keeps polling GET /v1/txs/:hash when the node answers pending before commit', async () => {
  await withNode({ commitDelayMs: 250, waitCapMs: 20 }, async (node, client) => {
    const res = await client.deposit([item('slow 1'), item('slow 2')], { key: unitKey, verifyReceipts: true })
    assert.is(res.items.length, 2)
    assert.is(node.submitted, 1) // polled, never resubmitted
    assert.ok(res.elapsedMs >= 200)
  })
})

test('deposit hashes files locally and records size, media type and label', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'courtchain-client-'))
  try {
    const a = join(dir, 'contract.pdf')
    const b = join(dir, 'chat.log')
    await writeFile(a, 'contract body')
    await writeFile(b, 'x'.repeat(70_000))
    await withNode({}, async (_node, client) => {
      const res = await client.deposit([{ path: a, label: 'docs/contract.pdf' }, b], { key: unitKey, algs: ['sha256', 'sm3'] })
      const [ra, rb] = res.items.map((d) => recordOf(d.receipt.leaf))
      assert.equal(ra!.meta, { size: 13, mediaType: 'application/pdf', label: 'docs/contract.pdf' })
      assert.equal(rb!.meta, { size: 70_000 })
      assert.is(ra!.digests.sha256, createHash('sha256').update('contract body').digest('hex'))
      assert.is(ra!.digests.sm3, createHash('sm3').update('contract body').digest('hex'))
      assert.is(res.items[1]!.path, b)
    })
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('hashFiles streams each file and reports files and bytes up to the totals', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'courtchain-hash-'))
  try {
    const paths = [join(dir, 'a'), join(dir, 'b'), join(dir, 'c')]
    const contents = ['', 'short', 'y'.repeat(3 << 20)]
    await Promise.all(paths.map((p, i) => writeFile(p, contents[i]!)))
    let last = { files: 0, bytes: 0, filesTotal: 0, bytesTotal: 0 }
    const out = await hashFiles(paths, ['sha256'], (p) => { last = p })
    assert.equal(out.map((h) => h.digests.sha256), contents.map((c) => createHash('sha256').update(c).digest('hex')))
    assert.equal(out.map((h) => h.size), [0, 5, 3 << 20])
    assert.equal([last.files, last.filesTotal, last.bytes, last.bytesTotal], [3, 3, 5 + (3 << 20), 5 + (3 << 20)])
    const missing = await rejects(() => hashFiles([join(dir, 'nope')]))
    assert.is(missing.code, 'FILE_NOT_FOUND')
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('server errors surface as NodeError with the server code and the HTTP status', async () => {
  await withNode({}, async (node, client) => {
    const unsigned = { v: 1 as const, chain: CHAIN_ID, type: 'deposit' as const, from: UNIT, nonce: 7, items: [item('dup')] }
    const genesis = genesisHash(node.genesis)
    const { tx } = signTx(unsigned, genesis, (m) => ed25519Sign(unitKey.seed, m))
    const ok = await client.submitTx(tx, { wait: 'commit', timeoutMs: 5000 })
    assert.is(ok.status, 'committed')
    assert.ok(ok.height! >= 1 && ok.index === 0)
    const dup = await rejects(() => client.submitTx(tx))
    assert.equal([dup.code, dup.type.status], ['DUPLICATE_TX', 409])

    const forged = { ...tx, nonce: 8 } // the signature was over nonce 7
    const bad = await rejects(() => client.submitTx(forged))
    assert.equal([bad.code, bad.type.status], ['TX_BAD_SIGNATURE', 401])

    const strangerSeed = seedOf('stranger')
    const stranger = signTx({ ...unsigned, from: 'stranger' }, genesis, (m) => ed25519Sign(strangerSeed, m)).tx
    const unknown = await rejects(() => client.deposit([item('x')], { key: { id: 'stranger', seed: strangerSeed } }))
    assert.equal([unknown.code, unknown.type.status], ['TX_UNKNOWN_MEMBER', 403])
    assert.match(unknown.message, /stranger/)
    const direct = await rejects(() => client.submitTx(stranger))
    assert.is(direct.code, 'TX_UNKNOWN_MEMBER')

    const verify = await rejects(() => client.verify({ id: '00'.repeat(32) }))
    assert.equal([verify.code, verify.type.status], ['NOT_READY', 503])
  })
})

test('deposit refuses a key that the trust root gives to another member, before signing', async () => {
  await withNode({}, async (node, client) => {
    const e = await rejects(() => client.deposit([item('x')], { key: { id: UNIT, seed: seedOf('court-1') } }))
    assert.is(e.code, 'KEY_MISMATCH')
    const wrongChain = await rejects(() => client.deposit([item('x')], { key: unitKey, chainId: 'other' }))
    assert.is(wrongChain.code, 'WRONG_CHAIN')
    assert.is(node.submitted, 0)
  })
})

test('lookups answer empty or null for unknown digests, txs, blocks and evidence', async () => {
  await withNode({}, async (_node, client) => {
    assert.equal(await client.findEvidence('sha256', digestOf('never deposited')), [])
    assert.is(await client.getTx('ab'.repeat(32)), null)
    assert.is(await client.getBlock(99), null)
    assert.is(await client.getEvidence('cd'.repeat(32)), null)
    assert.is(await client.receipt('cd'.repeat(32)), null)
    assert.is(await client.receiptText('cd'.repeat(32)), null)
    const st = await client.status()
    assert.equal([st.chainId, st.height], [CHAIN_ID, 0])
    assert.is((await rejects(async () => client.getTx('not hex'))).code, 'BAD_HEX')
  })
})

test('an unreachable node is a NODE_UNREACHABLE error naming the URL', async () => {
  const node = await new FakeNode().start()
  const url = node.url
  await node.close()
  const e = await rejects(() => new CourtchainClient({ url, requestTimeoutMs: 2000 }).status())
  assert.is(e.code, 'NODE_UNREACHABLE')
  assert.match(e.message, url)
})

test('a node-located item has the receipt of its block: height, time and tx location agree', async () => {
  await withNode({ maxTxItems: 2 }, async (_node, client) => {
    const res = await client.deposit([item('loc 1'), item('loc 2'), item('loc 3')], { key: unitKey, concurrency: 1 })
    for (const d of res.items) {
      const view = await client.getTx(d.tx)
      assert.is(view?.status, 'committed')
      assert.is(view?.location?.height, d.height)
      const block = await client.getBlock(d.height)
      assert.is(block?.block.header.time, d.time)
      const ev = await client.getEvidence(d.id)
      assert.is(ev?.leafIndex, d.leafIndex)
    }
  })
})

test('deposit fetches the receipts of each tx in one request, not one per item', async () => {
  await withNode({ maxTxItems: 50 }, async (node) => {
    const requests: string[] = []
    const counting = new CourtchainClient({ url: node.url, fetch: (url, init) => { requests.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`); return fetch(url, init) } })
    const res = await counting.deposit(Array.from({ length: 120 }, (_, i) => item(`bulk ${i}`)), { key: unitKey })
    assert.is(res.txs.length, 3)
    assert.is(node.receiptBatches, 3)
    assert.is(requests.filter((r) => r.includes('/receipt')).length, 3, requests.join('\n'))
    assert.is(requests.filter((r) => r.startsWith('GET /v1/evidence')).length, 0, 'no lookup by digest per item')
    // trust root, one duplicate lookup, three submissions, three receipt batches
    assert.is(requests.length, 8, requests.join('\n'))
  })
})

test('deposit refuses digests already on chain, naming the first deposit, unless again', async () => {
  await withNode({ maxTxItems: 10 }, async (_node, client) => {
    const first = await client.deposit([item('once'), item('twice')], { key: unitKey })
    const e = await rejects(() => client.deposit([item('new'), item('twice')], { key: unitKey }))
    assert.is(e.code, 'ALREADY_ON_CHAIN')
    const already = (e.type as unknown as { items: AlreadyDeposited[] }).items
    assert.is(already.length, 1)
    assert.equal([already[0]!.index, already[0]!.id, already[0]!.height, already[0]!.depositor], [1, first.items[1]!.id, first.items[1]!.height, UNIT])
    const again = await client.deposit([item('new'), item('twice')], { key: unitKey, again: true })
    assert.is(again.items.length, 2)
  })
})

test('resolveEvidenceId takes a unique prefix as git does and refuses an ambiguous or unknown one', async () => {
  await withNode({ maxTxItems: 300 }, async (_node, client) => {
    const res = await client.deposit(Array.from({ length: 300 }, (_, i) => item(`prefix ${i}`)), { key: unitKey })
    const ids = res.items.map((d) => d.id)
    const id = ids[0]!
    let n = 4 // the shortest prefix of id that no other id shares
    while (ids.some((x) => x !== id && x.startsWith(id.slice(0, n)))) n++
    assert.is(await client.resolveEvidenceId(id.slice(0, n)), id)
    assert.is(await client.resolveEvidenceId(id.slice(0, n).toUpperCase()), id)
    assert.is(await client.resolveEvidenceId(id), id)
    assert.is((await rejects(() => client.resolveEvidenceId('abc'))).code, 'BAD_EVIDENCE_ID')
    const unknown = ['0000', '1111', 'ffff', 'abcd', '1234'].find((p) => !ids.some((x) => x.startsWith(p)))!
    assert.is((await rejects(() => client.resolveEvidenceId(unknown))).code, 'EVIDENCE_NOT_FOUND')
    // Two ids sharing the prefix: the node lists both, the client refuses to pick.
    const two = new CourtchainClient({ url: 'http://127.0.0.1:9', fetch: async () => new Response(JSON.stringify({ prefix: 'abcd', ids: ['abcd' + '1'.repeat(60), 'abcd' + '2'.repeat(60)] })) })
    const ambiguous = await rejects(() => two.resolveEvidenceId('abcd'))
    assert.is(ambiguous.code, 'AMBIGUOUS_ID')
    assert.match(ambiguous.message, /ambiguous: 2 ids start with it \(abcd1111, abcd2222\); give more digits/)
  })
})

test('a node URL without a scheme is refused with the http:// form suggested', () => {
  for (const url of ['127.0.0.1:8541', 'localhost:8541']) {
    try { new CourtchainClient({ url }); assert.unreachable(url) } catch (e) {
      assert.is((e as NodeError).code, 'BAD_NODE_URL')
      assert.match((e as Error).message, `did you mean http://${url}?`)
    }
  }
})

test.run()
