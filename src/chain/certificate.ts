// Commit certificates: ≥ 2f+1 validator signatures, as a C2SP signed note, over the block's
// checkpoint body (DESIGN.md "Checkpoint"). Any signed-note verifier can check one.
import { assembleNote, keyId, verifyNote, vkey } from '../checkpoint/index.js'
import { fromHex, NodeError } from '../util/index.js'
import { blockCheckpointBody, type PreparedBlock } from './block.js'
import { quorumSize } from './genesis.js'
import type { ChainState, VerifySignature } from './state.js'

/** The signed-note vkeys of the current validators (key name = member id). */
export function validatorVkeys(state: ChainState): string[] {
  return state.validators.map((id) => vkey(id, fromHex(state.members.get(id)!.publicKey, 'publicKey', 32)))
}

/** Builds the certificate note from commit votes (signer id + signature over the checkpoint body). */
export function assembleCertificate(pb: PreparedBlock, votes: { signer: string; sig: Uint8Array }[], state: ChainState): string {
  const body = blockCheckpointBody(pb)
  const sigs = [...votes]
    .sort((a, b) => state.validators.indexOf(a.signer) - state.validators.indexOf(b.signer))
    .map((v) => ({ name: v.signer, keyId: keyId(v.signer, fromHex(state.members.get(v.signer)!.publicKey, 'publicKey', 32)), sig: v.sig }))
  return assembleNote(body, sigs)
}

/**
 * Checks that `note` certifies `pb`: its body is the block's checkpoint and ≥ quorum distinct
 * validators of `state` signed it (with `verify`, e.g. the native verifier, else noble).
 * Returns the signers; throws CERT_INVALID otherwise.
 */
export function checkCommitCertificate(pb: PreparedBlock, note: string, state: ChainState, verify?: VerifySignature): string[] {
  const quorum = quorumSize(state.validators.length)
  let verified
  try {
    verified = verifyNote(note, validatorVkeys(state), quorum, verify)
  } catch (e) {
    throw new NodeError({ code: 'CERT_INVALID', height: pb.block.header.height }, `commit certificate of block ${pb.block.header.height}: ${(e as Error).message}`)
  }
  if (verified.body !== blockCheckpointBody(pb)) {
    throw new NodeError({ code: 'CERT_INVALID', height: pb.block.header.height }, `commit certificate of block ${pb.block.header.height} signs another checkpoint`)
  }
  return verified.verified
}
