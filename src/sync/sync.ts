// Block sync: a node that is behind (restarted, wiped, new, or a member node following the
// chain) fetches ranges of certified blocks from peers, checks each commit certificate against
// the validator set, and applies them without re-running consensus.
import { checkCommitCertificate, decodeBlock, type BlockHashes, type BlockLimits, type ChainState, type PreparedBlock, type VerifySignature } from '../chain/index.js'
import { fromUtf8, NodeError } from '../util/index.js'
import {
  decodeRangeAnswer, decodeRangeRequest, encodeRangeAnswer, encodeRangeRequest, MAX_BLOCKS_PER_ANSWER, type RangeAnswer,
} from './messages.js'
import { AheadHasher } from './ahead.js'

export const SYNC_PROTOCOL = 'sync'
export const HEAD_PROTOCOL = 'head'

export interface SyncOptions extends BlockLimits {
  maxAnswerBytes: number; requestTimeoutMs: number
  /** A node far behind hashes ranges of at least this many bytes on a worker thread (default AHEAD_MIN_BYTES). */
  aheadMinBytes?: number
}

export interface SyncDeps {
  transport: {
    request(to: string, name: string, bytes: Uint8Array, opts: { timeoutMs: number }): Promise<Uint8Array>
  }
  ledger: {
    head: { height: number; hash: string }
    state: ChainState
    commit(pb: PreparedBlock, certificate: string, opts?: { fsync?: boolean; verify?: VerifySignature }): Promise<unknown>
  }
  store: { getBlocks(from: number, to: number, opts: { maxBytes?: number }): Promise<{ height: number; block: Uint8Array; certificate: Uint8Array }[]> }
  /** Signature verifier for certificates and tx signatures (the native one on nodes). */
  verify: VerifySignature
  log: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void; debug(o: unknown, m?: string): void }
  /**
   * Called after each range that moved the head. A validator that fell behind under load may sync
   * range after range for seconds while the chain moves on; consensus must hear of that progress
   * as it happens, or its view timer fires and it starts a view change on its own.
   */
  onRange?: (head: PreparedBlock, certificate: string) => void
}

/** How far behind a peer's head a validator syncs at once rather than after a second. */
export const FAR_BEHIND = 4

/**
 * When a node that heard of a peer head at `peerHeight` starts block sync: null when not behind,
 * 0 at once, else after that many ms if still behind then. Validators lag a moment behind each
 * other in normal operation and consensus brings one a block or two behind back, so they wait a
 * second; one further behind (restarted, wiped) cannot be brought back that way and syncs at
 * once. Members follow every block at once.
 */
export function syncDelayMs(isValidator: boolean, ourHeight: number, peerHeight: number): number | null {
  if (peerHeight <= ourHeight) return null
  return !isValidator || peerHeight > ourHeight + FAR_BEHIND ? 0 : 1000
}

/** A range and each block's hashes, found just ahead of its commit. */
type Range = RangeAnswer & { hashes: Promise<BlockHashes | null>[] }
/** A range asked for ahead of need. */
interface Prefetch { from: number; peer: string; answer: Promise<Range> }

export class BlockSync {
  /** Latest height each peer told us about. */
  private readonly peerHeads = new Map<string, number>()
  private running: Promise<number> | null = null
  private rr = 0
  private readonly hasher: AheadHasher

  constructor(private readonly opts: SyncOptions, private readonly deps: SyncDeps) {
    const limits = { chainId: opts.chainId, genesisHash: opts.genesisHash, maxBlockBytes: opts.maxBlockBytes, maxBlockTxs: opts.maxBlockTxs, maxTxItems: opts.maxTxItems }
    this.hasher = new AheadHasher(limits, (err) => deps.log.warn({ err: err.message }, 'sync hashing thread failed; hashing on the main thread'), opts.aheadMinBytes)
  }

  /** Serves a range request from the store (the handler of SYNC_PROTOCOL). */
  async serve(_from: string, bytes: Uint8Array): Promise<Uint8Array> {
    const req = decodeRangeRequest(bytes)
    const head = this.deps.ledger.head.height
    const to = Math.min(req.to, head, req.from + MAX_BLOCKS_PER_ANSWER - 1)
    const blocks = req.from < 1 || to < req.from ? [] : await this.deps.store.getBlocks(req.from, to, { maxBytes: this.opts.maxAnswerBytes / 2 })
    return encodeRangeAnswer({ head, blocks: blocks.map((b) => ({ block: b.block, certificate: fromUtf8(b.certificate, 'certificate') })) })
  }

  /** Records a peer's head (from an announcement or consensus traffic). */
  notePeerHead(peer: string, height: number): void {
    if (height > (this.peerHeads.get(peer) ?? -1)) this.peerHeads.set(peer, height)
  }

  /** The latest head each peer reported. */
  get peerHeights(): ReadonlyMap<string, number> { return this.peerHeads }

  /** The highest head any peer reported. */
  bestKnownHeight(): number {
    let best = 0
    for (const h of this.peerHeads.values()) best = Math.max(best, h)
    return best
  }

  get syncing(): boolean { return this.running !== null }

