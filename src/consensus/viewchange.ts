// PBFT §4.4 view change: VIEW-CHANGE with the sender's stable checkpoint (its last commit
// certificate) and prepared certificate, NEW-VIEW with 2f+1 of them and the re-proposal (O set),
// which every replica recomputes before accepting.
import { broadcast, cancelTimer, isPrimary, log, noteAhead, persist, send, setTimer, sign, type StepCtx } from './effects.js'
import { commitCertified, maybeSendCheckpoint, progress } from './normal.js'
import { checkpointHead, primaryOf, verifyMessageSig, verifyViewChange } from './quorum.js'
import { gc, slotOf, voteKey } from './state.js'
import type { BlockRef, Commit, CommittedBlock, ConsensusContext, NewView, PrePrepare, Prepare, ProposalLike, ViewChange } from './types.js'

/** This replica's VIEW-CHANGE for `view`: its committed head and its prepared certificates above it. */
function makeViewChange<B extends ProposalLike>(sc: StepCtx<B>, view: number): ViewChange<B> {
  const { s } = sc
  const prepared = [...s.prepared.values()].filter((p) => p.prePrepare.height > s.head.height)
    .sort((a, b) => a.prePrepare.height - b.prePrepare.height)
  return sign(sc, { type: 'view-change', view, from: sc.ctx.self, checkpoint: s.headCert, prepared, sig: new Uint8Array() } as ViewChange<B>)
}

/** Moves to view-change for `view` (> current) with exponential back-off of its timer. */
export function startViewChange<B extends ProposalLike>(sc: StepCtx<B>, view: number): void {
  const { s } = sc
  if (view <= s.view) return
  s.view = view
  s.mode = 'view-change'
  s.viewChangeAttempts++
  s.proposalAsked = null
  persist(sc, { kind: 'view', view, mode: 'view-change' })
  cancelTimer(sc, 'view')
  cancelTimer(sc, 'propose')
  const exp = Math.min(s.viewChangeAttempts - 1, s.opts.maxBackoffExponent)
  setTimer(sc, 'view-change', s.opts.viewTimeoutMs * 2 ** exp)
  const vc = makeViewChange(sc, view)
  s.viewChanges.set(sc.ctx.self, vc)
  gc(s)
  log(sc, 'info', 'view change', { to: view })
  broadcast(sc, vc)
  tryNewView(sc)
}

/** Re-sends this replica's view-change for its current view (with its freshest head) and re-arms the timer. */
export function resendViewChange<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s } = sc
  const exp = Math.min(Math.max(s.viewChangeAttempts - 1, 0), s.opts.maxBackoffExponent)
  setTimer(sc, 'view-change', s.opts.viewTimeoutMs * 2 ** exp)
  const vc = makeViewChange(sc, s.view)
  s.viewChanges.set(sc.ctx.self, vc)
  broadcast(sc, vc)
  tryNewView(sc)
}

/** PBFT §4.4: store the latest view-change per replica; join a higher view once f+1 replicas ask for one. */
export function onViewChange<B extends ProposalLike>(sc: StepCtx<B>, m: ViewChange<B>): void {
  const { s, ctx } = sc
  if (m.from === ctx.self || !ctx.validators.includes(m.from)) return
  const theirHead = m.checkpoint ? m.checkpoint.block.height : ctx.genesis.height
  maybeSendCheckpoint(sc, m.from, theirHead + 1)
  if (m.view === s.view && s.mode === 'normal' && s.lastNewView?.view === m.view && isPrimary(sc)) {
    // A replica still waiting in a view we finished missed our NEW-VIEW (restarted, or it joined
    // late): resend it, at most once per view timeout per replica, since a resend can be lost too.
    const at = s.checkpointSent.get(`nv:${m.from}`)
    if (at === undefined || sc.now - at >= s.opts.viewTimeoutMs) { s.checkpointSent.set(`nv:${m.from}`, sc.now); send(sc, m.from, s.lastNewView) }
    return
  }
  if (m.view < s.view || (m.view === s.view && s.mode === 'normal')) return
  const have = s.viewChanges.get(m.from)
  if (have && have.view >= m.view) return
  if (!verifyViewChange(ctx, m, sc.q)) { log(sc, 'debug', 'invalid view-change', { from: m.from }); return }
  s.viewChanges.set(m.from, m)
  noteAhead(sc, m.from, theirHead + 1)
  seenInView(sc, m.from, m.view)
  tryNewView(sc)
}

