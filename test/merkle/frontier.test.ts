// The frontier's O(log n) state: one node per set bit of size, and a strict byte encoding.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EMPTY_ROOT, MerkleFrontier, hashLeaf, rootFromLeafHashes } from '../../src/merkle/index.js'
import { u64be } from '../../src/util/index.js'

const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(u64be(i)))

test('state holds one subtree root per set bit of size', () => {
  const f = new MerkleFrontier()
  for (let n = 1; n <= 40; n++) {
    f.append(leaves[n - 1]!)
    assert.is(f.nodes.length, n.toString(2).split('').filter((c) => c === '1').length)
    assert.is(f.size, n)
  }
  // Size 40 = 32 + 8: the largest subtree first is the root of the first 32 leaves.
  assert.equal(f.nodes[0], rootFromLeafHashes(leaves.slice(0, 32)))
  assert.equal(f.nodes[1], rootFromLeafHashes(leaves.slice(32, 40)))
})

test('toBytes/fromBytes round trips, and the restored frontier keeps appending correctly', () => {
  const f = new MerkleFrontier()
  for (let n = 0; n < 23; n++) f.append(leaves[n]!)
  const bytes = f.toBytes()
  assert.is(bytes.length, 8 + 4 * 32) // 23 = 0b10111
  const g = MerkleFrontier.fromBytes(bytes)
  assert.equal(g.root(), f.root())
  for (let n = 23; n < 40; n++) g.append(leaves[n]!)
  assert.equal(g.root(), rootFromLeafHashes(leaves))
  assert.equal(MerkleFrontier.fromBytes(new MerkleFrontier().toBytes()).root(), EMPTY_ROOT)
})

test('fromBytes rejects a truncated, extended or unsafe encoding', () => {
  const f = new MerkleFrontier()
  for (let n = 0; n < 5; n++) f.append(leaves[n]!)
  const bytes = f.toBytes()
  const isBad = (e: any): boolean => e.code === 'MERKLE_BAD_INPUT'
  assert.throws(() => MerkleFrontier.fromBytes(bytes.slice(0, -1)), isBad)
  assert.throws(() => MerkleFrontier.fromBytes(new Uint8Array([...bytes, 0])), isBad)
  assert.throws(() => MerkleFrontier.fromBytes(new Uint8Array(7)), isBad)
  assert.throws(() => MerkleFrontier.fromBytes(new Uint8Array(8).fill(255)), isBad)
})

test('clone is independent, and append rejects a hash that is not 32 bytes', () => {
  const f = new MerkleFrontier()
  f.append(leaves[0]!)
  const g = f.clone()
  g.append(leaves[1]!)
  assert.is(f.size, 1)
  assert.equal(f.root(), leaves[0])
  assert.throws(() => f.append(new Uint8Array(33)), (e: any) => e.code === 'MERKLE_BAD_INPUT')
  assert.throws(() => new MerkleFrontier(3, [leaves[0]!]), (e: any) => e.code === 'MERKLE_BAD_INPUT')
})

test.run()
