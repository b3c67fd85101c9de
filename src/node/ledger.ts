// The committed chain as one object: store, evidence log, member state, head. It turns a
// certified block into exactly one atomic store batch, and prepares the evidence of proposed
// blocks once so validation, proposal and commit share the work.
import {
  blockEvidence, evidenceAt, checkTxSender, executeTx, decodeBlock, decodeState, encodeState, executeBlock, initialState, genesisHash,
  type BlockLimits, type ChainState, type EvidenceSource, type Genesis, type PlacedEvidence, type PreparedBlock, type PreparedTx, type VerifiedBefore,
  type VerifySignature,
} from '../chain/index.js'
import { ed25519Verify } from '../crypto/index.js'
import type { EvidenceLog, LogAppend } from '../merkle/index.js'
import type { EvidenceEntry, Store } from '../store/index.js'
import { BoundedMap, fromUtf8, NodeError, toHex, utf8 } from '../util/index.js'

/** Running counts kept with each block, for /v1/stats without scanning. */
export interface ChainStats { verifications: number; cases: number; txs: number }

export interface HeadInfo { height: number; hash: string; time: number; logSize: number; logRoot: string }

/** A block's evidence and log append, computed once per block hash. */
export interface BlockWork { placed: PlacedEvidence[]; append: LogAppend }

/**
 * What a block builds on: the committed head, or a validated block not committed yet
 * (pipelining). `append` is null on the committed log; `carried` holds the txs of the
 * uncommitted blocks from the base down to the head (a tx may appear once on the chain).
 */
export interface Base { height: number; state: ChainState; append: LogAppend | null; carried: Set<string> }

/** A validated block in flight: the state and log after it. */
interface Tentative { height: number; parent: string; state: ChainState; append: LogAppend; txs: Set<string> }

export class Ledger {
  private work = new BoundedMap<string, BlockWork>(64)
  private readonly decoded = new BoundedMap<number, { pb: PreparedBlock; certificate: string }>(16)
  private commitChain: Promise<unknown> = Promise.resolve()
  /** Tx hashes of blocks under validation found already committed (filled by precheck), and the head it looked at. */
  private replays = new BoundedMap<string, { hits: Set<string>; head: number }>(256)
  /** Tx hashes of the last committed blocks, for txs committed after a block's precheck. */
  private readonly recentTxs = new Map<number, Set<string>>()
  private readonly tentative = new BoundedMap<string, Tentative>(64)
  private listeners: ((pb: PreparedBlock, placed: PlacedEvidence[], certificate: string) => void)[] = []

  private constructor(
    readonly store: Store,
    readonly genesis: Genesis,
    readonly log: EvidenceLog,
    public state: ChainState,
    public head: HeadInfo,
    public stats: ChainStats,
  ) {
    this.limits = limitsOf(genesis)
  }

  static async open(store: Store, genesis: Genesis): Promise<Ledger> {
    await store.checkConsistency()
    const log = await store.openEvidenceLog()
    const h = store.head()
    let head: HeadInfo = { height: 0, hash: genesisHash(genesis), time: genesis.time, logSize: 0, logRoot: toHex(log.root()) }
    if (h) {
      const bytes = await store.getBlock(h.height)
      const pb = decodeBlock(bytes!, limitsOf(genesis))
      head = { height: h.height, hash: toHex(h.hash), time: pb.block.header.time, logSize: h.logSize, logRoot: toHex(h.logRoot) }
    }
    const stateBytes = await store.getState('chain')
    const state = stateBytes ? decodeState(stateBytes, genesis) : initialState(genesis)
    const statsBytes = await store.getState('stats')
    const stats = statsBytes ? JSON.parse(fromUtf8(statsBytes)) as ChainStats : { verifications: 0, cases: 0, txs: 0 }
    return new Ledger(store, genesis, log, state, head, stats)
  }

  /** Computed once: the genesis hash in it costs a canonical encoding of the genesis. */
  readonly limits: BlockLimits

