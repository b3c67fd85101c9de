// PBFT normal case (§4.3): pre-prepare, prepare, commit over blocks. Up to pipelineDepth heights
// are in flight at once, each built on the block accepted below it; commits are strictly in
// height order. Block times are proposer-based (timely.ts). Plus catch-up by a certified block.
import { broadcast, cancelTimer, isPrimary, log, noteAhead, persist, pipelineDepth, send, setTimer, sign, type StepCtx } from './effects.js'
import { primaryOf, validCertSigs, verifyCertificate, verifyMessageSig } from './quorum.js'
import { gc, setHead, slotOf, voteKey } from './state.js'
import { proposerWait, untimely } from './timely.js'
import type { BlockRef, CheckpointMsg, Commit, CommittedBlock, PrePrepare, Prepare, PreparedCert, ProposalLike } from './types.js'


/** The next height of a replica that votes at `height`: it committed at least height − depth. */
const votedAt = <B extends ProposalLike>(sc: StepCtx<B>, height: number): number => height - pipelineDepth(sc) + 1

/** Early filter (stale (height, view) first, before any signature check); true = keep going. */
function admit<B extends ProposalLike>(sc: StepCtx<B>, m: PrePrepare<B> | Prepare | Commit): boolean {
  const { s } = sc
  if (m.from === sc.ctx.self || !sc.ctx.validators.includes(m.from)) return false
  if (m.height <= s.head.height) { maybeSendCheckpoint(sc, m.from, m.height); return false }
  if (m.view < s.view || m.view > s.view + s.opts.maxViewAhead || m.height > s.head.height + s.opts.watermarkWindow) {
    // not stored (stale view or beyond the high watermark), but a signed claim that the sender
    // is ahead of us, which is what triggers block sync
    const at = votedAt(sc, m.height)
    if (at > s.head.height + 1 && (s.ahead.get(m.from) ?? -1) < at && verifyMessageSig(sc.ctx, m)) noteAhead(sc, m.from, at)
    return false
  }
  return true
}

/** A replica one height behind gets our certified head (once per replica and height). */
export function maybeSendCheckpoint<B extends ProposalLike>(sc: StepCtx<B>, to: string, theirHeight: number): void {
  const { s } = sc
  if (theirHeight !== s.head.height || !s.headCert || to === sc.ctx.self) return
  if (s.checkpointSent.get(to) === theirHeight) return
  s.checkpointSent.set(to, theirHeight)
  send(sc, to, sign(sc, { type: 'checkpoint', from: sc.ctx.self, block: s.headCert.block, certificate: s.headCert.certificate, sig: new Uint8Array() }))
}

/** PBFT §4.3: accept one pre-prepare per (view, height), only from that view's primary. */
export function onPrePrepare<B extends ProposalLike>(sc: StepCtx<B>, m: PrePrepare<B>): void {
  if (m.from !== primaryOf(sc.ctx.validators, m.view)) { log(sc, 'debug', 'pre-prepare from a non-primary', { from: m.from }); return }
  if (!admit(sc, m)) return
  const slot = slotOf(sc.s, m.height)
  const have = slot.prePrepares.get(m.view)
  if (have) {
    if (have.digest !== m.digest) log(sc, 'warn', 'primary equivocated', { from: m.from, h: m.height })
    return
  }
  if (m.block.hash !== m.digest || m.block.height !== m.height || !verifyMessageSig(sc.ctx, m)) return
  slot.prePrepares.set(m.view, m)
  // PBTS: a fresh proposal is judged once, by this replica's clock when it first arrives (`now` is
  // its receipt); an untimely one is never prepared, like an invalid one. Re-proposals come in a
  // NEW-VIEW with their prepared certificates and are not judged again.
  const late = untimely(m.block.time, sc.now, sc.s.opts)
  if (late !== null) { slot.rejected.add(m.view); log(sc, 'warn', 'untimely proposal', { reason: late, h: m.height, from: m.from }) }
  noteAhead(sc, m.from, votedAt(sc, m.height))
  progress(sc)
}

/** PBFT §4.3: prepares come from backups; one per (sender, view, height). */
export function onPrepare<B extends ProposalLike>(sc: StepCtx<B>, m: Prepare): void {
  if (m.from === primaryOf(sc.ctx.validators, m.view) || !admit(sc, m)) return
  storeVote(sc, slotOf(sc.s, m.height).prepares, m)
}

