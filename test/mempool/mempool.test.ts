// The mempool's admission rules (src/mempool/mempool.ts), one test per rule: duplicates pending,
// committed or committed while the admission awaited; capacity in txs and in bytes; the
// per-member quota; the sender and state checks; the signature; and how take() picks txs for a
// block (arrival order within the limits; there is no priority or eviction).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { signTx, type ChainState, type Member, type PreparedTx } from '../../src/chain/index.js'
import { encodeCbor } from '../../src/codec/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { Mempool, type MempoolOptions } from '../../src/mempool/index.js'
import { deposit, parent0, seeds, state0 } from '../chain/fixture.js'

const roomy: MempoolOptions = { maxTxs: 100, maxBytes: 1 << 20, maxPerMember: 100 }

function pool(opts: Partial<MempoolOptions> = {}, o: { state?: ChainState; committed?: Set<string> } = {}) {
  const clock = { now: 1_000 }
  const committed = o.committed ?? new Set<string>()
  const mempool = new Mempool({ ...roomy, ...opts }, {
    state: () => o.state ?? state0, isCommitted: async (h) => committed.has(h), now: () => clock.now, nextHeight: () => 1,
  })
  return { mempool, clock, committed, add: (p: PreparedTx) => mempool.add(p, bytesOf(p)) }
}
const bytesOf = (p: PreparedTx): Uint8Array => encodeCbor(p.tx)
const code = (c: string) => (e: unknown): boolean => (e as { code?: string }).code === c
async function refuses(p: Promise<unknown>, c: string): Promise<void> {
  try { await p } catch (e) { assert.is((e as { code?: string }).code, c, (e as Error).message); return }
  assert.unreachable(`expected ${c}`)
}

test('admits a valid tx and counts it, its bytes and its sender', async () => {
  const { mempool, add } = pool()
  const p = deposit()
  await add(p)
  assert.is(mempool.size, 1)
  assert.is(mempool.bytes, bytesOf(p).length)
  assert.ok(mempool.has(p.hash))
  assert.is(mempool.get(p.hash)!.p, p)
})

test('refuses a tx already pending with DUPLICATE_TX', async () => {
  const { add } = pool()
  const p = deposit()
  await add(p)
  await refuses(add(p), 'DUPLICATE_TX')
})

test('admits only one of two concurrent adds of the same tx (the pending check runs again after the awaits)', async () => {
  const { mempool, add } = pool()
  const p = deposit()
  const [a, b] = await Promise.allSettled([add(p), add(p)])
  assert.equal([a.status, b.status].sort(), ['fulfilled', 'rejected'])
  assert.ok(code('DUPLICATE_TX')((a.status === 'rejected' ? a : b as PromiseRejectedResult).reason))
  assert.is(mempool.size, 1)
})

test('refuses a tx already committed with DUPLICATE_TX', async () => {
  const p = deposit()
  const { mempool, add } = pool({}, { committed: new Set([p.hash]) })
  await refuses(add(p), 'DUPLICATE_TX')
  assert.is(mempool.size, 0)
})

test('refuses a tx whose block committed while it was being admitted (remembered by removeCommitted)', async () => {
  const { mempool, add } = pool()
  const p = deposit()
  mempool.removeCommitted([p.hash]) // the store lookup has not seen it yet: isCommitted says false
  await refuses(add(p), 'DUPLICATE_TX')
})

test('refuses beyond maxTxs with MEMPOOL_FULL, and admits again once a tx is removed', async () => {
  const { mempool, add } = pool({ maxTxs: 2 })
  const [a, b, c] = [deposit(), deposit(), deposit()]
  await add(a)
  await add(b)
  await refuses(add(c), 'MEMPOOL_FULL')
  mempool.remove([a.hash])
  await add(c)
  assert.is(mempool.size, 2)
})

test('refuses a tx that would take the pool beyond maxBytes with MEMPOOL_FULL', async () => {
  const a = deposit()
  const { mempool, add } = pool({ maxBytes: bytesOf(a).length + 10 })
  await add(a)
  await refuses(add(deposit()), 'MEMPOOL_FULL')
  mempool.remove([a.hash])
  assert.is(mempool.bytes, 0)
})

test('refuses a member beyond maxPerMember with MEMBER_QUOTA while other members still get in', async () => {
  const { mempool, add } = pool({ maxPerMember: 2 })
  const [a, b] = [deposit('notary-1'), deposit('notary-1')]
  await add(a)
  await add(b)
  await refuses(add(deposit('notary-1')), 'MEMBER_QUOTA')
  await add(deposit('copyright-1'))
  mempool.removeCommitted([a.hash])
  await add(deposit('notary-1'))
  assert.is(mempool.size, 3)
})

