// Commit certificates: ≥ 2f+1 validator signatures, as a C2SP signed note, over the block's
// checkpoint body (docs/formats.md "Checkpoint and commit certificate"). Any signed-note verifier
// can check one.
import { assembleNote, keyId, verifyNote, vkey } from '../checkpoint/index.js'
import { fromHex, NodeError } from '../util/index.js'
import { blockCheckpointBody, type PreparedBlock } from './block.js'
import { quorumSize } from './genesis.js'
import { currentEpoch, epochAt, type ValidatorKey } from './epoch.js'
import type { ChainState, VerifySignature } from './state.js'

/** Signed-note vkeys of a validator set (key name = member id). */
export function vkeysOf(validators: readonly ValidatorKey[]): string[] {
  return validators.map((v) => vkey(v.id, fromHex(v.publicKey, 'publicKey', 32)))
}

/** The vkeys of the set that certifies block `height` (default: the next block), from the epoch history. */
export function validatorVkeys(state: ChainState, height?: number): string[] {
  return vkeysOf(height === undefined ? currentEpoch(state).validators : epochAt(state.epochs, height).validators)
}

/** Builds the certificate note from commit votes (signer id + signature over the checkpoint body). */
export function assembleCertificate(pb: PreparedBlock, votes: { signer: string; sig: Uint8Array }[], state: ChainState): string {
  const body = blockCheckpointBody(pb)
  const set = epochAt(state.epochs, pb.block.header.height).validators
  const ids = set.map((v) => v.id)
  const sigs = [...votes]
    .sort((a, b) => ids.indexOf(a.signer) - ids.indexOf(b.signer))
    .map((v) => ({ name: v.signer, keyId: keyId(v.signer, fromHex(set.find((k) => k.id === v.signer)?.publicKey ?? state.members.get(v.signer)!.publicKey, 'publicKey', 32)), sig: v.sig }))
  return assembleNote(body, sigs)
}

/**
 * Checks that `note` certifies `pb`: its body is the block's checkpoint and ≥ quorum distinct
 * validators of the set in force at pb's height signed it (with `verify`, e.g. the native
 * verifier, else noble). `state` must know that epoch (any state at or after pb's parent does).
 * Returns the signers; throws CERT_INVALID otherwise.
 */
export function checkCommitCertificate(pb: PreparedBlock, note: string, state: ChainState, verify?: VerifySignature): string[] {
  const set = epochAt(state.epochs, pb.block.header.height).validators
  const quorum = quorumSize(set.length)
  let verified
  try {
    verified = verifyNote(note, vkeysOf(set), quorum, verify)
  } catch (e) {
    throw new NodeError({ code: 'CERT_INVALID', height: pb.block.header.height }, `commit certificate of block ${pb.block.header.height}: ${(e as Error).message}`)
  }
  if (verified.body !== blockCheckpointBody(pb)) {
    throw new NodeError({ code: 'CERT_INVALID', height: pb.block.header.height }, `commit certificate of block ${pb.block.header.height} signs another checkpoint`)
  }
  return verified.verified
}