/** PBFT §4.3: commits are stored; they count only once this replica has prepared. */
export function onCommit<B extends ProposalLike>(sc: StepCtx<B>, m: Commit): void {
  if (!admit(sc, m)) return
  storeVote(sc, slotOf(sc.s, m.height).commits, m)
}

/** Keeps the first validly signed vote of each sender per view, then re-evaluates progress. */
function storeVote<B extends ProposalLike, V extends Prepare | Commit>(sc: StepCtx<B>, byView: Map<number, Map<string, V>>, m: V): void {
  let votes = byView.get(m.view)
  if (votes?.has(m.from) || !verifyMessageSig(sc.ctx, m)) return
  if (!votes) byView.set(m.view, votes = new Map())
  votes.set(m.from, m)
  noteAhead(sc, m.from, votedAt(sc, m.height))
  progress(sc)
}

/** A certified block right above our head is committed as is: 2f+1 commit signatures prove it. */
export function onCheckpoint<B extends ProposalLike>(sc: StepCtx<B>, m: CheckpointMsg<B>): void {
  const { s } = sc
  if (m.block.height !== s.head.height + 1) {
    if (m.block.height > s.head.height + 1 && (s.ahead.get(m.from) ?? -1) < m.block.height && verifyMessageSig(sc.ctx, m)) noteAhead(sc, m.from, m.block.height)
    return
  }
  if (m.block.parent !== s.head.hash || !verifyMessageSig(sc.ctx, m)) return
  if (!verifyCertificate(sc.ctx, m.block, m.certificate, sc.q)) return
  commitCertified(sc, { block: m.block, certificate: validCertSigs(sc.ctx, m.block, m.certificate) })
  progress(sc)
}

/** The app built the block the primary asked for (PBFT §4.2: the primary assigns the sequence number). */
export function onProposal<B extends ProposalLike>(sc: StepCtx<B>, block: B, view: number): void {
  const { s } = sc
  const h = block.height
  if (view !== s.view || s.mode !== 'normal' || !isPrimary(sc) || h <= s.head.height || h > s.head.height + pipelineDepth(sc)) return
  if (s.votes.has(voteKey('pp', view, h)) || slotOf(s, h).prePrepares.has(view)) return
  const parent = parentAt(sc, h)
  if (parent === null || block.parent !== parent.hash) return
  // the block's time is this primary's clock reading when it built it: timely here by construction,
  // unless building took longer than the bound (then it is built again)
  const reason = sc.ctx.validateBlock(block, parent) ?? untimely(block.time, sc.now, s.opts)
  if (reason !== null) { s.proposalAsked = null; log(sc, 'warn', 'own proposal invalid', { reason }); return }
  const pp = sign(sc, { type: 'pre-prepare', view, height: h, digest: block.hash, block, from: sc.ctx.self, sig: new Uint8Array() } as PrePrepare<B>)
  s.votes.set(voteKey('pp', view, h), block.hash)
  persist(sc, { kind: 'pre-prepare', msg: pp })
  slotOf(s, h).prePrepares.set(view, pp)
  broadcast(sc, pp)
  // the next proposal waits a block interval, so a busy mempool fills blocks instead of many small ones
  if (s.opts.blockIntervalMs > 0) setTimer(sc, 'propose', s.opts.blockIntervalMs)
  progress(sc)
}

/** The app could not build the block asked for: it is asked again after a block interval. */
export function onProposalFailed<B extends ProposalLike>(sc: StepCtx<B>, height: number, view: number): void {
  const { s } = sc
  if (s.proposalAsked?.view !== view || s.proposalAsked.height !== height) return
  s.proposalAsked = null
  setTimer(sc, 'propose', Math.max(s.opts.blockIntervalMs, 50))
}

/** Ordered list of votes by validator order (deterministic certificates). */
function byValidator<T extends { from: string }>(sc: StepCtx<ProposalLike>, votes: Iterable<T>): T[] {
  const order = sc.ctx.validators
  return [...votes].sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from))
}

const refOf = (b: ProposalLike): BlockRef => ({ hash: b.hash, height: b.height, time: b.time })

/**
 * The block this replica builds on at `h` in the current view: the committed head right above
 * it, else the block it accepted at h−1 in this view (pipelining), when the app can extend it.
 */