/**
 * A normal-case message from a view above ours says its sender works in that view. A validator
 * restarted after the others changed view hears no view-change, only their votes: counted here,
 * f+1 of them make it join the view change, and the new primary resends it the NEW-VIEW.
 */
export function noteHigherView<B extends ProposalLike>(sc: StepCtx<B>, m: PrePrepare<B> | Prepare | Commit): void {
  const { s, ctx } = sc
  if (m.view <= s.view || m.from === ctx.self || (s.viewsSeen.get(m.from) ?? -1) >= m.view) return
  if (!verifyMessageSig(ctx, m)) return // also refuses a non-validator
  seenInView(sc, m.from, m.view)
}

/** PBFT §4.4: once f+1 replicas were seen in views above ours, at least one of them is honest: join the (f+1)-th highest. */
function seenInView<B extends ProposalLike>(sc: StepCtx<B>, from: string, view: number): void {
  const { s } = sc
  if (view > (s.viewsSeen.get(from) ?? -1)) s.viewsSeen.set(from, view)
  const higher = [...s.viewsSeen.values()].filter((v) => v > s.view).sort((a, b) => b - a)
  if (higher.length >= sc.f + 1) startViewChange(sc, higher[sc.f]!)
}

export interface NewViewPlan<B> { checkpoint: CommittedBlock<B> | null; head: BlockRef; reproposals: PrePrepare<B>[] }

/**
 * Recomputes what a NEW-VIEW must hold: the highest checkpoint, then for each height above it the
 * highest-view prepared block that extends the one chosen below, until a height has none. A block
 * committed anywhere is among them: its replica committed every height below it first, and a
 * quorum of view-changes holds a prepared certificate of each (PBFT §4.4, per height).
 */
export function planNewView<B extends ProposalLike>(ctx: ConsensusContext<B>, vcs: ViewChange<B>[], quorum: number): NewViewPlan<B> | null {
  let best: { ref: BlockRef; c: CommittedBlock<B> | null } | null = null
  for (const vc of vcs) {
    const ref = checkpointHead(ctx, vc.checkpoint, quorum)
    if (ref === null) return null
    if (!best || ref.height > best.ref.height) best = { ref, c: vc.checkpoint }
  }
  if (!best) return null
  const reproposals: PrePrepare<B>[] = []
  for (let parent = best.ref; ;) {
    let pick: PrePrepare<B> | null = null
    for (const vc of vcs) for (const pc of vc.prepared) {
      const pp = pc.prePrepare
      if (pp.height === parent.height + 1 && pp.block.parent === parent.hash && (!pick || pp.view > pick.view)) pick = pp
    }
    if (!pick) break
    reproposals.push(pick)
    parent = { hash: pick.digest, height: pick.height, time: pick.block.time }
  }
  return { checkpoint: best.c, head: best.ref, reproposals }
}

/** The new primary sends NEW-VIEW once it holds 2f+1 view-changes for its view. */
export function tryNewView<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s, ctx } = sc
  if (s.mode !== 'view-change' || !isPrimary(sc) || s.newViewDone >= s.view) return
  const view = s.view
  if ([...s.viewChanges.values()].filter((v) => v.view === view).length < sc.q) return
  s.viewChanges.set(ctx.self, makeViewChange(sc, view)) // own, with the freshest head
  const vcs = ctx.validators.map((id) => s.viewChanges.get(id)).filter((v): v is ViewChange<B> => v?.view === view)
  const plan = planNewView(ctx, vcs, sc.q)
  if (!plan) return
  const pps = plan.reproposals.map((r) =>
    sign(sc, { type: 'pre-prepare', view, height: r.height, digest: r.digest, block: r.block, from: ctx.self, sig: new Uint8Array() } as PrePrepare<B>))
  const nv = sign(sc, { type: 'new-view', view, from: ctx.self, viewChanges: vcs, prePrepares: pps, sig: new Uint8Array() } as NewView<B>)
  persist(sc, { kind: 'view', view, mode: 'normal', fixed: Math.max(s.fixedHeight, plan.head.height) })
  for (const pp of pps) { s.votes.set(voteKey('pp', view, pp.height), pp.digest); persist(sc, { kind: 'pre-prepare', msg: pp }) }
  broadcast(sc, nv)
  enterNewView(sc, nv, plan)
}

