// Block sync applies only blocks whose commit certificates a quorum of validators signed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assembleCertificate, blockCheckpointBody, blockEvidence, decodeBlock, hashBlockAhead, makeBlock, parseTx, type PreparedBlock, type PreparedTx } from '../../src/chain/index.js'
import { ed25519Sign, ed25519Verify } from '../../src/crypto/index.js'
import { EvidenceLog } from '../../src/merkle/index.js'
import { Store } from '../../src/store/index.js'
import { AheadHasher, BlockSync, decodeRangeRequest, encodeRangeAnswer, FAR_BEHIND, syncDelayMs } from '../../src/sync/index.js'
import { encodeCbor } from '../../src/codec/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { Ledger } from '../../src/node/ledger.js'
import { deposit, genesis, limits, parent0, seeds, state0 } from '../chain/fixture.js'

const quiet = { info() {}, warn() {}, debug() {} }
const code = async (f: () => Promise<unknown>): Promise<string> => { try { await f(); return 'none' } catch (e) { return (e as { code: string }).code } }

const depositAt = (h: number): PreparedTx[] => [deposit('notary-1', [toHex(new Uint8Array(32).fill(h))])]

/** A chain of `n` blocks of `txsAt(height)` with real certificates, built on an in-memory log. */
async function chainOf(n: number, signers = ['court-1', 'court-2', 'court-3'], txsAt = depositAt): Promise<{ pb: PreparedBlock; cert: string }[]> {
  const nodes = new Map<string, Uint8Array>()
  const log = await EvidenceLog.open({ getNodes: async (keys) => keys.map((k) => nodes.get(`${k.level}/${k.index}`)!) }, { size: 0 })
  const out: { pb: PreparedBlock; cert: string }[] = []
  let parent = parent0
  for (let h = 1; h <= n; h++) {
    const txs = txsAt(h)
    const fields = { chain: 'testchain', height: h, time: parent.time + 10, parent: parent.hash }
    const draft = makeBlock({ ...fields, logSize: 0, logRoot: '00'.repeat(32) }, txs)
    const append = log.append(blockEvidence(draft, log.size).map((e) => e.leafHash))
    for (const w of append.writes) nodes.set(`${w.level}/${w.index}`, w.hash)
    log.commitAppend(append)
    const pb = makeBlock({ ...fields, logSize: append.size, logRoot: toHex(append.root) }, txs)
    const body = utf8(blockCheckpointBody(pb))
    const cert = assembleCertificate(pb, signers.map((s) => ({ signer: s, sig: ed25519Sign(seeds[s]!, body) })), state0)
    out.push({ pb, cert })
    parent = { hash: pb.hash, height: h, time: fields.time }
  }
  return out
}

async function withLedger(fn: (ledger: Ledger, store: Store) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-sync-'))
  const store = await Store.open(dir)
  try { await fn(await Ledger.open(store, genesis), store) } finally { await store.close(); await rm(dir, { recursive: true, force: true }) }
}

function syncFrom(ledger: Ledger, store: Store, blocks: { pb: PreparedBlock; cert: string }[], aheadMinBytes?: number, perAnswer = 256, onRange?: (head: PreparedBlock) => void): BlockSync {
  const transport = {
    async request(_to: string, _name: string, bytes: Uint8Array) {
      const r = decodeRangeRequest(bytes)
      const slice = blocks.filter((b) => b.pb.block.header.height >= r.from && b.pb.block.header.height <= Math.min(r.to, r.from + perAnswer - 1))
      return encodeRangeAnswer({ head: blocks.length, blocks: slice.map((b) => ({ block: b.pb.bytes, certificate: b.cert })) })
    },
  }
  return new BlockSync({ ...limits, maxAnswerBytes: 1 << 24, requestTimeoutMs: 1000, aheadMinBytes }, { transport, ledger, store, verify: ed25519Verify, log: quiet, onRange })
}

test('a validator a block or two behind waits a second before syncing; one far behind, or a member, syncs at once', () => {
  assert.is(syncDelayMs(true, 10, 10), null)
  assert.is(syncDelayMs(true, 10, 9), null)
  assert.is(syncDelayMs(true, 10, 11), 1000)
  assert.is(syncDelayMs(true, 10, 10 + FAR_BEHIND), 1000)
  assert.is(syncDelayMs(true, 10, 11 + FAR_BEHIND), 0)
  assert.is(syncDelayMs(true, 0, 1000), 0)
  assert.is(syncDelayMs(false, 10, 11), 0)
  assert.is(syncDelayMs(false, 10, 10), null)
})

