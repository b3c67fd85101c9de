import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { sha256 } from '../../src/crypto/portable.js'
import {
  EMPTY_ROOT, EvidenceLog, HASHED_BELOW, UPPER_LEVEL, UpperNodes, consistencyProof, hashLeaf, inclusionProof, rootFromLeafHashes,
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
async function build(total: number, store = new MemoryNodes(), upperLevel?: number): Promise<{ log: EvidenceLog; store: MemoryNodes; leaves: Uint8Array[] }> {
  const log = await EvidenceLog.open(store, { size: 0, ...(upperLevel !== undefined && { upperLevel }) })
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

// Per level below the upper levels one node, or its leaves below HASHED_BELOW; twice that at a
// historical size or for a consistency proof (two subtrees per level at most).
const readBound = (upperLevel: number): number =>
  2 ** Math.min(upperLevel, HASHED_BELOW) - 1 + Math.max(0, upperLevel - HASHED_BELOW)

test('a proof is one batched read of a bounded number of stored nodes', async () => {
  const { log, store } = await build(1000)
  const bound = 2 * readBound(UPPER_LEVEL)
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

/** Every root and proof of `log` equals `reference`'s at each size up to `n` (leaves sampled every `stride`). */
async function assertSameProofs(log: EvidenceLog, reference: EvidenceLog, n: number, stride: number, label: string): Promise<void> {
  for (let size = 1; size <= n; size++) {
    assert.is(toHex(await log.rootAt(size)), toHex(await reference.rootAt(size)), `${label}: root at ${size}`)
    for (let i = size % stride; i < size; i += stride) {
      assert.equal(hex(await log.inclusionProof(i, size)), hex(await reference.inclusionProof(i, size)), `${label}: inclusion ${i} in ${size}`)
      assert.equal(hex(await log.consistencyProof(i, size)), hex(await reference.consistencyProof(i, size)), `${label}: consistency ${i} → ${size}`)
    }
  }
}

// 52 is above every level of these logs: nothing in memory but the frontier, every node read.
const NONE_IN_MEMORY = 52

test('the proofs of a run of leaves, read together, equal each proof read alone, in one batched read', async () => {
  const { log, store } = await build(1000)
  for (const [from, count, size] of [[0, 1, 1000], [200, 300, 1000], [990, 10, 1000], [100, 50, 777]] as const) {
    const leaves = Array.from({ length: count }, (_, i) => from + i)
    store.calls = 0
    const together = await log.inclusionProofs(leaves, size)
    assert.ok(store.calls <= 1, `${store.calls} reads`)
    for (const [k, i] of leaves.entries()) assert.equal(hex(together[k]!), hex(await log.inclusionProof(i, size)), `leaf ${i} of ${size}`)
  }
  for (const bad of [[[0, 1000], 1000], [[-1], 10], [[0], 1001]] as const) {
    try { await log.inclusionProofs([...bad[0]], bad[1]); assert.unreachable(JSON.stringify(bad)) } catch (e) { assert.ok(isNodeError(e, 'LOG_BAD_RANGE'), String(e)) }
  }
})

test('proofs with the upper levels in memory equal proofs read from the store, at every upper level', async () => {
  const { store } = await build(300)
  const reference = await EvidenceLog.open(store, { size: 300, upperLevel: NONE_IN_MEMORY })
  for (const upperLevel of [0, 1, 2, 3, 5, 8, 9]) {
    for (const size of [300, 256, 255, 129]) {
      const log = await EvidenceLog.open(store, { size, upperLevel })
      assert.is(toHex(log.root()), toHex(await reference.rootAt(size)), `root at ${size}, upper level ${upperLevel}`)
      await assertSameProofs(log, reference, size, size === 300 ? 7 : 29, `upper level ${upperLevel}, opened at ${size}`)
    }
  }
})

test('upper levels filled by appends equal those loaded from the store', async () => {
  for (const upperLevel of [0, 2, 4]) {
    const { log, store } = await build(300, new MemoryNodes(), upperLevel)
    const reference = await EvidenceLog.open(store, { size: 300, upperLevel: NONE_IN_MEMORY })
    await assertSameProofs(log, reference, 300, 11, `appended, upper level ${upperLevel}`)
    // Reopened part-way (a store holding the first 200 leaves), then appended past 256.
    const part = new MemoryNodes()
    for (const [id, h] of store.nodes) {
      const [level, index] = id.split('/').map(Number) as [number, number]
      if ((index + 1) * 2 ** level <= 200) part.nodes.set(id, h)
    }
    const reopened = await EvidenceLog.open(part, { size: 200, upperLevel })
    assert.is(toHex(reopened.root()), toHex(await reference.rootAt(200)))
    const pending = reopened.append(leafHashes(200, 100))
    part.put(pending.writes)
    reopened.commitAppend(pending)
    await assertSameProofs(reopened, reference, 300, 13, `reopened at 200, upper level ${upperLevel}`)
  }
})

// At a historical size the right edge is not the frontier: its complete subtrees are read too.
test('an inclusion proof reads at most one node (or its leaves) per level below the upper levels, twice that at a historical size', async () => {
  const { store } = await build(1000)
  for (const upperLevel of [0, 3, 4, 6]) {
    const log = await EvidenceLog.open(store, { size: 1000, upperLevel })
    for (const [i, n] of [[0, 1000], [999, 1000], [513, 777], [300, 1000], [7, 8]] as const) {
      store.calls = 0
      store.lastKeys = 0
      await log.inclusionProof(i, n)
      assert.ok(store.calls <= 1)
      assert.ok(store.lastKeys <= (n === 1000 ? 1 : 2) * readBound(upperLevel), `inclusion ${i}/${n}, upper level ${upperLevel}: read ${store.lastKeys} nodes`)
    }
  }
})

test('nodes of the upper levels must arrive in order', () => {
  const upper = new UpperNodes(2)
  upper.add({ level: 1, index: 5, hash: new Uint8Array(32) }) // below the upper levels: ignored
  upper.add({ level: 2, index: 0, hash: new Uint8Array(32) })
  try { upper.add({ level: 2, index: 2, hash: new Uint8Array(32) }); assert.unreachable() } catch (e) {
    assert.ok(isNodeError(e, 'LOG_NODE_ORDER'))
  }
  assert.ok(upper.has(2, 0))
  assert.not.ok(upper.has(2, 1))
  assert.not.ok(upper.has(1, 5))
})

test('a missing stored node is reported, not hashed over', async () => {
  const { store } = await build(16)
  store.nodes.delete('4/0')
  for (const upperLevel of [undefined, 2]) {
    try { await EvidenceLog.open(store, { size: 16, ...(upperLevel !== undefined && { upperLevel }) }); assert.unreachable() } catch (e) {
      assert.ok(isNodeError(e, 'LOG_NODE_MISSING'))
    }
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
