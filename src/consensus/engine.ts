// The thin shell around the pure state machine: one serialized queue for peer messages, own
// proposals, requests and timeouts; actions executed in order, each WAL append awaited (fsync)
// before any later send ("persist before send", CometBFT-style single consensus loop).
import type {
  BlockRef, CertSig, CommittedBlock, ConsensusContext, ConsensusInput, ConsensusMessage, ConsensusOptions, ConsensusRecord,
  ConsensusState, ProposalLike, TimerName,
} from './types.js'
import { heightsInFlight, restore } from './state.js'
import { step } from './step.js'
import { primaryOf } from './quorum.js'
import { defaultConsensusOptions } from './options.js'
import { defaultDecodeLimits, type DecodeLimits } from './messages.js'
import { decodeRecord, encodeRecord, walRecordFor, walRetained, type WalEntry } from './wal.js'

export interface ConsensusTransport<B> {
  broadcast(msg: ConsensusMessage<B>): void
  send(to: string, msg: ConsensusMessage<B>): void
}

/** The durable log the engine writes its own votes and views to (bytes from wal.ts). */
export interface ConsensusWal {
  /** resolves with the record's sequence number (ascending) once the record is durable (fsync) */
  append(record: Uint8Array): Promise<number>
  /** every record with its sequence number, in order */
  load(): Promise<WalEntry<Uint8Array>[]>
  /** drops records with seq < belowSeq */
  truncate(belowSeq: number): Promise<void>
}

export interface ConsensusApp<B> {
  /** the store's committed head on start (committed blocks are the store's record, not the WAL's) */
  head?(): CommittedBlock<B> | null
  buildBlock(height: number, view: number, parent: BlockRef): Promise<B>
  onCommit(block: B, certificate: CertSig[]): Promise<void>
  /** f+1 replicas are ahead: fetch certified blocks from `fromHeight`, then call notifySynced */
  onSyncNeeded(fromHeight: number, peers: string[]): void
}

export interface ConsensusLogger {
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface EngineDeps<B extends ProposalLike> {
  ctx: ConsensusContext<B>
  transport: ConsensusTransport<B>
  wal: ConsensusWal
  clock: { now(): number }
  app: ConsensusApp<B>
  log: ConsensusLogger
}

/** Consensus options (genesis `consensus` block; unknown keys ignored) and the block codec. */
export type EngineOptions<B> = Partial<ConsensusOptions> & {
  encodeBlock(b: B): Uint8Array
  decodeBlock(bytes: Uint8Array): B
  decodeLimits?: DecodeLimits
  [k: string]: unknown
}

export interface EngineStatus {
  view: number; height: number; mode: string; primary: string
  /** heights above the committed head at which this replica accepted a block (pipelining) */
  inFlight: number
}

/** Most messages of one peer waiting to be processed (see `receive`). */
export const MAX_QUEUED_PER_PEER = 4096

/** Runs one replica: `start()`, feed it with `receive`/`notifyRequest`/`notifySynced`, `stop()`. */
export class ConsensusEngine<B extends ProposalLike> {
  private state: ConsensusState<B> | null = null
  private tail: Promise<void> = Promise.resolve()
  private timers = new Map<TimerName, ReturnType<typeof setTimeout>>()
  private stopped = false
  private readonly queuedFrom = new Map<string, number>()
  private dropped = 0
  /** what the WAL holds, decoded: walRetained decides what a commit lets go */
  private walEntries: WalEntry<ConsensusRecord<B>>[] = []

  private readonly consensus: Partial<ConsensusOptions>

  constructor(private readonly opts: EngineOptions<B>, private readonly deps: EngineDeps<B>) {
    const picked: Record<string, unknown> = {}
    for (const k of Object.keys(defaultConsensusOptions)) if (opts[k] !== undefined) picked[k] = opts[k]
    this.consensus = picked as Partial<ConsensusOptions>
  }

  /** Rebuilds the state from the WAL and starts the timers. */
  async start(): Promise<void> {
    const limits = this.opts.decodeLimits ?? defaultDecodeLimits
    this.walEntries = (await this.deps.wal.load()).map((e) => ({ seq: e.seq, record: decodeRecord(e.record, limits, this.opts) }))
    const records = this.walEntries.map((e) => e.record)
    const head = this.deps.app.head?.() ?? null
    if (head) records.unshift({ kind: 'committed', head })
    this.state = restore(this.deps.ctx.genesis, records, this.consensus)
    this.enqueue((now) => ({ type: 'start', now }))
    await this.tail
  }