test('a node catches up through certified blocks and ends on the same head and log root', async () => {
  const blocks = await chainOf(5)
  await withLedger(async (ledger, store) => {
    const sync = syncFrom(ledger, store, blocks)
    sync.notePeerHead('court-1', 5)
    assert.is(await sync.catchUp(['court-1']), 5)
    assert.is(ledger.head.hash, blocks[4]!.pb.hash)
    assert.is(ledger.head.logRoot, blocks[4]!.pb.block.header.logRoot)
  })
})

test('consensus hears of each range as it is applied, not only when the catch-up ends', async () => {
  const blocks = await chainOf(6)
  await withLedger(async (ledger, store) => {
    const heads: number[] = []
    const sync = syncFrom(ledger, store, blocks, undefined, 2, (head) => {
      assert.is(head.hash, ledger.head.hash)
      heads.push(head.block.header.height)
    })
    sync.notePeerHead('court-1', 6)
    assert.is(await sync.catchUp(['court-1']), 6)
    assert.equal(heads, [2, 4, 6])
  })
})

test('blocks consensus committed while their range was on its way are taken as known, and the range goes on', async () => {
  const blocks = await chainOf(5)
  await withLedger(async (ledger, store) => {
    const warnings: unknown[] = []
    let requests = 0
    const transport = {
      async request(_to: string, _name: string, bytes: Uint8Array) {
        requests++
        const r = decodeRangeRequest(bytes)
        // Consensus commits blocks 1 and 2 before the answer for 1..5 arrives.
        for (const b of blocks.slice(0, 2)) await ledger.commit(b.pb, b.cert)
        const slice = blocks.filter((b) => b.pb.block.header.height >= r.from)
        return encodeRangeAnswer({ head: blocks.length, blocks: slice.map((b) => ({ block: b.pb.bytes, certificate: b.cert })) })
      },
    }
    const log = { ...quiet, warn: (o: unknown) => { warnings.push(o) } }
    const sync = new BlockSync({ ...limits, maxAnswerBytes: 1 << 24, requestTimeoutMs: 1000 }, { transport, ledger, store, verify: ed25519Verify, log })
    sync.notePeerHead('court-1', 5)
    assert.is(await sync.catchUp(['court-1']), 5)
    assert.is(ledger.head.hash, blocks[4]!.pb.hash)
    assert.equal(warnings, [])
    assert.is(requests, 1)
  })
})

test('a block certified by fewer than 2f+1 validators is not applied', async () => {
  const good = await chainOf(3)
  const weak = await chainOf(3, ['court-1', 'court-2'])
  await withLedger(async (ledger, store) => {
    const sync = syncFrom(ledger, store, [good[0]!, weak[1]!, weak[2]!])
    sync.notePeerHead('court-1', 3)
    assert.is(await sync.catchUp(['court-1']), 1)
  })
})

test('a certificate signed by non-validators (units) does not count', async () => {
  const forged = await chainOf(1, ['court-1', 'notary-1', 'copyright-1'])
  await withLedger(async (ledger, store) => {
    const sync = syncFrom(ledger, store, forged)
    sync.notePeerHead('court-1', 1)
    assert.is(await sync.catchUp(['court-1']), 0)
  })
})