  onCommit(cb: (pb: PreparedBlock, placed: PlacedEvidence[], certificate: string) => void): void { this.listeners.push(cb) }

  /** True when a committed block carries this tx. */
  async isCommitted(txHash: string): Promise<boolean> {
    return (await this.store.getTx(txHash)) !== undefined
  }

  /**
   * The async half of block validation, run before consensus sees the block: which of its txs
   * are already on chain (replays). validateBlock then reads the answer synchronously.
   */
  async precheck(pb: PreparedBlock): Promise<void> {
    if (this.replays.has(pb.hash)) return
    const head = this.head.height
    const hits = await Promise.all(pb.txs.map((t) => this.store.getTx(t.hash)))
    this.replays.set(pb.hash, { hits: new Set(pb.txs.filter((_, i) => hits[i] !== undefined).map((t) => t.hash)), head })
  }

  /**
   * The candidates a primary may propose on top of `base`, in order: not already committed and
   * still valid against the state as each runs (a unit retired meanwhile, a vote on a closed
   * proposal, a key rotated since admission: the signature is checked again unless
   * `verifiedBefore` vouches for it under the key now in force). Returns them and the hashes to
   * drop from the mempool.
   */
  async selectForBlock(candidates: PreparedTx[], base: Base, verifiedBefore: VerifiedBefore): Promise<{ valid: PreparedTx[]; invalid: string[] }> {
    const hits = await Promise.all(candidates.map((t) => this.store.getTx(t.hash)))
    const env = { height: base.height + 1, time: Date.now() }
    let state = base.state
    const valid: PreparedTx[] = []
    const invalid: string[] = []
    candidates.forEach((t, i) => {
      if (base.carried.has(t.hash)) return // in a block in flight: neither valid here nor dropped
      if (hits[i] !== undefined) { invalid.push(t.hash); return }
      try {
        checkTxSender(t, state, ed25519Verify, verifiedBefore)
        state = executeTx(state, t, env)
        valid.push(t)
      } catch { invalid.push(t.hash) }
    })
    return { valid, invalid }
  }

  /**
   * Records that `pb` (built by this node from selectForBlock's txs, looked up when the head was at
   * `lookedUpAt`) carries no replay, so its validation needs no second round of store lookups.
   */
  noteBuilt(pb: PreparedBlock, lookedUpAt: number): void {
    this.replays.set(pb.hash, { hits: new Set(), head: lookedUpAt })
  }

  /**
   * Replay check for validating `blockHash` on `base`: true when the tx is already on the chain it
   * extends (found by the precheck, committed since, or carried by a block in flight below it);
   * undefined when the block was not prechecked (or too long ago).
   */
  replaysOf(blockHash: string, base: Base): ((txHash: string) => boolean) | undefined {
    const r = this.replays.get(blockHash)
    if (!r || (r.head < this.head.height && !this.recentTxs.has(r.head + 1))) return undefined
    const since: Set<string>[] = []
    for (let h = r.head + 1; h <= this.head.height; h++) since.push(this.recentTxs.get(h)!)
    return (tx) => r.hits.has(tx) || base.carried.has(tx) || since.some((s) => s.has(tx))
  }

  /** The committed head or a validated block in flight, as a base to build on; undefined when unknown. */
  baseOf(hash: string): Base | undefined {
    if (hash === this.head.hash) return { height: this.head.height, state: this.state, append: null, carried: new Set() }
    const t = this.tentative.get(hash)
    if (!t || t.height <= this.head.height) return undefined
    const carried = new Set<string>()
    for (let at = t; ;) {
      for (const tx of at.txs) carried.add(tx)
      if (at.parent === this.head.hash) break
      const below = this.tentative.get(at.parent)
      if (!below || below.height <= this.head.height) return undefined // its chain is not the committed one
      at = below
    }
    return { height: t.height, state: t.state, append: t.append, carried }
  }

