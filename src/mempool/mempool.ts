// Admission and batching of txs waiting for a block. A tx is checked once on the way in
// (format, sender, role, signature, replay), so block validation can skip its signature: for
// exactly these signed bytes (the signed hash), and while the key it verified under is still
// the sender's.
import { chainError, ChainErrorCode, checkTxSender, executeTx, type ChainState, type PreparedTx } from '../chain/index.js'
import { ed25519VerifyAsync, sha256 } from '../crypto/index.js'
import { equalBytes, fromHex, NodeError, toHex } from '../util/index.js'

export interface MempoolOptions {
  /** Most txs held at once; beyond it new txs are refused with MEMPOOL_FULL. */
  maxTxs: number
  maxBytes: number
  /** Most pending txs of one member, so one unit's flood slows that unit and not the chain. */
  maxPerMember: number
}
export const defaultMempoolOptions: MempoolOptions = { maxTxs: 200_000, maxBytes: 512 * 1024 * 1024, maxPerMember: 100_000 }

export interface MempoolDeps {
  state: () => ChainState
  /** True when the tx is already in a committed block (the replay check). */
  isCommitted: (txHash: string) => Promise<boolean>
  now: () => number
  /** Height of the next block, for rules that depend on it. */
  nextHeight: () => number
}

/** `publicKey`: the sender's key the signature verified under at admission. */
export interface PendingTx { p: PreparedTx; bytes: Uint8Array; since: number; bytesKey: string; publicKey: string }

export class Mempool {
  private readonly pending = new Map<string, PendingTx>()
  /** Tx hash by SHA-256 of the tx's CBOR: how a proposal's txs are recognised without parsing them. */
  private readonly byBytes = new Map<string, string>()
  /** Pending txs by signed hash: what a block's tx is recognised as verified by. */
  private readonly bySigned = new Map<string, PendingTx>()
  private readonly perMember = new Map<string, number>()
  private totalBytes = 0
  /**
   * Hashes of recently committed txs. add() awaits the signature check and the store lookup; a
   * block carrying the tx may commit in between, so it is checked again here after the awaits.
   */
  private readonly recentlyCommitted = new Set<string>()
  private static readonly RECENT_MAX = 200_000

  constructor(private readonly opts: MempoolOptions, private readonly deps: MempoolDeps) {}

  get size(): number { return this.pending.size }
  get bytes(): number { return this.totalBytes }
  has(hash: string): boolean { return this.pending.has(hash) }
  get(hash: string): PendingTx | undefined { return this.pending.get(hash) }

  /** True when the tx with this signed hash is pending and its signature verified under `publicKey` (chain VerifiedBefore). */
  verifiedWith(signedHash: string, publicKey: string): boolean {
    return this.bySigned.get(signedHash)?.publicKey === publicKey
  }

