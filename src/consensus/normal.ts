// PBFT normal case (§4.3): pre-prepare, prepare, commit over blocks, one height in flight at a
// time (commits are strictly in height order), plus catch-up by a certified block.
import { broadcast, cancelTimer, isPrimary, log, noteAhead, persist, send, setTimer, sign, type StepCtx } from './effects.js'
import { primaryOf, validCertSigs, verifyCertificate, verifyMessageSig } from './quorum.js'
import { gc, setHead, slotOf, voteKey } from './state.js'
import type { CheckpointMsg, Commit, CommittedBlock, PrePrepare, Prepare, PreparedCert, ProposalLike } from './types.js'


/** Early filter (stale (height, view) first, before any signature check); true = keep going. */
function admit<B extends ProposalLike>(sc: StepCtx<B>, m: PrePrepare<B> | Prepare | Commit): boolean {
  const { s } = sc
  if (m.from === sc.ctx.self || !sc.ctx.validators.includes(m.from)) return false
  if (m.height <= s.head.height) { maybeSendCheckpoint(sc, m.from, m.height); return false }
  if (m.view < s.view || m.view > s.view + s.opts.maxViewAhead || m.height > s.head.height + s.opts.watermarkWindow) {
    // not stored (stale view or beyond the high watermark), but a signed claim that the sender
    // is ahead of us, which is what triggers block sync
    if (m.height > s.head.height + 1 && (s.ahead.get(m.from) ?? -1) < m.height && verifyMessageSig(sc.ctx, m)) noteAhead(sc, m.from, m.height)
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
  noteAhead(sc, m.from, m.height)
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
  noteAhead(sc, m.from, m.height)
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
  const h = s.head.height + 1
  if (view !== s.view || s.mode !== 'normal' || !isPrimary(sc) || block.height !== h || block.parent !== s.head.hash) return
  if (s.votes.has(voteKey('pp', view, h)) || slotOf(s, h).prePrepares.has(view)) return
  const reason = sc.ctx.validateBlock(block, s.head, sc.now)
  if (reason !== null) { s.proposalAsked = null; log(sc, 'warn', 'own proposal invalid', { reason }); return }
  const pp = sign(sc, { type: 'pre-prepare', view, height: h, digest: block.hash, block, from: sc.ctx.self, sig: new Uint8Array() } as PrePrepare<B>)
  s.votes.set(voteKey('pp', view, h), block.hash)
  persist(sc, { kind: 'pre-prepare', msg: pp })
  slotOf(s, h).prePrepares.set(view, pp)
  broadcast(sc, pp)
  progress(sc)
}

/** Ordered list of votes by validator order (deterministic certificates). */
function byValidator<T extends { from: string }>(sc: StepCtx<ProposalLike>, votes: Iterable<T>): T[] {
  const order = sc.ctx.validators
  return [...votes].sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from))
}

