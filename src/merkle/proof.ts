// Proof verification after transparency-dev/merkle proof/verify.go: compute the root from the
// proof, then compare it. Policy (same as transparency-dev): exact proof lengths, index < size,
// size1 = size2 needs an empty proof and equal roots, size1 = 0 needs an empty proof.
//
// Error convention: `rootFromInclusionProof` throws NodeError MERKLE_BAD_PROOF for a proof that
// cannot belong to the stated tree (index ≥ size, wrong number or length of hashes), since it
// has no root to return. `verifyInclusion` and `verifyConsistency` return false for every bad
// proof, root or size, structural or not. All functions throw MERKLE_BAD_INPUT on misuse: a size
// that is not a safe unsigned integer, or a hash that is not a Uint8Array.
import { NodeError, equalBytes } from '../util/index.js'
import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './hash.js'
import { checkHash, checkHashList, checkSize } from './check.js'

// Sizes go up to 2^53 − 1, beyond 32-bit bit operations, so the bit arithmetic runs on bigint.
function bitLength(x: bigint): number {
  let n = 0
  while (x > 0n) { x >>= 1n; n++ }
  return n
}
function onesCount(x: bigint): number {
  let n = 0
  while (x > 0n) { n += Number(x & 1n); x >>= 1n }
  return n
}
function trailingZeros(x: bigint): number {
  let n = 0
  while (x > 0n && (x & 1n) === 0n) { x >>= 1n; n++ }
  return n
}

/** Splits an inclusion proof of `index` in a tree of `size` into inner and right-border parts. */
function decompInclProof(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n))
  return { inner, border: onesCount(index >> BigInt(inner)) }
}

function chainInner(seed: Uint8Array, proof: Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? hashChildren(seed, h) : hashChildren(h, seed)
  })
  return seed
}
function chainInnerRight(seed: Uint8Array, proof: Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) seed = hashChildren(h, seed)
  })
  return seed
}
function chainBorderRight(seed: Uint8Array, proof: Uint8Array[]): Uint8Array {
  for (const h of proof) seed = hashChildren(h, seed)
  return seed
}

function badProof(data: Record<string, unknown>, message: string): NodeError {
  return new NodeError({ code: 'MERKLE_BAD_PROOF', ...data }, message)
}

/** All hashes must be HASH_SIZE bytes; a proof element of another length is a bad proof, not misuse. */
function checkProofHashes(proof: Uint8Array[]): void {
  proof.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw badProof({ field: `proof[${i}]`, expected: HASH_SIZE, actual: h.length }, `"proof[${i}]" expected ${HASH_SIZE} bytes, got ${h.length}`)
    }
  })
}

/**
 * The root implied by an inclusion proof of `leafHash` at `index` in a tree of `size` leaves
 * (RFC 9162 §2.1.3.2). Throws MERKLE_BAD_PROOF when the proof cannot fit that tree.
 */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: Uint8Array[]): Uint8Array {
  checkSize(index, 'index')
  checkSize(size, 'size')
  checkHash(leafHash, 'leafHash', false)
  checkHashList(proof, 'proof', false)
  if (index >= size) throw badProof({ field: 'index', expected: `< ${size}`, actual: index }, `"index" expected < ${size}, got ${index}`)
  if (leafHash.length !== HASH_SIZE) {
    throw badProof({ field: 'leafHash', expected: HASH_SIZE, actual: leafHash.length }, `"leafHash" expected ${HASH_SIZE} bytes, got ${leafHash.length}`)
  }
  const idx = BigInt(index)
  const { inner, border } = decompInclProof(idx, BigInt(size))
  if (proof.length !== inner + border) {
    throw badProof({ field: 'proof', expected: inner + border, actual: proof.length }, `"proof" expected ${inner + border} hashes, got ${proof.length}`)
  }
  checkProofHashes(proof)
  const res = chainInner(leafHash, proof.slice(0, inner), idx)
  return chainBorderRight(res, proof.slice(inner))
}

/** True when `proof` shows `leafHash` at `index` in the tree of `size` leaves with `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean {
  checkHash(root, 'root', false)
  let computed: Uint8Array
  try {
    computed = rootFromInclusionProof(index, size, leafHash, proof)
  } catch (e) {
    if (e instanceof NodeError && e.code === 'MERKLE_BAD_PROOF') return false
    throw e
  }
  return root.length === HASH_SIZE && equalBytes(computed, root)
}

/**
 * True when `proof` shows the tree (`size1`, `root1`) is a prefix of (`size2`, `root2`)
 * (RFC 9162 §2.1.4.2, in transparency-dev's formulation).
 */
export function verifyConsistency(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  checkSize(size1, 'size1')
  checkSize(size2, 'size2')
  checkHashList(proof, 'proof', false)
  checkHash(root1, 'root1', false)
  checkHash(root2, 'root2', false)
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false
  if (proof.some((h) => h.length !== HASH_SIZE)) return false
  if (size2 < size1) return false
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2)
  // The empty tree is a prefix of every tree; we also insist root1 is the empty root.
  if (size1 === 0) return proof.length === 0 && equalBytes(root1, EMPTY_ROOT)
  if (proof.length === 0) return false

  const s1 = BigInt(size1)
  let { inner, border } = decompInclProof(s1 - 1n, BigInt(size2))
  const shift = trailingZeros(s1)
  inner -= shift // shift < inner since size1 < size2

  // The proof starts with the root of the subtree of size 2^shift, unless that is the old tree.
  let seed = proof[0]!
  let start = 1
  if (s1 === 1n << BigInt(shift)) { seed = root1; start = 0 }
  if (proof.length !== start + inner + border) return false
  const rest = proof.slice(start)
  // Now rest is a suffix of the inclusion proof of leaf size1−1 in the tree of size2.
  const mask = (s1 - 1n) >> BigInt(shift)
  const hash1 = chainBorderRight(chainInnerRight(seed, rest.slice(0, inner), mask), rest.slice(inner))
  if (!equalBytes(hash1, root1)) return false
  const hash2 = chainBorderRight(chainInner(seed, rest.slice(0, inner), mask), rest.slice(inner))
  return equalBytes(hash2, root2)
}
