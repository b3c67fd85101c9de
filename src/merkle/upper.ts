// The upper levels of the evidence log's tree, kept in memory: every complete subtree at level ≥
// `fromLevel`, packed 32 bytes per node, one growable array per level. They are ~2·n/2^fromLevel
// nodes (64 KiB per million leaves at level 10), and they bound what a proof reads from the store
// to its nodes below `fromLevel`, whatever the log's size: without them a random inclusion proof
// at 10M leaves read ~23 nodes, each in a different part of the store.
import { NodeError } from '../util/index.js'
import { HASH_SIZE } from './hash.js'
import type { LogNodeKey, LogNodeReader, LogNodeWrite } from './nodes.js'

/** How many nodes one load asks the store for at a time. */
const LOAD_CHUNK = 4096

/** Complete subtrees at level ≥ fromLevel; at level ℓ they are exactly indices 0 … ⌊size/2^ℓ⌋−1. */
export class UpperNodes {
  /** levels[ℓ − fromLevel]: packed hashes of nodes 0 … counts[ℓ − fromLevel]−1. */
  private readonly levels: Uint8Array[] = []
  private readonly counts: number[] = []

  constructor(readonly fromLevel: number) {
    if (!Number.isSafeInteger(fromLevel) || fromLevel < 0 || fromLevel > 52) {
      throw new NodeError({ code: 'LOG_BAD_LEVEL', fromLevel }, `upper level must be 0..52, got ${fromLevel}`)
    }
  }

  /** Reads every complete subtree at level ≥ fromLevel of a log of `size` leaves (chunked getNodes). */
  static async load(reader: LogNodeReader, fromLevel: number, size: number): Promise<UpperNodes> {
    const upper = new UpperNodes(fromLevel)
    for (let level = fromLevel; Math.floor(size / 2 ** level) > 0; level++) {
      const count = Math.floor(size / 2 ** level)
      for (let start = 0; start < count; start += LOAD_CHUNK) {
        const keys: LogNodeKey[] = []
        for (let index = start; index < Math.min(count, start + LOAD_CHUNK); index++) keys.push({ level, index })
        const hashes = await reader.getNodes(keys)
        for (const [i, k] of keys.entries()) upper.add({ ...k, hash: checked(hashes[i], k) })
      }
    }
    return upper
  }

  /** Whether (level, index) is held here. */
  has(level: number, index: number): boolean {
    return level >= this.fromLevel && index < (this.counts[level - this.fromLevel] ?? 0)
  }

  /** The held node's hash, a copy (proofs hand it out). Precondition: has(level, index). */
  get(level: number, index: number): Uint8Array {
    const at = index * HASH_SIZE
    return this.levels[level - this.fromLevel]!.slice(at, at + HASH_SIZE)
  }

  /** Takes a newly complete node if it is in the upper levels; nodes of a level arrive in index order. */
  add(w: LogNodeWrite): void {
    if (w.level < this.fromLevel) return
    const l = w.level - this.fromLevel
    while (this.levels.length <= l) {
      this.levels.push(new Uint8Array(HASH_SIZE * 16))
      this.counts.push(0)
    }
    const count = this.counts[l]!
    if (w.index !== count) {
      throw new NodeError({ code: 'LOG_NODE_ORDER', level: w.level, expected: count, actual: w.index },
        `log node (${w.level}, ${w.index}) arrived out of order, expected index ${count}`)
    }
    let packed = this.levels[l]!
    if ((count + 1) * HASH_SIZE > packed.length) {
      const grown = new Uint8Array(packed.length * 2)
      grown.set(packed)
      this.levels[l] = packed = grown
    }
    packed.set(w.hash, count * HASH_SIZE)
    this.counts[l] = count + 1
  }
}

/** A stored hash, refusing a store that lost or mangled it. */
export function checked(h: Uint8Array | undefined, k: LogNodeKey): Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new NodeError({ code: 'LOG_NODE_MISSING', level: k.level, index: k.index }, `log node (${k.level}, ${k.index}) is missing from the store`)
  }
  return h
}