  /** Records a validated block in flight: blocks proposed on top of it build on this. */
  noteValidated(pb: PreparedBlock, state: ChainState, work: BlockWork): void {
    this.tentative.set(pb.hash, { height: pb.block.header.height, parent: pb.block.header.parent, state, append: work.append, txs: new Set(pb.txs.map((t) => t.hash)) })
  }

  /** The evidence and log append of `pb` on top of its parent (the head or a block in flight; cached by block hash). */
  workFor(pb: PreparedBlock): BlockWork {
    const base = this.baseOf(pb.block.header.parent)
    if (!base) throw new NodeError({ code: 'LEDGER_NOT_NEXT', height: pb.block.header.height }, `block ${pb.block.header.height} builds on an unknown parent`)
    const cached = this.work.get(pb.hash)
    if (cached && cached.append.from === (base.append?.size ?? this.log.size)) return cached
    return this.keepWork(pb.hash, this.place(pb, base))
  }

  /** The evidence and log append of txs at a height and time on `base`, uncached (a primary's draft). */
  place(src: EvidenceSource, base: Base | null = null): BlockWork {
    const placed = blockEvidence(src, base?.append?.size ?? this.log.size)
    return { placed, append: this.log.append(placed.map((p) => p.leafHash), base?.append ?? undefined) }
  }

  /** Blocks whose evidence and log append are cached (validated, in flight, or a primary's drafts). */
  get cachedWork(): number { return this.work.size }

  /** Caches `w` as the work of the block with this hash (a primary's block, placed as a draft). */
  keepWork(hash: string, w: BlockWork): BlockWork {
    this.work.set(hash, w)
    return w
  }

  /**
   * Persists a certified block in one atomic batch, then moves head, log and state. Commits are
   * serialized: consensus and block sync may both deliver the same block; the second is a no-op.
   */
  commit(pb: PreparedBlock, certificate: string, opts: { fsync?: boolean; verify?: VerifySignature } = {}): Promise<PlacedEvidence[]> {
    const run = this.commitChain.then(() => this.commitNow(pb, certificate, opts.fsync ?? true, opts.verify))
    this.commitChain = run.catch(() => undefined)
    return run
  }

  /** `verify`: check each tx's sender and signature as it executes (a block not validated here: sync). */
  private async commitNow(pb: PreparedBlock, certificate: string, fsync: boolean, verify: VerifySignature | undefined): Promise<PlacedEvidence[]> {
    const h = pb.block.header
    if (h.height <= this.head.height) {
      const stored = h.height === this.head.height ? this.head.hash : (await this.block(h.height))?.pb.hash
      if (stored === pb.hash) return []
      throw new NodeError({ code: 'LEDGER_CONFLICT', height: h.height }, `block ${h.height} ${pb.hash} conflicts with the committed ${stored}`)
    }
    if (h.height !== this.head.height + 1 || h.parent !== this.head.hash) {
      throw new NodeError({ code: 'LEDGER_NOT_NEXT', height: h.height, head: this.head.height }, `block ${h.height} does not extend head ${this.head.height}`)
    }
    const { placed, append } = this.workFor(pb)
    const stats = await this.nextStats(pb, placed)
    const state = executeBlock(this.state, pb, verify && { verify })
    if (append.size !== h.logSize || toHex(append.root) !== h.logRoot) {
      this.work.delete(pb.hash) // leaf hashes found ahead (sync) may have been wrong: place it afresh next time
      throw new NodeError({ code: 'BLOCK_BAD_LOG', height: h.height }, `block ${h.height} log root does not match its evidence`)
    }
    await this.store.commitBlock({
      height: h.height, hash: pb.hash, blockBytes: pb.bytes, certificate,
      txs: pb.txs.map((t, index) => ({ hash: t.hash, index })),
      evidence: placed.map(evidenceEntry),
      logWrites: append.writes, logSize: append.size, logRoot: append.root,
      state: [
        { key: 'stats', value: utf8(JSON.stringify(stats)) },
        ...(state !== this.state ? [{ key: 'chain', value: encodeState(state) }] : []),
      ],
    }, { fsync })
    this.stats = stats
    this.state = state
    this.log.commitAppend(append)
    this.head = { height: h.height, hash: pb.hash, time: h.time, logSize: append.size, logRoot: h.logRoot }
    // The work of this block, and of any draft or block built on a base below the new head (a
    // primary's unproposed drafts, losing proposals): never usable again, and each holds a block's
    // evidence records, which kept hundreds of MiB alive on a busy primary.
    for (const [hash, w] of this.work) if (hash === pb.hash || w.append.from < append.size) this.work.delete(hash)
    this.replays.delete(pb.hash)
    this.recentTxs.set(h.height, new Set(pb.txs.map((t) => t.hash)))
    this.recentTxs.delete(h.height - 32)
    for (const [hash, t] of this.tentative) if (t.height <= h.height) this.tentative.delete(hash)
    for (const l of this.listeners) l(pb, placed, certificate)
    return placed
  }

