// The node side of pipelining: a block is validated and built on a block in flight (not yet
// committed), with that block's log append, state and txs; then both commit in order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assembleCertificate, blockCheckpointBody } from '../../src/chain/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { Store } from '../../src/store/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { Ledger } from '../../src/node/ledger.js'
import { buildNodeBlock, validateNodeBlock, type NodeBlock } from '../../src/node/consensus-app.js'
import { deposit, genesis, parent0, seeds, state0 } from '../chain/fixture.js'

async function withLedger(fn: (ledger: Ledger) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-pipe-'))
  const store = await Store.open(dir)
  try { await fn(await Ledger.open(store, genesis)) } finally { await store.close(); await rm(dir, { recursive: true, force: true }) }
}

const deps = (ledger: Ledger) => ({ ledger, key: { id: 'court-1', seed: seeds['court-1']!, publicKey: new Uint8Array(32) }, isPending: () => false, verifiedBefore: () => false })
const ref = (b: NodeBlock) => ({ hash: b.hash, height: b.height, time: b.time })
const digest = (n: number): string => toHex(new Uint8Array(32).fill(n))
const certify = (b: NodeBlock): string => {
  const body = utf8(blockCheckpointBody(b.pb))
  return assembleCertificate(b.pb, ['court-1', 'court-2', 'court-3'].map((s) => ({ signer: s, sig: ed25519Sign(seeds[s]!, body) })), state0)
}

/** Builds a block on `parent` (the head or a block in flight), prechecks and validates it. */
async function next(ledger: Ledger, parent: { hash: string; height: number; time: number }, txs = [deposit('notary-1', [digest(parent.height + 1)])]): Promise<{ b: NodeBlock; reason: string | null }> {
  const base = ledger.baseOf(parent.hash)
  assert.ok(base, `a base at ${parent.height}`)
  const b = buildNodeBlock(ledger, base, txs, parent, parent.time + 10)
  await ledger.precheck(b.pb)
  return { b, reason: validateNodeBlock(deps(ledger), b, parent) }
}

test('a block validated on a block in flight commits after it, with the log root it declared', async () => {
  await withLedger(async (ledger) => {
    const one = await next(ledger, parent0)
    assert.is(one.reason, null)
    const two = await next(ledger, ref(one.b))
    assert.is(two.reason, null)
    assert.is(two.b.pb.block.header.logSize, 2, 'placed after block 1\'s evidence')
    await ledger.commit(one.b.pb, certify(one.b))
    await ledger.commit(two.b.pb, certify(two.b))
    assert.is(ledger.head.height, 2)
    assert.is(ledger.head.logRoot, two.b.pb.block.header.logRoot)
    assert.is((await ledger.evidenceAt(1))?.pb.hash, two.b.hash)
  })
})

test('a tx carried by a block in flight is a replay in the block above it', async () => {
  await withLedger(async (ledger) => {
    const tx = deposit('notary-1', [digest(7)])
    const one = await next(ledger, parent0, [tx])
    const two = await next(ledger, ref(one.b), [tx])
    assert.match(two.reason ?? '', /twice/)
  })
})

test('a tx committed after a block\'s precheck is a replay in that block', async () => {
  await withLedger(async (ledger) => {
    const tx = deposit('notary-1', [digest(8)])
    const one = await next(ledger, parent0, [tx])
    const rival = buildNodeBlock(ledger, ledger.baseOf(parent0.hash)!, [tx, deposit('notary-1', [digest(9)])], parent0, parent0.time + 20)
    await ledger.precheck(rival.pb) // before block 1 commits: the store does not have tx yet
    await ledger.commit(one.b.pb, certify(one.b))
    const three = buildNodeBlock(ledger, ledger.baseOf(one.b.hash)!, rival.pb.txs, ref(one.b), one.b.time + 10)
    await ledger.precheck(three.pb)
    assert.match(validateNodeBlock(deps(ledger), three, ref(one.b)) ?? '', /twice/)
  })
})

test('a block on a parent that is neither the head nor validated is refused', async () => {
  await withLedger(async (ledger) => {
    const stranger = { hash: 'ab'.repeat(32), height: 1, time: parent0.time + 5 }
    assert.is(ledger.baseOf(stranger.hash), undefined)
    const one = await next(ledger, parent0)
    const b = { ...one.b, parent: stranger.hash }
    const reason = validateNodeBlock(deps(ledger), b, stranger)
    assert.match(reason ?? '', /neither the committed head \d+ nor a block in flight/, String(reason))
  })
})


test('at commit, the work of drafts built below the new head is dropped; work built on it is kept', async () => {
  await withLedger(async (ledger) => {
    const one = await next(ledger, parent0)
    await next(ledger, parent0, [deposit('notary-1', [digest(40)])]) // a losing draft at height 1
    const two = await next(ledger, ref(one.b)) // built on the block in flight
    assert.is(ledger.cachedWork, 3)
    await ledger.commit(one.b.pb, certify(one.b))
    assert.is(ledger.cachedWork, 1, 'only the work of block 2 is left')
    await ledger.commit(two.b.pb, certify(two.b))
    assert.is(ledger.cachedWork, 0)
  })
})

test.run()
