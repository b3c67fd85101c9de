// Quorum arithmetic and verification of the self-authenticating proofs PBFT passes around:
// commit certificates (stable-checkpoint proofs), prepared certificates and view-changes (§4.4).
import { signedPayload } from './messages.js'
import type { BlockRef, CertSig, CommittedBlock, ConsensusContext, ConsensusMessage, PreparedCert, ProposalLike, ViewChange } from './types.js'

/** f = ⌊(n−1)/3⌋, the number of Byzantine replicas tolerated. */
export function faultsTolerated(n: number): number { return Math.floor((n - 1) / 3) }

/** 2f+1 for n validators. */
export function quorumSize(n: number): number { return 2 * faultsTolerated(n) + 1 }

/** The primary of `view`: validators[view mod n]. */
export function primaryOf(validators: readonly string[], view: number): string {
  return validators[view % validators.length]!
}

/** True when the message's `from` is a validator and its signature verifies. */
export function verifyMessageSig<B extends ProposalLike>(ctx: ConsensusContext<B>, msg: ConsensusMessage<B>): boolean {
  if (!ctx.validators.includes(msg.from)) return false
  return ctx.verify(msg.from, signedPayload(ctx, msg), msg.sig)
}

/** Signs `msg` (whose sig is ignored) as ctx.self. */
export function signMessage<B extends ProposalLike, M extends ConsensusMessage<B>>(ctx: ConsensusContext<B>, msg: M): M {
  return { ...msg, sig: ctx.sign(signedPayload(ctx, msg)) }
}

/** Valid certificate signatures over commitPayload(block), one per distinct validator of the set that certified its height. */
export function validCertSigs<B extends ProposalLike>(ctx: ConsensusContext<B>, block: B, certificate: CertSig[]): CertSig[] {
  const payload = ctx.commitPayload(block)
  const set = ctx.certifiersOf?.(block.height) ?? ctx
  const seen = new Set<string>()
  const ok: CertSig[] = []
  for (const s of certificate) {
    if (seen.has(s.signer) || !set.validators.includes(s.signer)) continue
    if (!set.verify(s.signer, payload, s.sig)) continue
    seen.add(s.signer)
    ok.push(s)
  }
  return ok
}

/**
 * True when `certificate` holds ≥ quorum valid distinct signatures over commitPayload(block);
 * a block of an earlier epoch needs the quorum of its own set (ctx.certifiersOf).
 */
export function verifyCertificate<B extends ProposalLike>(ctx: ConsensusContext<B>, block: B, certificate: CertSig[], quorum = quorumSize(ctx.validators.length)): boolean {
  const earlier = ctx.certifiersOf?.(block.height)
  return validCertSigs(ctx, block, certificate).length >= (earlier ? quorumSize(earlier.validators.length) : quorum)
}

/** The head a checkpoint proves (null = genesis), or null when the proof is invalid. */
export function checkpointHead<B extends ProposalLike>(ctx: ConsensusContext<B>, c: CommittedBlock<B> | null, quorum: number): BlockRef | null {
  if (c === null) return ctx.genesis
  if (c.block.height <= ctx.genesis.height) return null
  if (!verifyCertificate(ctx, c.block, c.certificate, quorum)) return null
  return { hash: c.block.hash, height: c.block.height, time: c.block.time }
}

/** PBFT §4.4: pre-prepare signed by primary(view) for its block, plus 2f prepares from distinct backups that match. */
export function verifyPreparedCert<B extends ProposalLike>(ctx: ConsensusContext<B>, pc: PreparedCert<B>, quorum: number): boolean {
  const pp = pc.prePrepare
  if (pp.block.hash !== pp.digest || pp.block.height !== pp.height) return false
  if (pp.from !== primaryOf(ctx.validators, pp.view) || !verifyMessageSig(ctx, pp)) return false
  const signers = new Set<string>()
  for (const p of pc.prepares) {
    if (p.view !== pp.view || p.height !== pp.height || p.digest !== pp.digest) return false
    if (p.from === pp.from || signers.has(p.from) || !verifyMessageSig(ctx, p)) return false
    signers.add(p.from)
  }
  return signers.size >= quorum - 1
}

/** Checks a view-change's signature, its checkpoint proof and its prepared certificates (above that checkpoint, ascending heights, earlier views). */
export function verifyViewChange<B extends ProposalLike>(ctx: ConsensusContext<B>, vc: ViewChange<B>, quorum: number): boolean {
  if (!verifyMessageSig(ctx, vc)) return false
  const head = checkpointHead(ctx, vc.checkpoint, quorum)
  if (head === null) return false
  let below = head.height
  for (const pc of vc.prepared) {
    const pp = pc.prePrepare
    if (pp.view >= vc.view || pp.height <= below || !verifyPreparedCert(ctx, pc, quorum)) return false
    below = pp.height
  }
  return true
}
