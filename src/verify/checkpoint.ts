// Offline check of a signed checkpoint (docs/formats.md "Checkpoint and commit certificate"): the
// signed-note signatures of at least `quorum` distinct known validator keys, then the strict
// tlog-checkpoint body.
import { parseCheckpoint, verifyNote, type Checkpoint } from '../checkpoint/index.js'

export interface VerifiedCheckpoint extends Checkpoint {
  /** Names of the distinct known keys whose signatures verified, in note order. */
  signers: string[]
}

/** Verifies `note` against Ed25519 `vkeys`; throws NOTE_QUORUM below `quorum` signers. */
export function verifyCheckpoint(note: string, vkeys: string[], quorum: number, verify?: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean): VerifiedCheckpoint {
  const { body, verified } = verifyNote(note, vkeys, quorum, verify)
  return { ...parseCheckpoint(body), signers: verified }
}