  private async nextStats(pb: PreparedBlock, placed: PlacedEvidence[]): Promise<ChainStats> {
    const next = { ...this.stats, txs: this.stats.txs + pb.txs.length }
    const newCases = new Set<string>()
    for (const p of placed) {
      if (p.type === 'verify') next.verifications++
      const caseNo = p.record.meta?.caseNo
      if (caseNo && !newCases.has(caseNo) && (await this.store.caseEntries(caseNo, 1)).length === 0) newCases.add(caseNo)
    }
    next.cases += newCases.size
    return next
  }

  /** A committed block and its certificate, or null (a few recent ones stay decoded: receipts come in bursts). */
  async block(height: number): Promise<{ pb: PreparedBlock; certificate: string } | null> {
    const hit = this.decoded.get(height)
    if (hit) return hit
    const [bytes, cert] = await Promise.all([this.store.getBlock(height), this.store.getCertificate(height)])
    if (!bytes || !cert) return null
    const b = { pb: decodeBlock(bytes, this.limits), certificate: fromUtf8(cert, 'certificate') }
    this.decoded.set(height, b)
    return b
  }

  /** The committed evidence at `leafIndex` (record and leaf bytes rebuilt from its block), or null. */
  async evidenceAt(leafIndex: number): Promise<(PlacedEvidence & { leafBytes: Uint8Array; pb: PreparedBlock; certificate: string }) | null> {
    if (leafIndex >= this.head.logSize) return null
    const height = await this.store.blockOfLeaf(leafIndex)
    const b = height === undefined ? null : await this.block(height)
    const ev = b ? evidenceAt(b.pb, leafIndex) : undefined
    if (!b || !ev) throw new NodeError({ code: 'STORE_CORRUPT', leafIndex }, `leaf ${leafIndex} is not in the block the store names`)
    return { ...ev, ...b }
  }

  /** The committed evidence with this id, or null. */
  async evidenceById(id: string): Promise<(PlacedEvidence & { leafBytes: Uint8Array; pb: PreparedBlock; certificate: string }) | null> {
    const at = await this.store.getEvidenceById(id)
    return at ? this.evidenceAt(at.leafIndex) : null
  }
}

export function limitsOf(g: Genesis): BlockLimits {
  return { chainId: g.chainId, genesisHash: genesisHash(g), maxBlockBytes: g.consensus.maxBlockBytes, maxBlockTxs: g.consensus.maxBlockTxs, maxTxItems: g.consensus.maxTxItems }
}

/** What the store indexes for one placed leaf: the id as the leaf hash bytes it already is (no hex round trip), its digests and case. */
function evidenceEntry(p: PlacedEvidence): EvidenceEntry {
  const { digests, meta } = p.record
  const entry: EvidenceEntry = {
    leafIndex: p.leafIndex, id: p.leafHash,
    digests: digests.sm3 === undefined ? [{ alg: 'sha256', hex: digests.sha256 }] : [{ alg: 'sha256', hex: digests.sha256 }, { alg: 'sm3', hex: digests.sm3 }],
  }
  if (meta?.caseNo) entry.caseNo = meta.caseNo
  return entry
}