/** Drives the in-flight height as far as the stored messages allow, then the next ones. */
export function progress<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s, ctx } = sc
  for (;;) {
    if (s.mode !== 'normal') return
    const v = s.view
    const h = s.head.height + 1
    const slot = s.slots.get(h)
    const pp = slot?.prePrepares.get(v)
    if (!slot || !pp) { maybePropose(sc); return }
    const self = ctx.self
    const primary = primaryOf(ctx.validators, v)
    if (self !== primary && !s.votes.has(voteKey('p', v, h)) && !slot.rejected.has(v)) {
      // never prepare a block the app rejects (bad parent, time, txs)
      const reason = pp.block.parent !== s.head.hash ? 'parent is not the committed head' : ctx.validateBlock(pp.block, s.head, sc.now)
      if (reason !== null) { slot.rejected.add(v); log(sc, 'warn', 'rejected proposal', { reason }); return }
      const prepare = sign(sc, { type: 'prepare', view: v, height: h, digest: pp.digest, from: self, sig: new Uint8Array() } as Prepare)
      s.votes.set(voteKey('p', v, h), pp.digest)
      persist(sc, { kind: 'prepare', msg: prepare })
      let votes = slot.prepares.get(v)
      if (!votes) slot.prepares.set(v, votes = new Map())
      votes.set(self, prepare)
      broadcast(sc, prepare)
    }
    const myPrepare = s.votes.get(voteKey('p', v, h))
    if (self !== primary && myPrepare !== pp.digest) return
    const matching = byValidator(sc, [...(slot.prepares.get(v)?.values() ?? [])].filter((p) => p.digest === pp.digest))
    if (matching.length < sc.q - 1) return // prepared = pre-prepare + 2f matching prepares
    const myCommit = s.votes.get(voteKey('c', v, h))
    if (myCommit === undefined) {
      const prepared: PreparedCert<B> = { prePrepare: pp, prepares: matching.slice(0, sc.q - 1) }
      const certSig = ctx.sign(ctx.commitPayload(pp.block))
      const commit = sign(sc, { type: 'commit', view: v, height: h, digest: pp.digest, from: self, certSig, sig: new Uint8Array() } as Commit)
      s.votes.set(voteKey('c', v, h), pp.digest)
      s.prepared = prepared
      persist(sc, { kind: 'commit', msg: commit, prepared })
      let votes = slot.commits.get(v)
      if (!votes) slot.commits.set(v, votes = new Map())
      votes.set(self, commit)
      broadcast(sc, commit)
    } else if (myCommit !== pp.digest) return
    // committed-local: prepared and 2f+1 matching commits whose certificate signatures verify
    const commits = byValidator(sc, [...(slot.commits.get(v)?.values() ?? [])].filter((c) => c.digest === pp.digest))
    if (commits.length < sc.q) return
    const certificate = validCertSigs(ctx, pp.block, commits.map((c) => ({ signer: c.from, sig: c.certSig })))
    if (certificate.length < sc.q) {
      const good = new Set(certificate.map((c) => c.signer))
      for (const c of commits) if (!good.has(c.from)) slot.commits.get(v)!.delete(c.from) // drop bad certificate signatures
      return
    }
    commitCertified(sc, { block: pp.block, certificate })
  }
}

/** Emits the commit (strictly the next height), records it, moves the watermarks and timers. */
export function commitCertified<B extends ProposalLike>(sc: StepCtx<B>, head: CommittedBlock<B>): void {
  const { s, ctx } = sc
  sc.out.push({ type: 'commit', block: head.block, certificate: head.certificate })
  persist(sc, { kind: 'committed', head })
  advanceHead(sc, head)
  log(sc, 'debug', 'committed', { h: head.block.height, hash: head.block.hash })
  if (isPrimary(sc) && s.mode === 'normal' && sc.s.opts.blockIntervalMs > 0) setTimer(sc, 'propose', s.opts.blockIntervalMs)
  void ctx
}

/** Moves the head to a committed block (by consensus or block sync) and collects garbage. */
export function advanceHead<B extends ProposalLike>(sc: StepCtx<B>, head: CommittedBlock<B>): void {
  const { s, ctx } = sc
  const oldest = s.pending.keys().next().value
  for (const id of ctx.requestIds(head.block)) s.pending.delete(id)
  setHead(s, head)
  s.viewChangeAttempts = 0
  s.proposalAsked = null
  gc(s)
  // progress was made: the view timer restarts; the request timer restarts only when the oldest
  // pending request got in (a primary that censors one tx cannot keep the timer alive)
  cancelTimer(sc, 'view')
  if (oldest !== undefined && !s.pending.has(oldest)) cancelTimer(sc, 'request')
}

/** The primary asks the app for a block at the next height (paced by the block interval). */
export function maybePropose<B extends ProposalLike>(sc: StepCtx<B>): void {
  const { s } = sc
  if (s.mode !== 'normal' || !isPrimary(sc) || s.timers.has('propose')) return
  if (s.pending.size === 0 && !s.opts.idleBlocks) return
  const h = s.head.height + 1
  const key = `${s.view}:${h}`
  if (s.proposalAsked === key || s.votes.has(voteKey('pp', s.view, h))) return
  s.proposalAsked = key
  sc.out.push({ type: 'requestProposal', height: h, view: s.view, parent: { ...s.head } })
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
