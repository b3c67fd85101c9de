// A signature is checked with the sender's key as it stands where the tx executes: a tx the
// mempool admitted under a key that governance rotated away meanwhile is not proposed, and a
// block that carries it anyway is refused.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assembleCertificate, blockCheckpointBody, type PreparedTx } from '../../src/chain/index.js'
import { encodeCbor } from '../../src/codec/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { Mempool, defaultMempoolOptions } from '../../src/mempool/index.js'
import { Store } from '../../src/store/index.js'
import { utf8 } from '../../src/util/index.js'
import { Ledger } from '../../src/node/ledger.js'
import { buildNodeBlock, validateNodeBlock, type NodeBlock } from '../../src/node/consensus-app.js'
import { deposit, genesis, parent0, seeds, state0 } from '../chain/fixture.js'
import { keyOf, propose, vote } from '../gov/helpers.js'

async function withLedger(fn: (ledger: Ledger) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-rotate-'))
  const store = await Store.open(dir)
  try { await fn(await Ledger.open(store, genesis)) } finally { await store.close(); await rm(dir, { recursive: true, force: true }) }
}

const certify = (b: NodeBlock): string => {
  const body = utf8(blockCheckpointBody(b.pb))
  return assembleCertificate(b.pb, ['court-1', 'court-2', 'court-3'].map((s) => ({ signer: s, sig: ed25519Sign(seeds[s]!, body) })), state0)
}

/** A mempool over `ledger` that admitted one deposit of notary-1 (its signature verified under today's key). */
async function admitted(ledger: Ledger): Promise<{ mempool: Mempool; tx: PreparedTx }> {
  const mempool = new Mempool(defaultMempoolOptions, {
    state: () => ledger.state, isCommitted: (h) => ledger.isCommitted(h), now: () => Date.now(), nextHeight: () => ledger.head.height + 1,
  })
  const tx = deposit('notary-1')
  await mempool.add(tx, encodeCbor(tx.tx))
  return { mempool, tx }
}

/** Builds the next block of `txs` on the head and commits it with a quorum certificate. */
async function commitNext(ledger: Ledger, txs: PreparedTx[]): Promise<void> {
  const head = { hash: ledger.head.hash, height: ledger.head.height, time: ledger.head.time }
  const b = buildNodeBlock(ledger, ledger.baseOf(head.hash)!, txs, head, head.time + 10)
  await ledger.commit(b.pb, certify(b))
}

test('a tx admitted before its sender\'s key was rotated is dropped by the block builder, and refused in a proposal', async () => {
  await withLedger(async (ledger) => {
    const { mempool, tx } = await admitted(ledger)
    // Governance rotates notary-1's key while the tx waits: proposed, then approved by 3 of 4 courts.
    const rotate = propose('court-1', { type: 'rotateKey', id: 'notary-1', publicKey: keyOf(new Uint8Array(32).fill(99)) })
    await commitNext(ledger, [rotate])
    await commitNext(ledger, [vote('court-2', `${rotate.hash.slice(0, 16)}-0`), vote('court-3', `${rotate.hash.slice(0, 16)}-0`)])
    assert.is.not(ledger.state.members.get('notary-1')!.publicKey, state0.members.get('notary-1')!.publicKey, 'rotated')
    assert.ok(mempool.has(tx.hash), 'still pending')

    const verifiedBefore = (signedHash: string, publicKey: string): boolean => mempool.verifiedWith(signedHash, publicKey)
    const base = ledger.baseOf(ledger.head.hash)!
    const { valid, invalid } = await ledger.selectForBlock([tx], base, verifiedBefore)
    assert.equal(valid, [], 'not proposed')
    assert.equal(invalid, [tx.hash], 'dropped from the mempool')

    // A primary that proposes it anyway: its block is refused.
    const head = { hash: ledger.head.hash, height: ledger.head.height, time: ledger.head.time }
    const b = buildNodeBlock(ledger, base, [tx], head, head.time + 10)
    await ledger.precheck(b.pb)
    const reason = validateNodeBlock({ ledger, key: { id: 'court-2', seed: seeds['court-2']!, publicKey: new Uint8Array(32) }, isPending: (h) => mempool.has(h), verifiedBefore }, b, head)
    assert.match(reason ?? 'accepted', /signature of tx .* does not verify with the key of "notary-1"/)
  })
})

test('before any rotation the mempool\'s check stands: the builder proposes the tx without verifying it again', async () => {
  await withLedger(async (ledger) => {
    const { mempool, tx } = await admitted(ledger)
    let asked = 0
    const verifiedBefore = (signedHash: string, publicKey: string): boolean => { asked++; return mempool.verifiedWith(signedHash, publicKey) }
    const { valid } = await ledger.selectForBlock([tx], ledger.baseOf(parent0.hash)!, verifiedBefore)
    assert.equal(valid.map((t) => t.hash), [tx.hash])
    assert.is(asked, 1)
  })
})

test.run()
