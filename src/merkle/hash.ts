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

/** Leaf hash = SHA-256(0x00 ‖ leaf); `leaf` is the raw leaf input of any length. */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  abytes(leaf, 'leaf')
  const buf = new Uint8Array(1 + leaf.length)
  buf[0] = LEAF_PREFIX
  buf.set(leaf, 1)
  return sha256(buf)
}

/** Interior node hash = SHA-256(0x01 ‖ left ‖ right); children are usually 32-byte hashes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  abytes(left, 'left')
  abytes(right, 'right')
  const buf = new Uint8Array(1 + left.length + right.length)
  buf[0] = NODE_PREFIX
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha256(buf)
}
