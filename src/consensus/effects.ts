// The accumulator one step writes to: the state it owns, the actions it emits in order, and
// helpers for timers, sending and persisting. Ordering of `out` is the contract with the shell:
// a persist action is executed (fsync) before any later send of the same step.
import { faultsTolerated, primaryOf, quorumSize, signMessage } from './quorum.js'
import type { ConsensusAction, ConsensusContext, ConsensusMessage, ConsensusRecord, ConsensusState, ProposalLike, TimerName } from './types.js'

export interface StepCtx<B extends ProposalLike> {
  s: ConsensusState<B>
  ctx: ConsensusContext<B>
  out: ConsensusAction<B>[]
  now: number
  n: number
  f: number
  /** 2f+1 (or the simulator's unsafe override) */
  q: number
}

export function makeStepCtx<B extends ProposalLike>(s: ConsensusState<B>, ctx: ConsensusContext<B>, now: number): StepCtx<B> {
  const n = ctx.validators.length
  return { s, ctx, out: [], now, n, f: faultsTolerated(n), q: quorumSize(n) }
}

export function isPrimary<B extends ProposalLike>(sc: StepCtx<B>, view = sc.s.view): boolean {
  return primaryOf(sc.ctx.validators, view) === sc.ctx.self
}

export function setTimer<B extends ProposalLike>(sc: StepCtx<B>, timer: TimerName, ms: number): void {
  const id = ++sc.s.timerSeq
  sc.s.timers.set(timer, id)
  sc.out.push({ type: 'setTimer', timer, id, ms })
}

export function cancelTimer<B extends ProposalLike>(sc: StepCtx<B>, timer: TimerName): void {
  if (!sc.s.timers.has(timer)) return
  sc.s.timers.delete(timer)
  sc.out.push({ type: 'cancelTimer', timer })
}

export function persist<B extends ProposalLike>(sc: StepCtx<B>, record: ConsensusRecord<B>): void {
  sc.out.push({ type: 'persist', record })
}

export function broadcast<B extends ProposalLike>(sc: StepCtx<B>, msg: ConsensusMessage<B>): void {
  sc.out.push({ type: 'broadcast', msg })
}

export function send<B extends ProposalLike>(sc: StepCtx<B>, to: string, msg: ConsensusMessage<B>): void {
  sc.out.push({ type: 'send', to, msg })
}

export function log<B extends ProposalLike>(sc: StepCtx<B>, level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>): void {
  sc.out.push({ type: 'log', level, msg, data: { view: sc.s.view, height: sc.s.head.height + 1, ...data } })
}

/** Signs a message as this replica. */
export function sign<B extends ProposalLike, M extends ConsensusMessage<B>>(sc: StepCtx<B>, msg: M): M {
  return signMessage(sc.ctx, msg)
}

/** Heights this replica agrees on at once: the option, when the app can build on uncommitted blocks. */
export function pipelineDepth<B extends ProposalLike>(sc: StepCtx<B>): number {
  return sc.ctx.canExtend ? Math.max(1, sc.s.opts.pipelineDepth) : 1
}

/** Records evidence that `from` is at `height`; f+1 distinct replicas ahead of us ask for block sync. */
export function noteAhead<B extends ProposalLike>(sc: StepCtx<B>, from: string, height: number): void {
  const { s } = sc
  if (height <= s.head.height + 1 || from === sc.ctx.self) return
  if ((s.ahead.get(from) ?? -1) < height) s.ahead.set(from, height)
  if (s.ahead.size >= sc.f + 1 && s.syncAskedAt !== s.head.height) {
    s.syncAskedAt = s.head.height
    sc.out.push({ type: 'requestSync', fromHeight: s.head.height + 1, peers: [...s.ahead.keys()].sort() })
  }
}