test('a peer serving a certified block with a tx signature altered is refused, and the block is fetched from another peer', async () => {
  const blocks = await chainOf(3)
  const honest = blocks[1]!
  const tx = honest.pb.txs[0]!
  // Another signature over the same tx header: the header, its certificate and the tx hash stay.
  const altered = encodeCbor({ header: honest.pb.block.header, txs: [{ ...tx.tx, sig: toHex(ed25519Sign(seeds['copyright-1']!, tx.signingBytes)) }] })
  await withLedger(async (ledger, store) => {
    const served: string[] = []
    const warned: string[] = []
    const transport = {
      async request(to: string, _name: string, bytes: Uint8Array) {
        served.push(to)
        const r = decodeRangeRequest(bytes)
        const slice = blocks.filter((b) => b.pb.block.header.height >= r.from && b.pb.block.header.height <= r.to)
        return encodeRangeAnswer({ head: blocks.length, blocks: slice.map((b) => ({ block: to === 'court-1' && b === honest ? altered : b.pb.bytes, certificate: b.cert })) })
      },
    }
    const log = { ...quiet, warn: (o: unknown) => { warned.push((o as { peer: string }).peer) } }
    const sync = new BlockSync({ ...limits, maxAnswerBytes: 1 << 24, requestTimeoutMs: 1000 }, { transport, ledger, store, verify: ed25519Verify, log })
    sync.notePeerHead('court-1', 3)
    sync.notePeerHead('court-2', 3)
    assert.is(await sync.catchUp(['court-1', 'court-2']), 3)
    assert.equal(served, ['court-1', 'court-2'])
    assert.equal(warned, ['court-1'])
    assert.is((await ledger.block(2))!.pb.block.txs[0]!.sig, tx.tx.sig, 'the signature the validators certified')
    assert.is(ledger.head.hash, blocks[2]!.pb.hash)
  })
})

test('a certified block carrying a tx whose signature does not verify is not applied (the certificate alone is not enough)', async () => {
  const forged = (h: number): PreparedTx[] => {
    const t = depositAt(h)[0]!
    return [parseTx({ ...t.tx, sig: toHex(ed25519Sign(seeds['copyright-1']!, t.signingBytes)) }, limits)]
  }
  const blocks = await chainOf(1, undefined, forged)
  await withLedger(async (ledger, store) => {
    const sync = syncFrom(ledger, store, blocks)
    sync.notePeerHead('court-1', 1)
    assert.is(await sync.catchUp(['court-1']), 0)
    assert.is(await store.getBlock(1), undefined)
  })
})

test('the hashing thread gives each block the hashes hashing inline gives, null for one that does not decode; it is not started near the head or for a small range', async () => {
  const blocks = (await chainOf(3)).map((b) => b.pb.bytes)
  const failures: Error[] = []
  const hasher = new AheadHasher(limits, (e) => failures.push(e), 0)
  try {
    const got = await Promise.all(hasher.hash([...blocks, Uint8Array.of(1, 2, 3)], true))
    assert.equal(got.slice(0, 3), blocks.map((b) => hashBlockAhead(b, limits)))
    assert.is(got[3], null)
    hasher.stop() // a later range starts a new thread
    assert.equal(await Promise.all(hasher.hash(blocks.slice(0, 1), true)), [hashBlockAhead(blocks[0]!, limits)])
  } finally { hasher.stop() }
  // Not started for a node near the head, nor for a small range.
  assert.equal(await Promise.all(hasher.hash(blocks, false)), [null, null, null])
  const small = new AheadHasher(limits, (e) => failures.push(e), 1 << 30)
  assert.equal(await Promise.all(small.hash(blocks, true)), [null, null, null])
  assert.equal(failures, [])
})

test('a node catches up with the hashing thread on (ranges of 2 blocks, more to follow), to the same head and log root', async () => {
  const blocks = await chainOf(6)
  await withLedger(async (ledger, store) => {
    const sync = syncFrom(ledger, store, blocks, 0, 2)
    sync.notePeerHead('court-1', 6)
    assert.is(await sync.catchUp(['court-1']), 6)
    assert.is(ledger.head.hash, blocks[5]!.pb.hash)
    assert.is(ledger.head.logRoot, blocks[5]!.pb.block.header.logRoot)
  })
})

test('a wrong evidence leaf hash found ahead fails the commit (the log root), and nothing is stored', async () => {
  const [b1] = await chainOf(1)
  await withLedger(async (ledger, store) => {
    const ahead = hashBlockAhead(b1!.pb.bytes, limits)
    const wrong = ahead.evidenceLeafHashes.slice()
    wrong[0]! ^= 1
    assert.is(await code(() => ledger.commit(decodeBlock(b1!.pb.bytes, limits, undefined, { ...ahead, evidenceLeafHashes: wrong }), b1!.cert)), 'BLOCK_BAD_LOG')
    assert.is(ledger.head.height, 0)
    assert.is(await store.getBlock(1), undefined)
    await ledger.commit(decodeBlock(b1!.pb.bytes, limits, undefined, ahead), b1!.cert)
    assert.is(ledger.head.hash, b1!.pb.hash)
  })
})

test.run()
