// The chain's single evidence log (docs/formats.md "Evidence record"): an RFC 6962 tree whose
// complete (perfect) subtrees are persisted once, when they complete, through an injected store.
// In memory: the right edge (the frontier, one hash per set bit of the size) and the upper levels
// of the tree (upper.ts). Every RFC 6962 proof node is MTH(D[a:b]) with `a` aligned to the
// smallest power of two ≥ b−a, so it is either one complete subtree or the right-fold of the
// complete subtrees of b−a's binary digits (RFC 6962 §2.1): any proof, for any historical size,
// costs one batched read of its stored nodes below the upper levels, those below HASHED_BELOW
// hashed from their leaves rather than read. Portable: no storage library is imported here.
import { NodeError, assert, equalBytes } from '../util/index.js'
import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './hash.js'
import { UpperNodes, checked } from './upper.js'
import type { LogNodeKey, LogNodeReader, LogNodeWrite } from './nodes.js'

/** Default lowest level kept in memory: 2^10 leaves per node, ~64 KiB per million leaves. */
export const UPPER_LEVEL = 10

/**
 * Stored nodes of levels 1 … HASHED_BELOW−1 are not read but hashed from their leaves (≤ 15
 * hashes per inclusion proof). Each level is its own key range in the store (keys.ts), so a
 * random proof reading one node per level touched one page in each of ~10 ranges; the 15 leaves
 * it hashes instead share a page or two of the leaf range. Levels 1–3 hold 7/8 of the nodes above
 * the leaves, whose table pages a run of random proofs would otherwise map into the process.
 */
export const HASHED_BELOW = 4

/**
 * Most nodes read synchronously at once (an inclusion proof reads ≤ 21 at the default levels, one
 * at a historical size ≤ 42); more go through getNodes. Bounds how long the event loop waits when
 * the pages are not cached.
 */
const SYNC_READ_MAX = 64

/**
 * The outcome of `append`, not yet applied: the caller persists `writes` in the block's atomic
 * batch, then calls `commitAppend` with it. A block that fails to persist is simply dropped.
 */
export interface LogAppend {
  /** Log size this append starts from. */
  readonly from: number
  readonly size: number
  readonly root: Uint8Array
  readonly writes: LogNodeWrite[]
  /** @internal the frontier after the append, applied by commitAppend. */
  readonly frontier: readonly Uint8Array[]
}

/** Largest power of two strictly less than n (n ≥ 2), RFC 6962 §2.1 split point. */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** The complete subtrees of [start, start+count), largest first; `start` must be aligned. */
export function completeSubtrees(start: number, count: number): LogNodeKey[] {
  const out: LogNodeKey[] = []
  let pos = start
  let width = 1
  while (width * 2 <= count) width *= 2
  for (let level = Math.log2(width); width >= 1; width /= 2, level--) {
    if (Math.floor(count / width) % 2 === 1) {
      assert(pos % width === 0, `subtree at ${pos} not aligned to ${width}`)
      out.push({ level, index: pos / width })
      pos += width
    }
  }
  return out
}

/** MTH of consecutive complete subtrees (largest first): right fold, RFC 6962 §2.1. */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT
  let h = hashes[hashes.length - 1]!
  for (let i = hashes.length - 2; i >= 0; i--) h = hashChildren(hashes[i]!, h)
  return h
}

/** A range [start, start+count) of leaves whose RFC 6962 MTH a proof needs. */
interface Span {
  start: number
  count: number
}

/** PATH(m, D[0:n]) as spans, leaf to root (RFC 6962 §2.1.1). */
function inclusionSpans(m: number, n: number): Span[] {
  const spans: Span[] = []
  let start = 0
  while (n > 1) {
    const k = splitPoint(n)
    if (m < k) { spans.push({ start: start + k, count: n - k }); n = k } else {
      spans.push({ start, count: k }); m -= k; start += k; n -= k
    }
  }
  return spans.reverse()
}

/** PROOF(m, D[0:n]) = SUBPROOF(m, D[n], true) as spans, in proof order (RFC 6962 §2.1.2). */
function consistencySpans(m: number, n: number): Span[] {
  const spans: Span[] = []
  let start = 0
  let whole = true
  while (m !== n) {
    const k = splitPoint(n)
    if (m <= k) { spans.push({ start: start + k, count: n - k }); n = k } else {
      spans.push({ start, count: k }); m -= k; start += k; n -= k; whole = false
    }
  }
  // SUBPROOF(m, D[m], b): the old tree's root is itself a proof node unless it is the whole old tree.
  if (!whole) spans.push({ start, count: n })
  return spans.reverse()
}

