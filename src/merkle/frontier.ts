// The right frontier ("compact range" [0, size)) of an append-only RFC 6962 tree: one root per
// set bit of `size`, largest subtree first. Appending and the root cost O(log n) hashes, so the
// persistent log keeps only this in memory and serializes it with each committed block.
import { NodeError, concatBytes, readU64be, u64be } from '../util/index.js'
import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './hash.js'
import { checkHash, checkSize } from './check.js'

function popCount(n: number): number {
  let c = 0
  for (; n > 0; n = Math.floor(n / 2)) c += n % 2
  return c
}

/** Append-only RFC 6962 tree state in O(log n) hashes: append, root, size, toBytes/fromBytes. */
export class MerkleFrontier {
  #size: number
  #nodes: Uint8Array[]

  /** A frontier of `size` leaves from its subtree roots, largest first; defaults to the empty tree. */
  constructor(size = 0, nodes: Uint8Array[] = []) {
    checkSize(size, 'size')
    if (!Array.isArray(nodes) || nodes.length !== popCount(size)) {
      throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'nodes', expected: popCount(size), actual: Array.isArray(nodes) ? nodes.length : -1 },
        `"nodes" expected ${popCount(size)} hashes for size ${size}`)
    }
    nodes.forEach((h, i) => checkHash(h, `nodes[${i}]`))
    this.#size = size
    this.#nodes = nodes.map((h) => h.slice())
  }

  /** Number of leaves appended so far. */
  get size(): number { return this.#size }

  /** Copies of the subtree roots, largest subtree first (one per set bit of size). */
  get nodes(): Uint8Array[] { return this.#nodes.map((h) => h.slice()) }

  /** Appends one 32-byte leaf hash; returns the new size. */
  append(leafHash: Uint8Array): number {
    checkHash(leafHash, 'leafHash')
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'size' }, 'tree size at its limit')
    // Each trailing 1-bit of size is a full subtree that merges with the new one.
    let h: Uint8Array = leafHash.slice()
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) h = hashChildren(this.#nodes.pop()!, h)
    this.#nodes.push(h)
    return ++this.#size
  }

  /** MTH of the leaves so far (RFC 9162 §2.1.1): the subtree roots folded right to left. */
  root(): Uint8Array {
    if (this.#nodes.length === 0) return EMPTY_ROOT.slice()
    let r = this.#nodes[this.#nodes.length - 1]!
    for (let i = this.#nodes.length - 2; i >= 0; i--) r = hashChildren(this.#nodes[i]!, r)
    return r.slice()
  }

  /** An independent copy. */
  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.#nodes)
  }

  /** Serialized state: u64be(size) ‖ subtree roots, largest first. */
  toBytes(): Uint8Array {
    return concatBytes(u64be(this.#size), ...this.#nodes)
  }

  /** Strict inverse of toBytes: the length must match popcount(size) hashes exactly. */
  static fromBytes(bytes: Uint8Array): MerkleFrontier {
    checkHash(bytes, 'bytes', false)
    if (bytes.length < 8) {
      throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'bytes', expected: '>= 8', actual: bytes.length }, `"bytes" expected at least 8 bytes, got ${bytes.length}`)
    }
    let size: number
    try { size = readU64be(bytes, 0) } catch {
      throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'size' }, '"size" beyond the safe integer range')
    }
    const want = 8 + popCount(size) * HASH_SIZE
    if (bytes.length !== want) {
      throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: 'bytes', expected: want, actual: bytes.length }, `"bytes" expected ${want} bytes for size ${size}, got ${bytes.length}`)
    }
    const nodes: Uint8Array[] = []
    for (let o = 8; o < bytes.length; o += HASH_SIZE) nodes.push(bytes.slice(o, o + HASH_SIZE))
    return new MerkleFrontier(size, nodes)
  }
}