function parentAt<B extends ProposalLike>(sc: StepCtx<B>, h: number): BlockRef | null {
  const { s } = sc
  if (h === s.head.height + 1) return s.head
  const below = s.slots.get(h - 1)?.prePrepares.get(s.view)
  return below && sc.ctx.canExtend?.(below.block) ? refOf(below.block) : null
}

/**
 * Drives every height in flight as far as the stored messages allow (lowest first: a height is
 * prepared only on top of the block this replica accepted below it), commits the next height
 * when it is committed-local, and repeats; then the primary may propose.
 */
export function progress<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s } = sc
  for (;;) {
    if (s.mode !== 'normal') return
    const last = s.head.height + pipelineDepth(sc)
    for (let h = s.head.height + 1; h <= last; h++) if (!voteAt(sc, h)) break
    if (!commitNext(sc)) break
  }
  maybePropose(sc)
}

/** Prepare and commit votes at `h`; true when this replica accepted the block there (the next height may build on it). */
function voteAt<B extends ProposalLike>(sc: StepCtx<B>, h: number): boolean {
  const { s, ctx } = sc
  const v = s.view
  const slot = s.slots.get(h)
  const pp = slot?.prePrepares.get(v)
  if (!slot || !pp || h <= s.fixedHeight) return false
  const self = ctx.self
  const primary = primaryOf(ctx.validators, v)
  if (self !== primary && !s.votes.has(voteKey('p', v, h)) && !slot.rejected.has(v)) {
    const parent = parentAt(sc, h)
    if (parent === null) return false // wait: the height below is not accepted (or cannot be extended) yet
    // never prepare a block the app rejects (bad parent, time, txs)
    const reason = pp.block.parent !== parent.hash ? 'parent is not the block below it' : ctx.validateBlock(pp.block, parent)
    if (reason !== null) { slot.rejected.add(v); log(sc, 'warn', 'rejected proposal', { reason, h }); return false }
    const prepare = sign(sc, { type: 'prepare', view: v, height: h, digest: pp.digest, from: self, sig: new Uint8Array() } as Prepare)
    s.votes.set(voteKey('p', v, h), pp.digest)
    persist(sc, { kind: 'prepare', msg: prepare })
    let votes = slot.prepares.get(v)
    if (!votes) slot.prepares.set(v, votes = new Map())
    votes.set(self, prepare)
    broadcast(sc, prepare)
  }
  if (self !== primary && s.votes.get(voteKey('p', v, h)) !== pp.digest) return false
  const myCommit = s.votes.get(voteKey('c', v, h))
  if (myCommit === undefined) {
    const matching = byValidator(sc, [...(slot.prepares.get(v)?.values() ?? [])].filter((p) => p.digest === pp.digest))
    if (matching.length < sc.q - 1) return true // prepared = pre-prepare + 2f matching prepares
    const prepared: PreparedCert<B> = { prePrepare: pp, prepares: matching.slice(0, sc.q - 1) }
    const certSig = ctx.sign(ctx.commitPayload(pp.block))
    const commit = sign(sc, { type: 'commit', view: v, height: h, digest: pp.digest, from: self, certSig, sig: new Uint8Array() } as Commit)
    s.votes.set(voteKey('c', v, h), pp.digest)
    s.prepared.set(h, prepared)
    persist(sc, { kind: 'commit', msg: commit, prepared })
    let votes = slot.commits.get(v)
    if (!votes) slot.commits.set(v, votes = new Map())
    votes.set(self, commit)
    broadcast(sc, commit)
  }
  return true
}

/** Commits head+1 when this replica voted to commit it and 2f+1 matching commit signatures verify. */
function commitNext<B extends ProposalLike>(sc: StepCtx<B>): boolean {
  const { s, ctx } = sc
  const v = s.view
  const h = s.head.height + 1
  const slot = s.slots.get(h)
  const pp = slot?.prePrepares.get(v)
  if (!slot || !pp || pp.block.parent !== s.head.hash || s.votes.get(voteKey('c', v, h)) !== pp.digest) return false
  const commits = byValidator(sc, [...(slot.commits.get(v)?.values() ?? [])].filter((c) => c.digest === pp.digest))
  if (commits.length < sc.q) return false
  const certificate = validCertSigs(ctx, pp.block, commits.map((c) => ({ signer: c.from, sig: c.certSig })))
  if (certificate.length < sc.q) {
    const good = new Set(certificate.map((c) => c.signer))
    for (const c of commits) if (!good.has(c.from)) slot.commits.get(v)!.delete(c.from) // drop bad certificate signatures
    return false
  }
  commitCertified(sc, { block: pp.block, certificate })
  return true
}

