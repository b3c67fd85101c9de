// The thin shell around the pure state machine: one serialized queue for peer messages, own
// proposals, requests and timeouts; actions executed in order, each WAL append awaited (fsync)
// before any later send ("persist before send", CometBFT-style single consensus loop).
import type {
  BlockRef, CertSig, CommittedBlock, ConsensusContext, ConsensusInput, ConsensusMessage, ConsensusOptions, ConsensusRecord,
  ConsensusState, ProposalLike, TimerName,
} from './types.js'
import { restore } from './state.js'
import { step } from './step.js'
import { primaryOf } from './quorum.js'

export interface ConsensusTransport<B> {
  broadcast(msg: ConsensusMessage<B>): void
  send(to: string, msg: ConsensusMessage<B>): void
}

export interface ConsensusWal<B> {
  /** resolves once the record is durable (fsync) */
  append(record: ConsensusRecord<B>): Promise<void>
  load(): Promise<ConsensusRecord<B>[]>
}

export interface ConsensusApp<B> {
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
  wal: ConsensusWal<B>
  clock: { now(): number }
  app: ConsensusApp<B>
  log: ConsensusLogger
}

export interface EngineOptions { consensus?: Partial<ConsensusOptions> }

export interface EngineStatus { view: number; height: number; mode: string; primary: string }

/** Runs one replica: `start()`, feed it with `receive`/`notifyRequest`/`notifySynced`, `stop()`. */
export class ConsensusEngine<B extends ProposalLike> {
  private state: ConsensusState<B> | null = null
  private tail: Promise<void> = Promise.resolve()
  private timers = new Map<TimerName, ReturnType<typeof setTimeout>>()
  private stopped = false

  constructor(private readonly opts: EngineOptions, private readonly deps: EngineDeps<B>) {}

  /** Rebuilds the state from the WAL and starts the timers. */
  async start(): Promise<void> {
    const records = await this.deps.wal.load()
    this.state = restore(this.deps.ctx.genesis, records, this.opts.consensus)
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

  /** A decoded message from a peer (signatures are checked by the state machine). */
  receive(from: string, msg: ConsensusMessage<B>): void {
    this.enqueue((now) => ({ type: 'message', from, msg, now }))
  }

  /** A tx this replica knows and that is not committed yet: arms the request timer. */
  notifyRequest(txHash: string): void {
    this.enqueue((now) => ({ type: 'request', txHash, now }))
  }

  /** Block sync (or the store on start) applied blocks up to `head`, whose certificate it verified. */
  notifySynced(head: CommittedBlock<B>): void {
    this.enqueue((now) => ({ type: 'synced', head, now }))
  }

  get status(): EngineStatus {
    const s = this.state
    return { view: s?.view ?? 0, height: s?.head.height ?? 0, mode: s?.mode ?? 'normal', primary: primaryOf(this.deps.ctx.validators, s?.view ?? 0) }
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
    if (this.stopped || !this.state) return
    const { state, actions } = step(this.state, make(this.deps.clock.now()), this.deps.ctx)
    this.state = state
    const { transport, wal, app, log } = this.deps
    for (const a of actions) {
      if (this.stopped) return
      switch (a.type) {
        case 'persist': await wal.append(a.record); break // fsync before any later send
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
            (err: unknown) => log.warn({ err, height, view }, 'building a block failed'))
          break
        }
        case 'commit': await app.onCommit(a.block, a.certificate); break
        case 'requestSync': app.onSyncNeeded(a.fromHeight, a.peers); break
        case 'log': log[a.level](a.data ?? {}, a.msg); break
      }
    }
  }
}