const keyId = (k: LogNodeKey): string => `${k.level}/${k.index}`

/** The persistent append-only evidence log; see the file comment for the storage model. */
export class EvidenceLog {
  /** The frontier by node id: proofs read these from memory, not from the store. */
  private frontierById = new Map<string, Uint8Array>()

  private constructor(
    private readonly reader: LogNodeReader,
    private readonly upper: UpperNodes,
    private frontierHashes: readonly Uint8Array[],
    private currentSize: number,
    private currentRoot: Uint8Array,
  ) {
    this.indexFrontier()
  }

  /**
   * Opens the log at `size` leaves: loads the nodes at level ≥ `upperLevel` (default UPPER_LEVEL)
   * into memory and rebuilds the frontier from the store.
   */
  static async open(reader: LogNodeReader, opts: { size: number; upperLevel?: number }): Promise<EvidenceLog> {
    const { size } = opts
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new NodeError({ code: 'LOG_BAD_SIZE', size }, `log size must be a safe unsigned integer, got ${size}`)
    }
    const upper = await UpperNodes.load(reader, opts.upperLevel ?? UPPER_LEVEL, size)
    const frontierKeys = completeSubtrees(0, size)
    const stored = await readNodes(reader, frontierKeys.filter((k) => !upper.has(k.level, k.index)))
    const frontier = frontierKeys.map((k) => (upper.has(k.level, k.index) ? upper.get(k.level, k.index) : stored.shift()!))
    return new EvidenceLog(reader, upper, frontier, size, foldRight(frontier))
  }

  /** Number of committed leaves. */
  get size(): number {
    return this.currentSize
  }

  /** Root of the committed tree (EMPTY_ROOT when empty). */
  root(): Uint8Array {
    return this.currentRoot
  }

  /**
   * Computes the append of `leafHashes` (32 bytes each) on top of the committed log, or on top of
   * `after` (a pending append, for a block proposed before its parent is persisted). Touches neither
   * memory nor storage: the node writes come back for the caller's batch.
   */
  append(leafHashes: readonly Uint8Array[], after?: LogAppend): LogAppend {
    if (after !== undefined && (after.size < this.currentSize ||
        (after.size === this.currentSize && !equalBytes(after.root, this.currentRoot)))) {
      throw new NodeError({ code: 'LOG_STALE_APPEND', after: after.size, size: this.currentSize },
        'append is based on a pending append the committed log has moved past')
    }
    let size = after?.size ?? this.currentSize
    const frontier = [...(after?.frontier ?? this.frontierHashes)]
    const writes: LogNodeWrite[] = []
    for (const [i, leaf] of leafHashes.entries()) {
      if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
        throw new NodeError({ code: 'LOG_BAD_LEAF_HASH', item: i }, `leaf hash ${i} expected ${HASH_SIZE} bytes`)
      }
      // A binary counter: each trailing 1-bit of the old size merges two equal subtrees into one
      // that is now complete, so every complete node is written exactly once (≈2 per leaf).
      writes.push({ level: 0, index: size, hash: leaf })
      let h = leaf
      let level = 0
      let idx = size
      while (idx % 2 === 1) {
        h = hashChildren(frontier.pop()!, h)
        level++
        idx = (idx - 1) / 2
        writes.push({ level, index: idx, hash: h })
      }
      frontier.push(h)
      size++
    }
    return { from: after?.size ?? this.currentSize, size, root: foldRight(frontier), writes, frontier }
  }

  /** Applies a pending append once its writes are durable; `pending` must start at the committed size. */
  commitAppend(pending: LogAppend): void {
    if (pending.from !== this.currentSize) {
      throw new NodeError({ code: 'LOG_STALE_APPEND', expected: this.currentSize, actual: pending.from },
        `pending append starts at ${pending.from}, log is at ${this.currentSize}`)
    }
    for (const w of pending.writes) this.upper.add(w)
    this.frontierHashes = pending.frontier
    this.currentSize = pending.size
    this.currentRoot = pending.root
    this.indexFrontier()
  }

  private indexFrontier(): void {
    const keys = completeSubtrees(0, this.currentSize)
    this.frontierById = new Map(keys.map((k, i) => [keyId(k), this.frontierHashes[i]!]))
  }

  /** Root of the tree of the first `treeSize` leaves (0 ≤ treeSize ≤ size). */
  async rootAt(treeSize: number): Promise<Uint8Array> {
    this.checkSize(treeSize, 'treeSize')
    if (treeSize === this.currentSize) return this.currentRoot
    return (await this.spanHashes([{ start: 0, count: treeSize }]))[0]!
  }

  /** RFC 6962 §2.1.1 audit path for `leafIndex` in the tree of `treeSize` leaves, leaf to root. */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    this.checkSize(treeSize, 'treeSize')
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
      throw new NodeError({ code: 'LOG_BAD_RANGE', leafIndex, treeSize }, `leaf ${leafIndex} is not in a tree of ${treeSize}`)
    }
    return this.spanHashes(inclusionSpans(leafIndex, treeSize))
  }

  /**
   * The audit paths of several leaves in one tree (a tx's items sit side by side, so their paths
   * share most nodes): each node read once, in one batch.
   */
  async inclusionProofs(leafIndexes: number[], treeSize: number): Promise<Uint8Array[][]> {
    this.checkSize(treeSize, 'treeSize')
    for (const leafIndex of leafIndexes) {
      if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
        throw new NodeError({ code: 'LOG_BAD_RANGE', leafIndex, treeSize }, `leaf ${leafIndex} is not in a tree of ${treeSize}`)
      }
    }
    const spans = leafIndexes.map((i) => inclusionSpans(i, treeSize))
    const hashes = await this.spanHashes(spans.flat())
    let at = 0
    return spans.map((s) => hashes.slice(at, (at += s.length)))
  }

  /** RFC 6962 §2.1.2 consistency proof from size1 to size2 (0 < size1 ≤ size2 ≤ size; empty when equal). */
  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    this.checkSize(size2, 'size2')
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new NodeError({ code: 'LOG_BAD_RANGE', size1, size2 }, `no consistency proof from ${size1} to ${size2}`)
    }
    // The empty tree is consistent with every tree and needs no nodes (RFC 9162 §2.1.4).
    if (size1 === 0 || size1 === size2) return []
    return this.spanHashes(consistencySpans(size1, size2))
  }

  private checkSize(n: number, label: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.currentSize) {
      throw new NodeError({ code: 'LOG_BAD_RANGE', [label]: n, size: this.currentSize },
        `"${label}" ${n} is beyond the log size ${this.currentSize}`)
    }
  }

  /** A complete subtree's hash if it is in memory (frontier or upper levels). */
  private held(k: LogNodeKey): Uint8Array | undefined {
    if (this.upper.has(k.level, k.index)) return this.upper.get(k.level, k.index)
    return this.frontierById.get(keyId(k))
  }

  /**
   * MTH of each span: held nodes from memory, the rest in one deduplicated batched read. Held
   * nodes are taken before the read: a commit meanwhile may merge a frontier node away.
   */
  private async spanHashes(spans: readonly Span[]): Promise<Uint8Array[]> {
    const parts = spans.map((s) => completeSubtrees(s.start, s.count))
    const byId = new Map<string, Uint8Array>()
    const unread = new Map<string, LogNodeKey>()
    const fromLeaves: LogNodeKey[] = []
    const need = (k: LogNodeKey): void => {
      const h = this.held(k)
      if (h !== undefined) byId.set(keyId(k), h)
      else unread.set(keyId(k), k)
    }
    for (const ks of parts) {
      for (const k of ks) {
        if (k.level === 0 || k.level >= HASHED_BELOW || this.held(k) !== undefined) { need(k); continue }
        fromLeaves.push(k)
        const first = k.index * 2 ** k.level
        for (let i = 0; i < 2 ** k.level; i++) need({ level: 0, index: first + i })
      }
    }
    const keys = [...unread.values()]
    const hashes = await readNodes(this.reader, keys)
    for (const [i, k] of keys.entries()) byId.set(keyId(k), hashes[i]!)
    for (const k of fromLeaves) {
      const first = k.index * 2 ** k.level
      const leaves = Array.from({ length: 2 ** k.level }, (_, i) => byId.get(keyId({ level: 0, index: first + i }))!)
      byId.set(keyId(k), perfectRoot(leaves))
    }
    return parts.map((ks) => foldRight(ks.map((k) => byId.get(keyId(k))!)))
  }
}

/** MTH of 2^k leaf hashes: pairs hashed level by level (RFC 6962 §2.1, every split even). */
function perfectRoot(hashes: Uint8Array[]): Uint8Array {
  let level = hashes
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => hashChildren(level[2 * i]!, level[2 * i + 1]!))
  return level[0]!
}

/** Reads complete-subtree hashes, refusing a store that lost or mangled one. */
async function readNodes(reader: LogNodeReader, keys: LogNodeKey[]): Promise<Uint8Array[]> {
  if (keys.length === 0) return []
  const hashes = reader.getNodesSync !== undefined && keys.length <= SYNC_READ_MAX
    ? reader.getNodesSync(keys)
    : await reader.getNodes(keys)
  return keys.map((k, i) => checked(hashes[i], k))
}
