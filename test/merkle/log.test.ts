import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { sha256 } from '../../src/crypto/portable.js'
import {
  EMPTY_ROOT, EvidenceLog, consistencyProof, hashLeaf, inclusionProof, rootFromLeafHashes,
  verifyConsistency, verifyInclusion, type LogAppend, type LogNodeKey, type LogNodeReader, type LogNodeWrite,
} from '../../src/merkle/index.js'
import { isNodeError, toHex, u64be } from '../../src/util/index.js'

/** An in-memory node store that counts its reads, standing in for the LevelDB bucket. */
class MemoryNodes implements LogNodeReader {
  readonly nodes = new Map<string, Uint8Array>()
  calls = 0
  lastKeys = 0
  async getNodes(keys: LogNodeKey[]): Promise<Uint8Array[]> {
    this.calls++
    this.lastKeys = keys.length
    return keys.map((k) => this.nodes.get(`${k.level}/${k.index}`)!)
  }
  put(writes: LogNodeWrite[]): void {
    for (const w of writes) {
      const id = `${w.level}/${w.index}`
      assert.not.ok(this.nodes.has(id), `node ${id} written twice`)
      this.nodes.set(id, w.hash)
    }
  }
}

const leafHashes = (from: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => hashLeaf(u64be(from + i)))
const hex = (hs: Uint8Array[]): string[] => hs.map(toHex)

/** Appends `total` leaves in irregular batches, persisting each batch before committing it. */
async function build(total: number, store = new MemoryNodes()): Promise<{ log: EvidenceLog; store: MemoryNodes; leaves: Uint8Array[] }> {
  const log = await EvidenceLog.open(store, { size: 0 })
  const leaves: Uint8Array[] = []
  const batchSizes = [1, 3, 2, 7, 1, 1, 16, 5, 0, 31, 4, 9]
  for (let b = 0; leaves.length < total; b++) {
    const n = Math.min(batchSizes[b % batchSizes.length]!, total - leaves.length)
    const batch = leafHashes(leaves.length, n)
    const pending = log.append(batch)
    store.put(pending.writes)
    log.commitAppend(pending)
    leaves.push(...batch)
    assert.is(toHex(log.root()), toHex(rootFromLeafHashes(leaves)))
  }
  return { log, store, leaves }
}

test('empty log has the RFC 6962 empty root and no proofs', async () => {
  const log = await EvidenceLog.open(new MemoryNodes(), { size: 0 })
  assert.is(log.size, 0)
  assert.is(toHex(log.root()), toHex(EMPTY_ROOT))
  assert.is(toHex(await log.rootAt(0)), toHex(EMPTY_ROOT))
})

test('roots, inclusion and consistency proofs match the in-memory tree for every size up to 130', async () => {
  const N = 130
  const { log, leaves } = await build(N)
  for (let size = 1; size <= N; size++) {
    const prefix = leaves.slice(0, size)
    const root = rootFromLeafHashes(prefix)
    assert.is(toHex(await log.rootAt(size)), toHex(root), `root at ${size}`)
    for (let i = 0; i < size; i++) {
      const proof = await log.inclusionProof(i, size)
      assert.equal(hex(proof), hex(inclusionProof(i, prefix)), `inclusion ${i} in ${size}`)
      assert.ok(verifyInclusion(i, size, leaves[i]!, proof, root))
    }
    for (let size1 = 0; size1 <= size; size1++) {
      const proof = await log.consistencyProof(size1, size)
      assert.equal(hex(proof), hex(consistencyProof(size1, prefix)), `consistency ${size1} → ${size}`)
      assert.ok(verifyConsistency(size1, size, proof, rootFromLeafHashes(leaves.slice(0, size1)), root))
    }
  }
})

test('every complete subtree is stored exactly once: 2n − popcount(n) nodes', async () => {
  for (const n of [1, 2, 3, 64, 100, 129]) {
    const { store } = await build(n)
    const popcount = n.toString(2).split('').filter((c) => c === '1').length
    assert.is(store.nodes.size, 2 * n - popcount, `nodes for ${n} leaves`)
  }
})

