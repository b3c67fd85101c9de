// The node's LevelDB store (docs/architecture.md "Layers": layer 4): blocks, certificates, the tx
// and evidence indexes, the Merkle log's complete subtrees, app state and the consensus WAL, laid
// out as in keys.ts. Each committed block is ONE atomic batch written with fsync, its head pointer
// included, so a kill -9 leaves either the whole block or none of it.
import { unlink } from 'node:fs/promises'
import { Level } from 'level'
import { EvidenceLog, type LogNodeKey, type LogNodeReader } from '../merkle/index.js'
import { NodeError, equalBytes, fromHex, readU64be, toHex } from '../util/index.js'
import {
  BUCKET, STORE_FORMAT, STORE_FORMAT_CHANGES, type DigestAlg, type StoreHead, blockKey, casePrefix, certificateKey, decodeHead,
  blockByLogEndKey, digestPrefix, evidenceIdKey, hash32, logNodeKey, metaKey, prefixEnd, stateKey, trailingIndex, txKey,
  u64, walKey,
} from './keys.js'
import { type CommitBlockInput, type StoreOp, blockOps } from './ops.js'
import { BackupWriter, type BackupHeader } from './backup.js'

type Db = Level<Uint8Array, Uint8Array>

export interface StoreOptions {
  /** LevelDB block cache in bytes (default 8 MiB, LevelDB's own). */
  cacheSize?: number
  /** LevelDB write buffer in bytes; larger helps the bulk path. */
  writeBufferSize?: number
  /** Most table files LevelDB keeps open, each with its index and Bloom filter in memory (default MAX_OPEN_TABLES). */
  maxOpenFiles?: number
}

/**
 * LevelDB memory-maps each open table file, and every page a read touches stays in the process's
 * RSS while the file is open: with LevelDB's default (1,000 files, 2 GB of tables), random
 * inclusion proofs over a large log made RSS grow with every proof. 128 open tables of 2 MiB bound
 * the mapped pages to ~256 MiB, at the price of a random proof reopening a table now and then
 * (bench/README.md, scenario 4, has the figures).
 */
export const MAX_OPEN_TABLES = 128

/** A stored block with its commit certificate, as sync serves it. */
export interface StoredBlock {
  height: number
  block: Uint8Array
  certificate: Uint8Array
}

/** An index hit: the leaf index and the evidence id (hex leaf hash). */
export interface EvidenceRef {
  leafIndex: number
  id: string
}

export interface WalRecord {
  seq: number
  record: Uint8Array
}

/** The node's persistent store; open with `Store.open`, then `close()`. */
export class Store {
  /** The EvidenceLog's view of the store: complete subtrees read with one getMany, or synchronously. */
  readonly logNodes: LogNodeReader
  #head: StoreHead | undefined
  #nextWalSeq: number
  #writes: Promise<unknown> = Promise.resolve()
  #onWriteError: ((e: Error) => void) | null = null

  private constructor(private readonly db: Db, head: StoreHead | undefined, nextWalSeq: number) {
    this.#head = head
    this.#nextWalSeq = nextWalSeq
    this.logNodes = { getNodes: (keys) => this.getNodes(keys), getNodesSync: (keys) => this.getNodesSync(keys) }
  }