  /** Catches up to the best known peer head (one run at a time); resolves with the new height. */
  catchUp(peers: string[]): Promise<number> {
    this.running ??= this.run(peers).finally(() => {
      this.running = null
      this.hasher.stop()
    })
    return this.running
  }

  private async run(peers: string[]): Promise<number> {
    let failures = 0
    // The next range is asked for while this one is checked and written, so a node far behind
    // does not wait a round trip and the peer's store read between ranges.
    let ahead: Prefetch | null = null
    while (peers.length > 0 && failures < peers.length * 3) {
      const head = this.deps.ledger.head.height
      // Ask peers that claim more first; peers we know nothing about still get a turn.
      const candidates = peers.filter((p) => (this.peerHeads.get(p) ?? Infinity) > head)
      if (candidates.length === 0) break
      const next: Prefetch | null = ahead?.from === head + 1 ? ahead : null
      ahead = null
      const peer: string = next?.peer ?? candidates[this.rr++ % candidates.length]!
      try {
        const asked = performance.now()
        const answer: Range = await (next?.answer ?? this.fetch(peer, head + 1))
        const last = head + answer.blocks.length
        if (answer.blocks.length > 0 && answer.head > last) {
          ahead = { from: last + 1, peer, answer: this.fetch(peer, last + 1) }
          ahead.answer.catch(() => undefined) // a failed prefetch is retried as a plain fetch
        }
        const waitedMs = Math.round(performance.now() - asked)
        const applied = await this.apply(peer, head + 1, answer, waitedMs)
        if (applied === 0) {
          this.peerHeads.set(peer, head)
          failures++
        } else failures = 0
      } catch (e) {
        failures++
        ahead = null
        this.deps.log.warn({ peer, err: (e as Error).message }, 'sync from peer failed')
      }
    }
    return this.deps.ledger.head.height
  }

  /** Asks `peer` for the range starting at `from`, and has its blocks hashed ahead. */
  private async fetch(peer: string, from: number): Promise<Range> {
    const answerBytes = await this.deps.transport.request(peer, SYNC_PROTOCOL, encodeRangeRequest({ from, to: from + MAX_BLOCKS_PER_ANSWER - 1 }), { timeoutMs: this.opts.requestTimeoutMs })
    const answer = decodeRangeAnswer(answerBytes, this.opts.maxAnswerBytes)
    this.notePeerHead(peer, answer.head)
    // Far behind: the peer has more beyond this range (it was cut at its size or block limit).
    const farBehind = answer.head > from + answer.blocks.length - 1
    return { ...answer, hashes: this.hasher.hash(answer.blocks.map((b) => b.block), farBehind) }
  }

  /** Checks and applies one range from `peer`; returns how many of its blocks we now have. */
  private async apply(peer: string, from: number, answer: Range, waitedMs: number): Promise<number> {
    const t0 = performance.now()
    let applied = 0
    let known = 0
    let hashWaitMs = 0
    let last: { pb: PreparedBlock; certificate: string } | null = null
    for (const [i, b] of answer.blocks.entries()) {
      const t = performance.now()
      const hashes = await answer.hashes[i]
      hashWaitMs += performance.now() - t
      const pb = decodeBlock(b.block, this.opts, undefined, hashes ?? undefined)
      const h = pb.block.header
      const head = this.deps.ledger.head
      if (h.height <= head.height) {
        // Consensus committed this block while the range was on its way. The ledger takes the
        // same block as a no-op and refuses a different one (LEDGER_CONFLICT).
        await this.deps.ledger.commit(pb, b.certificate, { fsync: false })
        known++
        continue
      }
      if (h.height !== head.height + 1 || h.parent !== head.hash) {
        throw new NodeError({ code: 'SYNC_BAD_BLOCK', peer, height: h.height }, `peer ${peer} sent block ${h.height} that does not extend our head ${head.height}`)
      }
      // The certificate is the proof: 2f+1 validators signed this block's checkpoint, whose
      // header's tx root fixes every tx signature (decodeBlock checked the txs against it).
      checkCommitCertificate(pb, b.certificate, this.deps.ledger.state, this.deps.verify)
      // One fsync per range: a synced block survives kill -9 once written (the OS has it); only
      // a power loss could take back the range's tail, which a restart simply fetches again.
      // Each tx's signature is checked too, with the sender's key as the tx executes.
      await this.deps.ledger.commit(pb, b.certificate, { fsync: i === answer.blocks.length - 1, verify: this.deps.verify })
      applied++
      last = { pb, certificate: b.certificate }
    }
    if (last) this.deps.onRange?.(last.pb, last.certificate)
    // waitedMs: how long this range kept us waiting (0 when it was prefetched in time); hashWaitMs:
    // how much of applyMs went waiting for the hashing thread (ahead.ts); known: blocks consensus
    // had committed meanwhile
    if (applied > 0) {
      const applyMs = Math.round(performance.now() - t0)
      this.deps.log.info({ peer, from, to: from + known + applied - 1, known, waitedMs, applyMs, hashWaitMs: Math.round(hashWaitMs) }, 'synced blocks')
    }
    return known + applied
  }
}