test('reopening from the stored nodes gives the same root and keeps appending correctly', async () => {
  const { log, store, leaves } = await build(77)
  const reopened = await EvidenceLog.open(store, { size: 77 })
  assert.is(toHex(reopened.root()), toHex(log.root()))
  const more = leafHashes(77, 40)
  const pending = reopened.append(more)
  store.put(pending.writes)
  reopened.commitAppend(pending)
  assert.is(toHex(reopened.root()), toHex(rootFromLeafHashes([...leaves, ...more])))
  // Reopening at an older size (a store rolled back to an older head) is as good.
  const older = await EvidenceLog.open(store, { size: 50 })
  assert.is(toHex(older.root()), toHex(rootFromLeafHashes(leaves.slice(0, 50))))
})

test('append touches neither memory nor storage until commitAppend', async () => {
  const { log, store, leaves } = await build(10)
  const before = toHex(log.root())
  const nodes = store.nodes.size
  const pending = log.append(leafHashes(10, 5))
  assert.is(pending.from, 10)
  assert.is(pending.size, 15)
  assert.is(toHex(pending.root), toHex(rootFromLeafHashes([...leaves, ...leafHashes(10, 5)])))
  assert.is(log.size, 10)
  assert.is(toHex(log.root()), before)
  assert.is(store.nodes.size, nodes)
  // The block failed to persist: dropping `pending` leaves the log exactly as it was.
  const other = log.append(leafHashes(100, 2))
  store.put(other.writes)
  log.commitAppend(other)
  assert.is(toHex(log.root()), toHex(rootFromLeafHashes([...leaves, ...leafHashes(100, 2)])))
})

test('a pending append that no longer starts at the committed size is refused', async () => {
  const { log, store } = await build(8)
  const a = log.append(leafHashes(8, 3))
  const b = log.append(leafHashes(20, 2))
  store.put(a.writes)
  log.commitAppend(a)
  try { log.commitAppend(b); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'LOG_STALE_APPEND')) }
  try { log.commitAppend(a); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'LOG_STALE_APPEND')) }
})

test('an append can chain on a pending append (a block proposed before its parent persists)', async () => {
  const { log, store, leaves } = await build(5)
  const first = log.append(leafHashes(5, 3))
  const second = log.append(leafHashes(8, 6), first)
  assert.is(second.from, 8)
  assert.is(toHex(second.root), toHex(rootFromLeafHashes([...leaves, ...leafHashes(5, 9)])))
  try { log.commitAppend(second); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'LOG_STALE_APPEND')) }
  for (const p of [first, second] as LogAppend[]) { store.put(p.writes); log.commitAppend(p) }
  assert.is(log.size, 14)
  assert.is(toHex(log.root()), toHex(second.root))
})

test('a proof is one batched read of O(log n) complete subtrees', async () => {
  const { log, store } = await build(1000)
  const bound = 2 * Math.ceil(Math.log2(1000)) + 1
  for (const [i, n] of [[0, 1000], [999, 1000], [513, 777], [300, 1000]] as const) {
    store.calls = 0
    await log.inclusionProof(i, n)
    assert.ok(store.calls <= 1)
    assert.ok(store.lastKeys <= bound, `inclusion ${i}/${n} read ${store.lastKeys} nodes`)
  }
  for (const [m, n] of [[1, 1000], [999, 1000], [511, 777], [300, 1000]] as const) {
    store.calls = 0
    await log.consistencyProof(m, n)
    assert.ok(store.calls <= 1)
    assert.ok(store.lastKeys <= bound, `consistency ${m}/${n} read ${store.lastKeys} nodes`)
  }
})

test('a missing stored node is reported, not hashed over', async () => {
  const { store } = await build(16)
  store.nodes.delete('4/0')
  try { await EvidenceLog.open(store, { size: 16 }); assert.unreachable() } catch (e) {
    assert.ok(isNodeError(e, 'LOG_NODE_MISSING'))
  }
})

test('sizes and indexes beyond the log are refused', async () => {
  const { log } = await build(20)
  for (const f of [() => log.rootAt(21), () => log.inclusionProof(20, 20), () => log.inclusionProof(0, 21),
    () => log.consistencyProof(5, 21), () => log.consistencyProof(6, 5), () => log.inclusionProof(-1, 5)]) {
    try { await f(); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'LOG_BAD_RANGE')) }
  }
  try { log.append([sha256(new Uint8Array(1)).slice(1)]); assert.unreachable() } catch (e) {
    assert.ok(isNodeError(e, 'LOG_BAD_LEAF_HASH'))
  }
})

test.run()