  /** Opens (creating if missing) the store in `dir`; refuses a store of another format. */
  static async open(dir: string, opts: StoreOptions = {}): Promise<Store> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, {
      keyEncoding: 'view', valueEncoding: 'view',
      ...(opts.cacheSize !== undefined && { cacheSize: opts.cacheSize }),
      ...(opts.writeBufferSize !== undefined && { writeBufferSize: opts.writeBufferSize }),
      maxOpenFiles: opts.maxOpenFiles ?? MAX_OPEN_TABLES,
    } as ConstructorParameters<typeof Level<Uint8Array, Uint8Array>>[1])
    await db.open()
    try {
      const format = await db.get(metaKey('format'))
      if (format === undefined) {
        await db.put(metaKey('format'), u64(STORE_FORMAT), { sync: true })
      } else if (readU64be(format) !== STORE_FORMAT) {
        throw formatError(dir, readU64be(format))
      }
      const head = await db.get(metaKey('head'))
      let nextWalSeq = 1
      for await (const key of db.keys({ gte: walKey(0), lt: prefixEnd(Uint8Array.of(BUCKET.wal)), reverse: true, limit: 1 })) {
        nextWalSeq = readU64be(key, 1) + 1
      }
      return new Store(db, head === undefined ? undefined : decodeHead(head), nextWalSeq)
    } catch (e) {
      await db.close()
      throw e
    }
  }

  /**
   * Calls `cb` with each failed write (a full or failing disk). LevelDB refuses every later write
   * once an fsync failed, until the database is reopened: the node's health watch needs to know.
   */
  onWriteError(cb: (e: Error) => void): void {
    this.#onWriteError = cb
  }

  /** Waits for pending writes, then closes the database. */
  async close(): Promise<void> {
    await this.#writes.catch(() => undefined)
    await this.db.close()
  }

  /** The last committed block's height, hash and log size/root; undefined before block 1. */
  head(): StoreHead | undefined {
    return this.#head
  }

  /** Opens the persisted evidence log at the head's log size. */
  openEvidenceLog(): Promise<EvidenceLog> {
    return EvidenceLog.open(this.logNodes, { size: this.#head?.logSize ?? 0 })
  }

  /**
   * Persists one committed block atomically and durably (fsync) before resolving; height must
   * be head + 1 (STORE_HEIGHT_GAP). Only then does the in-memory head (and the caller's log) move.
   */
  commitBlock(block: CommitBlockInput, opts: { fsync?: boolean } = {}): Promise<StoreHead> {
    return this.serial(async () => {
      const { ops, head } = blockOps(this.#head, block)
      await this.writeBatch(ops, opts.fsync ?? true)
      this.#head = head
      return head
    })
  }

  /**
   * Bulk path (benchmarks, imports): consecutive blocks through the same layout as commitBlock,
   * in one batch without fsync. A crash may lose the whole batch, never half a block.
   */
  bulkAppendEvidence(blocks: CommitBlockInput[]): Promise<StoreHead | undefined> {
    return this.serial(async () => {
      let head = this.#head
      const ops: StoreOp[] = []
      for (const b of blocks) head = blockOps(head, b, ops).head
      await this.writeBatch(ops, false)
      this.#head = head
      return head
    })
  }

  /** Encoded block at `height`, or undefined. */
  async getBlock(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(blockKey(height))
  }

  /** Commit certificate (signed note bytes) of the block at `height`, or undefined. */
  async getCertificate(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(certificateKey(height))
  }

  /** Blocks from..to (inclusive) with their certificates, stopping after `maxBytes` of blocks. */
  async getBlocks(from: number, to: number, opts: { maxBytes?: number } = {}): Promise<StoredBlock[]> {
    const out: StoredBlock[] = []
    if (to < from) return out
    let bytes = 0
    for await (const [key, block] of this.db.iterator({ gte: blockKey(from), lte: blockKey(to) })) {
      out.push({ height: readU64be(key, 1), block, certificate: new Uint8Array(0) })
      bytes += block.length
      if (opts.maxBytes !== undefined && bytes >= opts.maxBytes) break
    }
    const certs = await this.db.getMany(out.map((b) => certificateKey(b.height)))
    for (const [i, c] of certs.entries()) {
      if (c === undefined) throw corrupt('certificate', { height: out[i]!.height })
      out[i]!.certificate = c
    }
    return out
  }

  /** Where a committed tx is: block height and index in the block. */
  async getTx(hash: Uint8Array | string): Promise<{ height: number; index: number } | undefined> {
    const v = await this.getCoalesced(txKey(hash32(hash, 'hash')))
    if (v === undefined) return undefined
    return { height: readU64be(v, 0), index: new DataView(v.buffer, v.byteOffset + 8, 4).getUint32(0) }
  }

  // Point reads asked for in the same tick go to LevelDB as one getMany: every tx is looked up
  // (the replay check) on admission and again in the block carrying it, and one thread-pool
  // round trip per lookup cost more than the lookups.
  #reads: { key: Uint8Array; done: (v: Uint8Array | undefined) => void; fail: (e: unknown) => void }[] = []
  private getCoalesced(key: Uint8Array): Promise<Uint8Array | undefined> {
    return new Promise((done, fail) => {
      if (this.#reads.push({ key, done, fail }) > 1) return
      setImmediate(() => {
        const batch = this.#reads
        this.#reads = []
        this.db.getMany(batch.map((r) => r.key)).then(
          (vs) => batch.forEach((r, i) => r.done(vs[i])),
          (e) => batch.forEach((r) => r.fail(e)),
        )
      })
    })
  }

  /** The leaf index of the evidence with this id (the leaf hash). */
  async getEvidenceById(id: Uint8Array | string): Promise<{ leafIndex: number } | undefined> {
    const v = await this.db.get(evidenceIdKey(hash32(id, 'id')))
    return v === undefined ? undefined : { leafIndex: readU64be(v) }
  }

  /**
   * Ids of evidence whose hex id starts with `hexPrefix` (lowercase hex, any length), at most
   * `limit`: a range scan over the id index, for the short ids people type.
   */
  async evidenceIdsWithPrefix(hexPrefix: string, limit: number): Promise<string[]> {
    if (!/^[0-9a-f]{0,64}$/.test(hexPrefix)) throw new NodeError({ code: 'BAD_HEX', actual: hexPrefix }, `"prefix" expected lowercase hex, got ${JSON.stringify(hexPrefix)}`)
    // An odd digit count scans the whole byte below it and filters on the last digit.
    const prefix = evidenceIdKey(fromHex(hexPrefix.slice(0, hexPrefix.length - (hexPrefix.length % 2))))
    const out: string[] = []
    for await (const key of this.db.keys({ gte: prefix, lt: prefixEnd(prefix) })) {
      const id = toHex(key.subarray(1))
      if (!id.startsWith(hexPrefix)) continue
      out.push(id)
      if (out.length >= limit) break
    }
    return out
  }

  /** Height of the block that added leaf `leafIndex`, or undefined beyond the log. */
  async blockOfLeaf(leafIndex: number): Promise<number | undefined> {
    for await (const v of this.db.values({ gt: blockByLogEndKey(leafIndex), lt: prefixEnd(Uint8Array.of(BUCKET.blockByLogEnd)), limit: 1 })) return readU64be(v)
    return undefined
  }

  /** Evidence carrying this digest, oldest first, at most `limit`. */
  async findByDigest(alg: DigestAlg, hex: string, limit = 100): Promise<EvidenceRef[]> {
    return this.scanRefs(digestPrefix(alg, fromHex(hex, 'digest', 32)), limit)
  }

  /** Evidence and verification records linked to `caseNo`, oldest first, at most `limit`. */
  async caseEntries(caseNo: string, limit = 1000): Promise<EvidenceRef[]> {
    return this.scanRefs(casePrefix(caseNo), limit)
  }

  /** Application state blob under `key`, or undefined. */
  async getState(key: string): Promise<Uint8Array | undefined> {
    return this.db.get(stateKey(key))
  }

  /** Hashes of complete Merkle subtrees (undefined where absent), one getMany. */
  async getNodes(keys: LogNodeKey[]): Promise<Uint8Array[]> {
    return (await this.db.getMany(keys.map((k) => logNodeKey(k.level, k.index)))) as Uint8Array[]
  }

  /**
   * The same on the calling thread (LevelDB's Get, no thread-pool hop): for the few nodes of a
   * proof, whose table pages are mapped and hot, cheaper than the hop itself.
   */
  getNodesSync(keys: LogNodeKey[]): Uint8Array[] {
    return keys.map((k) => this.db.getSync(logNodeKey(k.level, k.index))) as Uint8Array[]
  }

  /** Appends a consensus WAL record, fsynced before resolving (a vote is on disk before it is sent). */
  async walAppend(record: Uint8Array): Promise<number> {
    const seq = this.#nextWalSeq++
    await this.written(this.db.put(walKey(seq), record, { sync: true }))
    return seq
  }

  /** All WAL records in order. */
  async walLoad(): Promise<WalRecord[]> {
    const out: WalRecord[] = []
    for await (const [key, record] of this.db.iterator({ gte: walKey(0), lt: prefixEnd(Uint8Array.of(BUCKET.wal)) })) {
      out.push({ seq: readU64be(key, 1), record })
    }
    return out
  }

  /** Drops WAL records with seq < belowSeq (after a stable checkpoint). */
  async walTruncate(belowSeq: number): Promise<void> {
    await this.written(this.db.clear({ gte: walKey(0), lt: walKey(belowSeq) }))
  }

  /**
   * Writes every key and value of one snapshot of the store to a new `file` (never replacing one);
   * commits go on meanwhile and are not in it. `about` goes into the header (chain, genesis, node).
   */
  async backup(file: string, about: Record<string, string>): Promise<BackupHeader & { entries: number; bytes: number; sha256: string }> {
    const snapshot = this.db.snapshot()
    try {
      const head = await this.db.get(metaKey('head'), { snapshot })
      const h = head === undefined ? undefined : decodeHead(head)
      const header: BackupHeader = { format: 1, storeFormat: STORE_FORMAT, height: h?.height ?? 0, headHash: h ? toHex(h.hash) : null, createdAt: new Date().toISOString(), about }
      const w = await BackupWriter.create(file, header)
      const it = this.db.iterator({ snapshot })
      try {
        for (let batch = await it.nextv(1000); batch.length > 0; batch = await it.nextv(1000)) {
          for (const [k, v] of batch) await w.entry(k, v)
        }
        return { ...header, ...(await w.finish()) }
      } catch (e) {
        await w.abort()
        await unlink(file).catch(() => undefined)
        throw e
      } finally { await it.close() }
    } finally { await snapshot.close() }
  }

  /**
   * The vote fence of a restored store: null (none), 'unknown' (restored, height not known yet) or
   * the height the committed head must reach before this node votes again (node/fence.ts).
   */
  async voteFence(): Promise<number | 'unknown' | null> {
    const v = await this.db.get(metaKey('voteFence'))
    return v === undefined ? null : v.length === 0 ? 'unknown' : readU64be(v)
  }

  async setVoteFence(fence: number | 'unknown' | null): Promise<void> {
    const key = metaKey('voteFence')
    await this.written(fence === null ? this.db.del(key, { sync: true }) : this.db.put(key, fence === 'unknown' ? new Uint8Array(0) : u64(fence), { sync: true }))
  }

  /**
   * Checks the head invariants a crash must not break: head block and certificate present, no
   * block beyond it, the last leaf indexed, and the log root rebuilt from stored nodes equal to
   * the head's. Throws STORE_CORRUPT.
   */
  async checkConsistency(): Promise<void> {
    const head = this.#head
    const height = head?.height ?? 0
    if (await this.getBlock(height + 1) !== undefined) throw corrupt('block beyond head', { height: height + 1 })
    if (head === undefined) return
    if (await this.getBlock(height) === undefined) throw corrupt('head block', { height })
    if (await this.getCertificate(height) === undefined) throw corrupt('head certificate', { height })
    const log = await this.openEvidenceLog()
    if (!equalBytes(log.root(), head.logRoot)) {
      throw corrupt('log root', { expected: toHex(head.logRoot), actual: toHex(log.root()) })
    }
    if (head.logSize > 0) {
      const last = head.logSize - 1
      const [leafHash] = await this.getNodes([{ level: 0, index: last }])
      const at = await this.getEvidenceById(leafHash!)
      if (at?.leafIndex !== last) throw corrupt('last leaf', { leafIndex: last })
    }
  }

  /** Compacts the whole keyspace (for disk-usage measurements). */
  async compact(): Promise<void> {
    const db = this.db as unknown as { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }
    await db.compactRange(Uint8Array.of(0), Uint8Array.of(0xff))
  }

  private async scanRefs(prefix: Uint8Array, limit: number): Promise<EvidenceRef[]> {
    const indexes: number[] = []
    for await (const key of this.db.keys({ gte: prefix, lt: prefixEnd(prefix), limit })) indexes.push(trailingIndex(key))
    const hashes = await this.getNodes(indexes.map((index) => ({ level: 0, index })))
    return indexes.map((leafIndex, i) => {
      const h = hashes[i]
      if (h === undefined) throw corrupt('leaf hash', { leafIndex })
      return { leafIndex, id: toHex(h) }
    })
  }

  private async writeBatch(ops: StoreOp[], sync: boolean): Promise<void> {
    // Arrays of up to 64 bytes live on V8's heap, and handing one to LevelDB moves it off the
    // heap (a malloc, later swept): ~6 per evidence item. They are copied into one off-heap
    // buffer per batch instead, and LevelDB gets views of it.
    let small = 0
    for (const [k, v] of ops) small += (k.length <= 64 ? k.length : 0) + (v !== null && v.length <= 64 ? v.length : 0)
    const arena = new Uint8Array(Math.max(small, 65))
    let off = 0
    const place = (b: Uint8Array): Uint8Array => {
      if (b.length > 64) return b
      const view = arena.subarray(off, off + b.length)
      view.set(b)
      off += b.length
      return view
    }
    const batch = this.db.batch()
    for (const [k, v] of ops) {
      if (v === null) batch.del(place(k))
      else batch.put(place(k), place(v))
    }
    await this.written(batch.write({ sync }))
  }

  private async written<T>(write: Promise<T>): Promise<T> {
    try { return await write } catch (e) {
      this.#onWriteError?.(e as Error)
      throw e
    }
  }

  /** Block writes run one at a time: each checks the head the previous one left. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.#writes.then(f)
    this.#writes = p.catch(() => undefined)
    return p
  }
}

function corrupt(what: string, data: Record<string, unknown>): NodeError {
  return new NodeError({ code: 'STORE_CORRUPT', what, ...data }, `store is inconsistent: ${what}`)
}

/**
 * Why a store of format `actual` is refused, and what to do. An older store's blocks follow
 * rules this node no longer checks them by: the node re-syncs them from its peers instead.
 */
function formatError(dir: string, actual: number): NodeError<{ code: 'STORE_FORMAT'; expected: number; actual: number }> {
  const data = { code: 'STORE_FORMAT' as const, expected: STORE_FORMAT, actual }
  if (actual > STORE_FORMAT) return new NodeError(data, `store ${dir} is format ${actual}, newer than this courtchain (format ${STORE_FORMAT}): run a newer courtchain`)
  const changes = Object.entries(STORE_FORMAT_CHANGES).filter(([v]) => Number(v) > actual).map(([v, what]) => `format ${v}: ${what}`)
  return new NodeError(data, `store ${dir} is format ${actual}, this courtchain reads format ${STORE_FORMAT} (${changes.join('; ')}). ` +
    `Delete that folder and start the node again (\`courtchain start --home <node home>\`): it re-syncs the chain from its peers`)
}