  /** Stops timers and drops further inputs; resolves when the queue is drained. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    await this.tail
  }

  /**
   * A decoded message from a peer (signatures are checked by the state machine). At most
   * MAX_QUEUED_PER_PEER of one peer's messages wait at once; beyond that they are dropped, so a
   * flooding peer costs bounded memory (PBFT's view changes and retransmits recover anything an
   * honest peer loses this way).
   */
  receive(from: string, msg: ConsensusMessage<B>): void {
    if (this.stopped) return
    const queued = this.queuedFrom.get(from) ?? 0
    if (queued >= MAX_QUEUED_PER_PEER) {
      this.dropped++
      if (this.dropped % 1000 === 1) this.deps.log.warn({ from, queued, dropped: this.dropped }, 'peer floods consensus messages: dropping')
      return
    }
    this.queuedFrom.set(from, queued + 1)
    // PBTS judges a proposal by when it reached this node, not by when the queue got to it
    const receivedAt = this.deps.clock.now()
    this.enqueue(() => {
      const n = (this.queuedFrom.get(from) ?? 1) - 1
      if (n > 0) this.queuedFrom.set(from, n)
      else this.queuedFrom.delete(from)
      return { type: 'message', from, msg, now: receivedAt }
    })
  }

  /** Peer messages waiting in the queue, and how many were dropped by the per-peer bound. */
  get inbound(): { queued: number; dropped: number } {
    let queued = 0
    for (const n of this.queuedFrom.values()) queued += n
    return { queued, dropped: this.dropped }
  }

  /** A tx this replica knows and that is not committed yet: arms the request timer. */
  notifyRequest(txHash: string): void {
    this.enqueue((now) => ({ type: 'request', txHash, now }))
  }

  /** Block sync (or the store on start) applied blocks up to `head`, whose certificate it verified. */
  notifySynced(head: CommittedBlock<B>): void {
    this.enqueue((now) => ({ type: 'synced', head, now }))
  }

  get view(): number { return this.state?.view ?? 0 }

  get status(): EngineStatus {
    const s = this.state
    return { view: s?.view ?? 0, height: s?.head.height ?? 0, mode: s?.mode ?? 'normal', primary: primaryOf(this.deps.ctx.validators, s?.view ?? 0), inFlight: s ? heightsInFlight(s) : 0 }
  }

  /** Resolves when every input queued so far has been processed. */
  idle(): Promise<void> { return this.tail }

  private enqueue(make: (now: number) => ConsensusInput<B>): void {
    if (this.stopped) return
    this.tail = this.tail.then(() => this.run(make)).catch((err: unknown) => {
      this.deps.log.warn({ err }, 'consensus step failed')
    })
  }

  private async run(make: (now: number) => ConsensusInput<B>): Promise<void> {
    const input = make(this.deps.clock.now()) // first: it also settles the per-peer count
    if (this.stopped || !this.state) return
    const { state, actions } = step(this.state, input, this.deps.ctx)
    this.state = state
    const { transport, wal, app, log } = this.deps
    for (const a of actions) {
      if (this.stopped) return
      switch (a.type) {
        case 'persist': {
          const record = walRecordFor(a.record, state)
          this.walEntries.push({ seq: await wal.append(encodeRecord(record, this.opts)), record }) // fsync before any later send
          if (a.record.kind === 'committed') {
            // the store holds the block (the commit action ran first): drop what it covers
            const kept = walRetained(this.walEntries, a.record.head.block.height)
            if (kept.length < this.walEntries.length) await wal.truncate(kept[0]!.seq) // never empty: it ends with the view just written
            this.walEntries = kept
          }
          break
        }
        case 'broadcast': transport.broadcast(a.msg); break
        case 'send': transport.send(a.to, a.msg); break
        case 'setTimer': {
          clearTimeout(this.timers.get(a.timer))
          const { timer, id } = a
          const t = setTimeout(() => { this.timers.delete(timer); this.enqueue((now) => ({ type: 'timeout', timer, id, now })) }, a.ms)
          t.unref?.()
          this.timers.set(timer, t)
          break
        }
        case 'cancelTimer': clearTimeout(this.timers.get(a.timer)); this.timers.delete(a.timer); break
        case 'requestProposal': {
          const { height, view, parent } = a
          app.buildBlock(height, view, parent).then(
            (block) => this.enqueue((now) => ({ type: 'proposal', block, view, now })),
            (err: unknown) => {
              log.warn({ err, height, view }, 'building a block failed')
              this.enqueue((now) => ({ type: 'proposal-failed', height, view, now }))
            })
          break
        }
        case 'commit': await app.onCommit(a.block, a.certificate); break
        case 'requestSync': app.onSyncNeeded(a.fromHeight, a.peers); break
        case 'log': log[a.level](a.data ?? {}, a.msg); break
      }
    }
  }
}