/** Emits the commit (strictly the next height), records it, moves the watermarks and timers. */
export function commitCertified<B extends ProposalLike>(sc: StepCtx<B>, head: CommittedBlock<B>): void {
  sc.out.push({ type: 'commit', block: head.block, certificate: head.certificate })
  persist(sc, { kind: 'committed', head })
  advanceHead(sc, head)
  log(sc, 'debug', 'committed', { h: head.block.height, hash: head.block.hash })
}

/** Moves the head to a committed block (by consensus or block sync) and collects garbage. */
export function advanceHead<B extends ProposalLike>(sc: StepCtx<B>, head: CommittedBlock<B>): void {
  const { s, ctx } = sc
  const oldest = s.pending.keys().next().value
  for (const id of ctx.requestIds(head.block)) s.pending.delete(id)
  setHead(s, head)
  s.viewChangeAttempts = 0
  // a block asked for above the new head is still being built: asking again would build it twice
  if (s.proposalAsked !== null && s.proposalAsked.height <= s.head.height) s.proposalAsked = null
  gc(s)
  // progress was made: the view timer restarts; the request timer restarts only when the oldest
  // pending request got in (a primary that censors one tx cannot keep the timer alive)
  cancelTimer(sc, 'view')
  if (oldest !== undefined && !s.pending.has(oldest)) cancelTimer(sc, 'request')
}

/** Requests each in-flight block carries (counted once per block: maybePropose runs on every message). */
const carriedCount = new WeakMap<object, number>()

/**
 * The primary asks the app for a block at the lowest height of the pipeline it has not proposed
 * in this view, on top of its own block below (paced by the block interval). It asks only while
 * some pending request is not already carried by a block in flight.
 */
export function maybePropose<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s, ctx } = sc
  if (s.mode !== 'normal' || !isPrimary(sc) || s.timers.has('propose') || s.head.height < s.fixedHeight) return
  let h = s.head.height + 1
  let parent: BlockRef = s.head
  let carried = 0
  for (;; h++) {
    if (h > s.head.height + pipelineDepth(sc)) return
    const pp = s.slots.get(h)?.prePrepares.get(s.view)
    if (!pp) break
    if (!ctx.canExtend?.(pp.block)) return
    let n = carriedCount.get(pp.block)
    if (n === undefined) carriedCount.set(pp.block, n = ctx.requestIds(pp.block).length)
    carried += n
    parent = refOf(pp.block)
  }
  if (s.votes.has(voteKey('pp', s.view, h))) return // proposed before a restart: the view must change
  if (s.pending.size <= carried && !s.opts.idleBlocks) return
  if (s.proposalAsked?.view === s.view && s.proposalAsked.height === h) return
  // PBTS: the block's time will be this clock's reading, so wait until it is past the parent's
  // (checked again at least every view timeout, in case the clock is set right meanwhile)
  const wait = proposerWait(parent.time, sc.now)
  if (wait > 0) { setTimer(sc, 'propose', Math.min(wait, s.opts.viewTimeoutMs)); return }
  s.proposalAsked = { view: s.view, height: h }
  sc.out.push({ type: 'requestProposal', height: h, view: s.view, parent })
}

/** View timer runs while a request is pending or a proposal is in flight; request timer while any request waits. */
export function updateTimers<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s } = sc
  if (s.mode === 'normal') {
    const waiting = s.pending.size > 0 || s.opts.idleBlocks || !!s.slots.get(s.head.height + 1)?.prePrepares.has(s.view)
    // PBFT §4.5.2: each view that fails to commit waits twice as long as the last, so a
    // block that takes longer than the base timeout to agree on is not abandoned forever.
    if (waiting && !s.timers.has('view')) setTimer(sc, 'view', s.opts.viewTimeoutMs * 2 ** Math.min(s.viewChangeAttempts, s.opts.maxBackoffExponent))
    if (!waiting) cancelTimer(sc, 'view')
  }
  if (s.pending.size > 0 && !s.timers.has('request')) setTimer(sc, 'request', s.opts.requestTimeoutMs)
  if (s.pending.size === 0) cancelTimer(sc, 'request')
}