test('refuses a sender that is not a member with TX_UNKNOWN_MEMBER', async () => {
  const { add } = pool()
  const p = signTx({ v: 1, chain: 'testchain', type: 'deposit', from: 'ghost-1', nonce: 1, items: [{ digests: { sha256: 'aa'.repeat(32) } }] }, parent0.hash, (m) => ed25519Sign(seeds['notary-1']!, m))
  await refuses(add(p), 'TX_UNKNOWN_MEMBER')
})

test('refuses a retired member with TX_MEMBER_RETIRED', async () => {
  const members = new Map<string, Member>(state0.members)
  members.set('notary-1', { ...members.get('notary-1')!, active: false })
  const { add } = pool({}, { state: { ...state0, members } })
  await refuses(add(deposit('notary-1')), 'TX_MEMBER_RETIRED')
})

test('refuses a tx type the sender\'s role may not send with TX_FORBIDDEN (a unit sending "verify")', async () => {
  const { add } = pool()
  await refuses(add(deposit('notary-1', ['bb'.repeat(32)], { type: 'verify' })), 'TX_FORBIDDEN')
})

test('refuses a tx that cannot apply to the current state (a vote on no open proposal)', async () => {
  const { add } = pool()
  const vote = signTx({ v: 1, chain: 'testchain', type: 'gov', from: 'court-1', nonce: 7, items: [{ op: 'vote', proposal: '0123456789abcdef-0' }] }, parent0.hash, (m) => ed25519Sign(seeds['court-1']!, m))
  await refuses(add(vote), 'TX_FORBIDDEN')
})

test('refuses a signature that does not verify with the sender\'s key with TX_BAD_SIGNATURE', async () => {
  const { mempool, add } = pool()
  const p = deposit()
  const forged = { ...p, tx: { ...p.tx, sig: deposit().tx.sig } }
  await refuses(add(forged), 'TX_BAD_SIGNATURE')
  assert.is(mempool.size, 0)
})

test('take() returns pending txs in arrival order, skipping excluded ones', async () => {
  const { mempool, add } = pool()
  const txs = [deposit(), deposit(), deposit(), deposit()]
  for (const p of txs) await add(p)
  assert.equal(mempool.take({ maxTxs: 10, maxBytes: 1 << 20 }).map((t) => t.p.hash), txs.map((p) => p.hash))
  assert.equal(mempool.take({ maxTxs: 10, maxBytes: 1 << 20 }, (h) => h === txs[1]!.hash).map((t) => t.p.hash), [txs[0], txs[2], txs[3]].map((p) => p!.hash))
})

test('take() stops at maxTxs and at the first tx that would pass maxBytes (no reordering to fill a block)', async () => {
  const { mempool, add } = pool()
  const small = deposit('notary-1', ['01'.repeat(32)])
  const big = deposit('notary-1', Array.from({ length: 20 }, (_, i) => (i + 16).toString(16).repeat(32)))
  const after = deposit('notary-1', ['02'.repeat(32)])
  for (const p of [small, big, after]) await add(p)
  assert.equal(mempool.take({ maxTxs: 2, maxBytes: 1 << 20 }).map((t) => t.p.hash), [small.hash, big.hash])
  const room = bytesOf(small).length + bytesOf(after).length
  assert.equal(mempool.take({ maxTxs: 10, maxBytes: room }).map((t) => t.p.hash), [small.hash])
})

test('take() bounds the items of a block, but always takes the first tx even if it alone is over', async () => {
  const { mempool, add } = pool()
  const three = deposit('notary-1', ['03'.repeat(32), '04'.repeat(32), '05'.repeat(32)])
  const one = deposit('notary-1', ['06'.repeat(32)])
  await add(three)
  await add(one)
  assert.equal(mempool.take({ maxTxs: 10, maxBytes: 1 << 20, maxItems: 2 }).map((t) => t.p.hash), [three.hash])
  assert.equal(mempool.take({ maxTxs: 10, maxBytes: 1 << 20, maxItems: 4 }).map((t) => t.p.hash), [three.hash, one.hash])
})

test('known() finds a pending tx by its exact CBOR bytes only', async () => {
  const { mempool, add } = pool()
  const p = deposit()
  await add(p)
  assert.is(mempool.known(bytesOf(p)), p)
  assert.is(mempool.known(bytesOf(deposit())), undefined)
  mempool.remove([p.hash])
  assert.is(mempool.known(bytesOf(p)), undefined)
})

test('oldestAgeMs() is the age of the oldest pending tx (what request timers read)', async () => {
  const { mempool, clock, add } = pool()
  assert.is(mempool.oldestAgeMs(), 0)
  const first = deposit()
  await add(first)
  clock.now += 300
  await add(deposit())
  clock.now += 200
  assert.is(mempool.oldestAgeMs(), 500)
  mempool.removeCommitted([first.hash])
  assert.is(mempool.oldestAgeMs(), 200)
})

test.run()