  /**
   * Admits a parsed tx (`bytes` = its wire encoding) or throws a typed error saying why not:
   * DUPLICATE_TX, MEMPOOL_FULL, MEMBER_QUOTA, or the sender's ChainError.
   */
  async add(p: PreparedTx, bytes: Uint8Array): Promise<void> {
    if (this.pending.has(p.hash)) throw chainError(ChainErrorCode.DUPLICATE_TX, `tx ${p.hash} is already pending`, { tx: p.hash })
    if (this.pending.size >= this.opts.maxTxs || this.totalBytes + bytes.length > this.opts.maxBytes) {
      throw new NodeError({ code: 'MEMPOOL_FULL', size: this.pending.size }, 'the mempool is full; retry later')
    }
    if ((this.perMember.get(p.tx.from) ?? 0) >= this.opts.maxPerMember) {
      throw new NodeError({ code: 'MEMBER_QUOTA', from: p.tx.from }, `member "${p.tx.from}" has ${this.opts.maxPerMember} txs pending; retry later`)
    }
    const state = this.deps.state()
    const member = checkTxSender(p, state, null)
    // A tx that cannot apply to the current state (e.g. a vote on no open proposal) is refused now.
    executeTx(state, p, { height: this.deps.nextHeight(), time: this.deps.now() })
    // The async verify runs on the thread pool, so admission uses both cores.
    const ok = await ed25519VerifyAsync(fromHex(member.publicKey, 'publicKey', 32), p.signingBytes, fromHex(p.tx.sig, 'tx.sig', 64))
    if (!ok) throw chainError(ChainErrorCode.TX_BAD_SIGNATURE, `signature of tx ${p.hash} does not verify with the key of "${member.id}"`, { tx: p.hash })
    if (await this.deps.isCommitted(p.hash)) throw chainError(ChainErrorCode.DUPLICATE_TX, `tx ${p.hash} is already on chain`, { tx: p.hash })
    if (this.pending.has(p.hash)) throw chainError(ChainErrorCode.DUPLICATE_TX, `tx ${p.hash} is already pending`, { tx: p.hash })
    if (this.recentlyCommitted.has(p.hash)) throw chainError(ChainErrorCode.DUPLICATE_TX, `tx ${p.hash} is already on chain`, { tx: p.hash })
    const bytesKey = toHex(sha256(bytes))
    const t: PendingTx = { p, bytes, since: this.deps.now(), bytesKey, publicKey: member.publicKey }
    this.pending.set(p.hash, t)
    this.byBytes.set(bytesKey, p.hash)
    this.bySigned.set(p.signedHash, t)
    this.perMember.set(p.tx.from, (this.perMember.get(p.tx.from) ?? 0) + 1)
    this.totalBytes += bytes.length
  }

  /** The pending tx whose CBOR is exactly `bytes` (already parsed and signature-checked), if any. */
  known(bytes: Uint8Array): PreparedTx | undefined {
    const t = this.pending.get(this.byBytes.get(toHex(sha256(bytes))) ?? '')
    return t && equalBytes(t.bytes, bytes) ? t.p : undefined
  }

  /** Txs in arrival order for the next block, within the limits, skipping `exclude` (already proposed). */
  take(limits: { maxTxs: number; maxBytes: number; maxItems?: number }, exclude?: (hash: string) => boolean): PendingTx[] {
    const out: PendingTx[] = []
    let bytes = 0
    let items = 0
    for (const [hash, t] of this.pending) {
      if (out.length >= limits.maxTxs) break
      if (exclude?.(hash)) continue
      if (bytes + t.bytes.length > limits.maxBytes) break
      if (limits.maxItems !== undefined && out.length > 0 && items + t.p.tx.items.length > limits.maxItems) break
      bytes += t.bytes.length
      items += t.p.tx.items.length
      out.push(t)
    }
    return out
  }

  /** The oldest pending tx's age in ms (request timers: a tx not committed in time suspects the primary). */
  oldestAgeMs(): number {
    for (const t of this.pending.values()) return this.deps.now() - t.since
    return 0
  }

  /** Drops txs that a committed block carried (and remembers them for a while: see add()). */
  removeCommitted(hashes: Iterable<string>): void {
    for (const h of hashes) {
      this.recentlyCommitted.add(h)
      if (this.recentlyCommitted.size > Mempool.RECENT_MAX) this.recentlyCommitted.delete(this.recentlyCommitted.values().next().value!)
    }
    this.remove(hashes)
  }

  /** Drops txs (committed, or found invalid when a block was built). */
  remove(hashes: Iterable<string>): void {
    for (const h of hashes) {
      const t = this.pending.get(h)
      if (!t) continue
      this.pending.delete(h)
      this.byBytes.delete(t.bytesKey)
      this.bySigned.delete(t.p.signedHash)
      this.totalBytes -= t.bytes.length
      const n = (this.perMember.get(t.p.tx.from) ?? 1) - 1
      if (n <= 0) this.perMember.delete(t.p.tx.from)
      else this.perMember.set(t.p.tx.from, n)
    }
  }
}
