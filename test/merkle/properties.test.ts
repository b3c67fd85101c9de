// Properties over sizes 1..70: every generated proof verifies, and any flipped bit in a proof
// element, the leaf hash or a root makes it fail.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MerkleFrontier, consistencyProof, hashLeaf, inclusionProof, rootFromLeafHashes, treeLevels, inclusionProofFromLevels, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js'
import { u64be } from '../../src/util/index.js'

const MAX = 70
const leaves = Array.from({ length: MAX }, (_, i) => hashLeaf(u64be(i)))
const roots = Array.from({ length: MAX + 1 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)))

/** A copy of `b` with bit `bit` (mod its length in bits) flipped. */
function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice()
  const k = bit % (c.length * 8)
  c[k >> 3] ^= 1 << (k & 7)
  return c
}

test('the frontier root equals the list root for every size 0..70', () => {
  const f = new MerkleFrontier()
  assert.equal(f.root(), roots[0])
  for (let n = 1; n <= MAX; n++) {
    f.append(leaves[n - 1]!)
    assert.equal(f.root(), roots[n], `size ${n}`)
  }
})

test('every inclusion proof for sizes 1..70 verifies; a flipped bit anywhere fails', () => {
  let bit = 0
  for (let n = 1; n <= MAX; n++) {
    const levels = treeLevels(leaves.slice(0, n))
    for (let i = 0; i < n; i++) {
      const proof = inclusionProofFromLevels(i, levels)
      assert.equal(proof, inclusionProof(i, leaves.slice(0, n)))
      assert.ok(verifyInclusion(i, n, leaves[i]!, proof, roots[n]!), `leaf ${i} of ${n}`)
      for (let k = 0; k < proof.length; k++) {
        const bad = proof.slice()
        bad[k] = flip(bad[k]!, bit++)
        assert.not.ok(verifyInclusion(i, n, leaves[i]!, bad, roots[n]!), `leaf ${i} of ${n}, proof[${k}] flipped`)
      }
      assert.not.ok(verifyInclusion(i, n, flip(leaves[i]!, bit++), proof, roots[n]!))
      assert.not.ok(verifyInclusion(i, n, leaves[i]!, proof, flip(roots[n]!, bit++)))
      if (n > 1) assert.not.ok(verifyInclusion((i + 1) % n, n, leaves[i]!, proof, roots[n]!), `leaf ${i} of ${n} at wrong index`)
    }
  }
})

test('every inclusion proof fails when a bit is flipped at each of the 256 positions (size 13)', () => {
  const hashes = leaves.slice(0, 13)
  for (const i of [0, 6, 12]) {
    const proof = inclusionProof(i, hashes)
    for (let k = 0; k < proof.length; k++) {
      for (let bit = 0; bit < 256; bit++) {
        const bad = proof.slice()
        bad[k] = flip(bad[k]!, bit)
        assert.not.ok(verifyInclusion(i, 13, hashes[i]!, bad, roots[13]!))
      }
    }
  }
})

test('every consistency proof for 1 <= size1 <= size2 <= 70 verifies; a flipped bit anywhere fails', () => {
  let bit = 0
  for (let n = 1; n <= MAX; n++) {
    const hashes = leaves.slice(0, n)
    for (let m = 1; m <= n; m++) {
      const proof = consistencyProof(m, hashes)
      assert.ok(verifyConsistency(m, n, proof, roots[m]!, roots[n]!), `${m} -> ${n}`)
      for (let k = 0; k < proof.length; k++) {
        const bad = proof.slice()
        bad[k] = flip(bad[k]!, bit++)
        assert.not.ok(verifyConsistency(m, n, bad, roots[m]!, roots[n]!), `${m} -> ${n}, proof[${k}] flipped`)
      }
      assert.not.ok(verifyConsistency(m, n, proof, flip(roots[m]!, bit++), roots[n]!))
      assert.not.ok(verifyConsistency(m, n, proof, roots[m]!, flip(roots[n]!, bit++)))
      if (proof.length > 0) assert.not.ok(verifyConsistency(m, n, proof.slice(1), roots[m]!, roots[n]!))
    }
  }
})

test.run()
