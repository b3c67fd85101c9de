// Validator-set epochs. A governance-approved change of the validator set is scheduled
// `epochDelay` blocks after its approval, so every replica switches at the same height. The last
// block of the outgoing epoch names the handover in its header (`handover`), and its commit
// certificate — signed by the outgoing quorum — is what makes the handover verifiable from
// genesis alone: hash(header) is in the signed checkpoint, the header commits to the new set.
import { sha256 } from '../crypto/portable.js'
import { canonicalJsonBytes } from '../codec/index.js'
import { concatBytes, toHex, utf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import type { BlockHeader } from './header.js'
import type { ChainState, Epoch, Member, PendingEpoch, ValidatorKey } from './state.js'

export type { Epoch, PendingEpoch, ValidatorKey }


/**
 * The public handover record (trust-root history): the new set, linked to the previous record,
 * with the header and commit certificate of the last block of the outgoing epoch.
 */
export interface Handover {
  epoch: number
  start: number
  validators: ValidatorKey[]
  prev: string
  header: BlockHeader
  certificate: string
}

const HANDOVER_TAG = utf8('courtchain/handover/v1\n')

/** SHA-256("courtchain/handover/v1\n" ‖ JCS({chain, epoch, start, validators, prev})). */
export function handoverHash(chain: string, h: { epoch: number; start: number; validators: ValidatorKey[]; prev: string }): string {
  return toHex(sha256(concatBytes(HANDOVER_TAG, canonicalJsonBytes({ chain, epoch: h.epoch, start: h.start, validators: h.validators, prev: h.prev }))))
}

/** The epoch whose set certifies block `height` (precondition: height ≥ 1). */
export function epochAt(epochs: readonly Epoch[], height: number): Epoch {
  let found = epochs[0]!
  for (const e of epochs) if (e.start <= height) found = e
  return found
}

export const currentEpoch = (s: ChainState): Epoch => s.epochs[s.epochs.length - 1]!

/** The `handover` a block at `height` must carry: the pending hash in the epoch's last block. */
export function expectedHandover(s: ChainState, height: number): string | undefined {
  return s.pendingEpoch && s.pendingEpoch.start === height + 1 ? s.pendingEpoch.hash : undefined
}

/**
 * Schedules `ids` (in primary order) as the validator set from height env.height + epochDelay.
 * One change at a time: a second while one is pending is refused.
 */
export function scheduleValidators(s: ChainState, ids: string[], height: number): ChainState {
  if (s.pendingEpoch) throw chainError(ChainErrorCode.TX_FORBIDDEN, `a validator-set change is already scheduled for height ${s.pendingEpoch.start}`)
  if (ids.length === 0) throw chainError(ChainErrorCode.TX_FORBIDDEN, 'the validator set may not become empty')
  const last = currentEpoch(s)
  const validators = ids.map((id) => ({ id, publicKey: s.members.get(id)!.publicKey }))
  const base = { epoch: last.epoch + 1, start: height + s.governance.epochDelay, validators, prev: last.hash }
  return { ...s, pendingEpoch: { ...base, hash: handoverHash(s.chainId, base), approvedAt: height } }
}

/** The validator ids in force after the pending change, if any (what the next change builds on). */
export const plannedValidators = (s: ChainState): string[] => (s.pendingEpoch ? s.pendingEpoch.validators.map((v) => v.id) : [...s.validators])

/** Runs after a block's txs: at the last block of an epoch the scheduled set comes into force. */
export function endOfBlock(s: ChainState, height: number): ChainState {
  const p = s.pendingEpoch
  if (!p || p.start !== height + 1) return s
  const ids = new Set(p.validators.map((v) => v.id))
  const members = new Map<string, Member>()
  for (const [id, m] of s.members) members.set(id, m.validator === ids.has(id) ? m : { ...m, validator: ids.has(id) })
  const epoch: Epoch = { epoch: p.epoch, start: p.start, validators: p.validators, hash: p.hash }
  return { ...s, members, validators: p.validators.map((v) => v.id), epochs: [...s.epochs, epoch], pendingEpoch: null }
}
