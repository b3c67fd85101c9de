// The replica as a pure, deterministic state machine: step(state, input, ctx) → {state, actions}.
// No clock, no randomness, no I/O: time arrives in inputs, effects leave as actions.
import { makeStepCtx, type StepCtx } from './effects.js'
import { advanceHead, maybePropose, onCheckpoint, onCommit, onPrepare, onPrePrepare, onProposal, onProposalFailed, progress, updateTimers } from './normal.js'
import { gc } from './state.js'
import type { ConsensusAction, ConsensusContext, ConsensusMessage, ConsensusInput, ConsensusState, ProposalLike } from './types.js'
import { noteHigherView, onNewView, onViewChange, resendViewChange, startViewChange } from './viewchange.js'

export interface StepResult<B> { state: ConsensusState<B>; actions: ConsensusAction<B>[] }

/**
 * Applies one input. The caller hands over `state` (it is updated in place and returned) and must
 * execute the actions in order, finishing each persist before any later send.
 */
export function step<B extends ProposalLike>(state: ConsensusState<B>, input: ConsensusInput<B>, ctx: ConsensusContext<B>): StepResult<B> {
  const sc = makeStepCtx(state, ctx, input.now)
  switch (input.type) {
    case 'start': onStart(sc); break
    case 'message': onMessage(sc, input.msg); break
    case 'timeout': onTimeout(sc, input.timer, input.id); break
    case 'proposal': onProposal(sc, input.block, input.view); break
    case 'proposal-failed': onProposalFailed(sc, input.height, input.view); break
    case 'request': onRequest(sc, input.txHash); break
    case 'synced': onSynced(sc, input.head); break
  }
  updateTimers(sc)
  return { state, actions: sc.out }
}

function onStart<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s } = sc
  s.timers.clear()
  if (s.mode === 'view-change') {
    resendViewChange(sc) // restarted mid view change: announce it again (PBFT §4.4 retransmission)
    return
  }
  progress(sc)
}

function onMessage<B extends ProposalLike>(sc: StepCtx<B>, msg: ConsensusMessage<B>): void {
  if (msg.type === 'pre-prepare' || msg.type === 'prepare' || msg.type === 'commit') noteHigherView(sc, msg)
  switch (msg.type) {
    case 'pre-prepare': onPrePrepare(sc, msg); break
    case 'prepare': onPrepare(sc, msg); break
    case 'commit': onCommit(sc, msg); break
    case 'view-change': onViewChange(sc, msg); break
    case 'new-view': onNewView(sc, msg); break
    case 'checkpoint': onCheckpoint(sc, msg); break
  }
}

function onTimeout<B extends ProposalLike>(sc: StepCtx<B>, timer: string, id: number): void {
  const { s } = sc
  if (s.timers.get(timer as never) !== id) return // a timer cancelled or re-armed since: stale
  s.timers.delete(timer as never)
  switch (timer) {
    case 'propose': maybePropose(sc); break
    case 'view':
      s.syncAskedAt = -1 // let block sync be asked again
      startViewChange(sc, s.view + 1)
      break
    case 'view-change': {
      s.syncAskedAt = -1
      // move on only when 2f+1 replicas reached this view (the new primary then failed us);
      // otherwise re-send our view-change, so no replica runs ahead of a quorum (PBFT §4.5.2)
      const atLeast = [...s.viewChanges.values()].filter((v) => v.view >= s.view).length
      if (atLeast >= sc.q) startViewChange(sc, s.view + 1)
      else resendViewChange(sc)
      break
    }
    case 'request':
      // PBFT §4.4: a request not executed in time means the primary is faulty or censoring
      if (s.pending.size > 0 && s.mode === 'normal') startViewChange(sc, s.view + 1)
      break
  }
}

function onRequest<B extends ProposalLike>(sc: StepCtx<B>, txHash: string): void {
  const { s } = sc
  if (typeof txHash !== 'string' || s.pending.has(txHash) || s.pending.size >= s.opts.maxPendingRequests) return
  // A request can reach this queue after the block carrying it committed (its admission raced the
  // commit); kept pending, it would fire the request timer and change view every few seconds.
  if (sc.ctx.stillPending && !sc.ctx.stillPending(txHash)) return
  s.pending.set(txHash, ++s.requestSeq)
  maybePropose(sc)
}

/** Block sync applied blocks up to `head` (the app verified their certificates). */
function onSynced<B extends ProposalLike>(sc: StepCtx<B>, head: { block: B; certificate: { signer: string; sig: Uint8Array }[] }): void {
  const { s } = sc
  if (head.block.height <= s.head.height) return
  sc.out.push({ type: 'persist', record: { kind: 'committed', head } })
  advanceHead(sc, head)
  if (sc.ctx.stillPending) for (const id of [...s.pending.keys()]) if (!sc.ctx.stillPending(id)) s.pending.delete(id)
  s.syncAskedAt = -1
  gc(s)
  progress(sc)
}
