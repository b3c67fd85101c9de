// RFC 9162 §2.1 over an in-memory list of leaf hashes: the items tree of a tx, the tx root of a
// block, and the reference the proof verifiers and the persistent log are tested against.
import { NodeError } from '../util/index.js'
import { EMPTY_ROOT, hashChildren } from './hash.js'
import { checkHashList, checkSize } from './check.js'

/**
 * The levels of the tree, leaves first: levels[j][i] is the root of leaves [i·2^j, min((i+1)·2^j, n)).
 * An odd last node is carried up unchanged, which yields exactly the RFC 9162 §2.1.1 split at
 * the largest power of two below n. Precondition: `hashes` are 32-byte leaf hashes, n ≥ 1.
 */
export function treeLevels(hashes: Uint8Array[]): Uint8Array[][] {
  checkHashList(hashes, 'hashes')
  if (hashes.length === 0) throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'hashes' }, '"hashes" expected at least 1 leaf hash, got 0')
  const levels: Uint8Array[][] = [hashes.slice()]
  let level = levels[0]!
  while (level.length > 1) {
    const next: Uint8Array[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hashChildren(level[i]!, level[i + 1]!))
    if (level.length % 2 === 1) next.push(level[level.length - 1]!)
    levels.push(next)
    level = next
  }
  return levels
}

/** MTH(D[n]) of RFC 9162 §2.1.1 over 32-byte leaf hashes; the empty list gives EMPTY_ROOT. */
export function rootFromLeafHashes(hashes: Uint8Array[]): Uint8Array {
  checkHashList(hashes, 'hashes')
  if (hashes.length === 0) return EMPTY_ROOT.slice()
  const levels = treeLevels(hashes)
  return levels[levels.length - 1]![0]!.slice()
}

/** PATH(index, D[n]) of RFC 9162 §2.1.3.1 from precomputed levels: siblings from the leaf up. */
export function inclusionProofFromLevels(index: number, levels: Uint8Array[][]): Uint8Array[] {
  const size = levels[0]?.length ?? 0
  checkSize(index, 'index')
  if (index >= size) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'index', expected: `< ${size}`, actual: index },
      `"index" expected < ${size}, got ${index}`)
  }
  const proof: Uint8Array[] = []
  let i = index
  for (let j = 0; j < levels.length - 1; j++) {
    const sibling = i ^ 1 // safe: level indices stay below 2^31 for any in-memory list
    // A node without a sibling is carried up as is, so it contributes no proof element.
    if (sibling < levels[j]!.length) proof.push(levels[j]![sibling]!)
    i >>>= 1
  }
  return proof
}

/** Inclusion proof of leaf `index` in the tree of `hashes` (RFC 9162 §2.1.3.1); index < n. */
export function inclusionProof(index: number, hashes: Uint8Array[]): Uint8Array[] {
  return inclusionProofFromLevels(index, treeLevels(hashes))
}

/** Root of leaves [lo, hi) read from the levels where the range is a node, else recomputed. */
function subtreeRoot(levels: Uint8Array[][], lo: number, hi: number): Uint8Array {
  const n = levels[0]!.length
  const width = hi - lo
  let j = 0
  while (2 ** j < width) j++
  const span = 2 ** j
  if (lo % span === 0 && (width === span || hi === n)) return levels[j]![lo / span]!
  const k = largestPowerOfTwoBelow(width)
  return hashChildren(subtreeRoot(levels, lo, lo + k), subtreeRoot(levels, lo + k, hi))
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * PROOF(size1, D[n]) of RFC 9162 §2.1.4.1: a consistency proof from the first `size1` leaves
 * to all of `hashes`. 0 < size1 < n gives the proof; size1 = n and size1 = 0 give [].
 */
export function consistencyProof(size1: number, hashes: Uint8Array[]): Uint8Array[] {
  checkSize(size1, 'size1')
  checkHashList(hashes, 'hashes')
  if (size1 > hashes.length) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'size1', expected: `<= ${hashes.length}`, actual: size1 },
      `"size1" expected <= ${hashes.length}, got ${size1}`)
  }
  if (size1 === 0 || size1 === hashes.length) return []
  const levels = treeLevels(hashes)
  const proof: Uint8Array[] = []
  // SUBPROOF(m, D[lo:hi], b), unrolled: descend towards the boundary at leaf m.
  let lo = 0
  let hi = hashes.length
  let m = size1
  let complete = true // b: whether the subtree [lo, lo+m) is the old tree itself
  const tail: Uint8Array[] = []
  while (m !== hi - lo) {
    const k = largestPowerOfTwoBelow(hi - lo)
    if (m <= k) {
      tail.push(subtreeRoot(levels, lo + k, hi))
      hi = lo + k
    } else {
      tail.push(subtreeRoot(levels, lo, lo + k))
      lo += k
      m -= k
      complete = false
    }
  }
  if (!complete) proof.push(subtreeRoot(levels, lo, hi))
  // SUBPROOF appends on the way back up, so the deepest element comes first.
  for (let i = tail.length - 1; i >= 0; i--) proof.push(tail[i]!)
  return proof
}