/** PBFT §4.4: a backup accepts NEW-VIEW only if it recomputes the same O from 2f+1 valid view-changes. */
export function onNewView<B extends ProposalLike>(sc: StepCtx<B>, m: NewView<B>): void {
  const { s, ctx } = sc
  if (m.view < s.view || s.newViewDone >= m.view) return
  if (m.from !== primaryOf(ctx.validators, m.view) || m.from === ctx.self) return
  if (m.viewChanges.length > sc.n || !verifyMessageSig(ctx, m)) return
  const senders = new Set<string>()
  for (const vc of m.viewChanges) {
    if (vc.view !== m.view || senders.has(vc.from) || !verifyViewChange(ctx, vc, sc.q)) { log(sc, 'warn', 'bad view-change in new-view', { from: m.from }); return }
    senders.add(vc.from)
  }
  if (senders.size < sc.q) { log(sc, 'warn', 'new-view without 2f+1 view-changes', { from: m.from }); return }
  const plan = planNewView(ctx, m.viewChanges, sc.q)
  if (!plan) return
  const want = plan.reproposals, got = m.prePrepares
  if (got.length !== want.length || got.some((pp, i) => pp.view !== m.view || pp.height !== want[i]!.height || pp.digest !== want[i]!.digest ||
    pp.block.hash !== pp.digest || pp.from !== m.from || !verifyMessageSig(ctx, pp))) {
    log(sc, 'warn', 'new-view does not match its view-changes', { from: m.from })
    return
  }
  if (m.view > s.view || s.mode === 'view-change' || plan.head.height > s.fixedHeight) {
    s.view = m.view
    persist(sc, { kind: 'view', view: m.view, mode: 'normal', fixed: Math.max(s.fixedHeight, plan.head.height) })
  }
  enterNewView(sc, m, plan)
}

function enterNewView<B extends ProposalLike>(sc: StepCtx<B>, nv: NewView<B>, plan: NewViewPlan<B>): void {
  const { s } = sc
  s.view = nv.view
  s.mode = 'normal'
  s.newViewDone = nv.view
  s.lastNewView = nv
  // the checkpoint fixes every height up to it: fresh proposals there are never voted on, even by a
  // replica whose head is below it (it syncs), nor made by a primary that is behind
  s.fixedHeight = Math.max(s.fixedHeight, plan.head.height)
  cancelTimer(sc, 'view-change')
  cancelTimer(sc, 'view')
  for (const [from, vc] of s.viewChanges) if (vc.view <= nv.view) s.viewChanges.delete(from)
  gc(s)
  log(sc, 'info', 'new view', { view: nv.view, checkpoint: plan.head.height })
  if (plan.checkpoint && plan.head.height === s.head.height + 1 && plan.checkpoint.block.parent === s.head.hash) {
    commitCertified(sc, plan.checkpoint)
  } else if (plan.head.height > s.head.height + 1) {
    s.syncAskedAt = s.head.height
    sc.out.push({ type: 'requestSync', fromHeight: s.head.height + 1, peers: nv.viewChanges.map((v) => v.from).filter((id) => id !== sc.ctx.self) })
  }
  for (const pp of nv.prePrepares) {
    if (pp.height <= s.head.height) continue
    const slot = slotOf(s, pp.height)
    slot.prePrepares.set(nv.view, pp)
    // taken on its prepared certificate (PBTS: not judged against this clock), even if a fresh
    // proposal from this primary at that height arrived first and was refused as untimely
    slot.rejected.delete(nv.view)
  }
  progress(sc)
}
