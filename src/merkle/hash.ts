// RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with domain separation: leaves are prefixed 0x00,
// interior nodes 0x01, so no leaf can be passed off as an interior node (second preimage).
import { sha256 } from '../crypto/portable.js'
import { abytes } from '../util/index.js'

/** Size in bytes of every Merkle hash (SHA-256). */
export const HASH_SIZE = 32

/** Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0))

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01

// One scratch buffer for the prefixed input: hashing is synchronous, and allocating a fresh
// array per hash cost more than the hash itself (Merkle nodes and leaves are hashed per item).
let scratch = new Uint8Array(1024)
function prefixed(prefix: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const n = 1 + a.length + (b?.length ?? 0)
  if (n > scratch.length && n <= 65536) scratch = new Uint8Array(65536)
  const buf = n <= scratch.length ? scratch : new Uint8Array(n) // a rare big leaf gets its own
  buf[0] = prefix
  buf.set(a, 1)
  if (b) buf.set(b, 1 + a.length)
  return buf.subarray(0, n)
}

/** Leaf hash = SHA-256(0x00 ‖ leaf); `leaf` is the raw leaf input of any length. */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  abytes(leaf, 'leaf')
  return sha256(prefixed(LEAF_PREFIX, leaf))
}

/** Interior node hash = SHA-256(0x01 ‖ left ‖ right); children are usually 32-byte hashes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  abytes(left, 'left')
  abytes(right, 'right')
  return sha256(prefixed(NODE_PREFIX, left, right))
}
