// The trust root: genesis plus the validator-set history. A verifier holding only the
// genesis walks the handovers in order; each must be certified by a quorum of the set before it,
// so the sets it ends with are the ones the chain really used, epoch by epoch.
import { checkpointOrigin, parseCheckpoint, verifyNote } from '../checkpoint/index.js'
import {
  blockHash, epochAt, handoverHash, initialState, quorumSize, vkeysOf,
  type BlockHeader, type Epoch, type Handover, type TrustRoot, type ValidatorKey,
} from '../chain/index.js'
import { NodeError } from '../util/index.js'

const HEX32_RE = /^[0-9a-f]{64}$/
const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/
/** A trust root longer than this is refused (a DoS bound, far above any real history). */
export const MAX_HANDOVERS = 10_000

export type TrustErrorCode = 'TRUST_ROOT_INVALID' | 'HANDOVER_INVALID'
const bad = (code: TrustErrorCode, message: string, data: Record<string, unknown> = {}): NodeError<{ code: TrustErrorCode }> => new NodeError({ code, ...data }, message)

function checkValidators(v: unknown, i: number): ValidatorKey[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000) throw bad('HANDOVER_INVALID', `history[${i}].validators expected 1 to 1000 entries`, { index: i })
  const ids = new Set<string>()
  for (const k of v as ValidatorKey[]) {
    if (typeof k !== 'object' || k === null || Object.keys(k).length !== 2 || !ID_RE.test(k.id) || !HEX32_RE.test(k.publicKey) || ids.has(k.id)) {
      throw bad('HANDOVER_INVALID', `history[${i}].validators has a malformed or duplicate entry`, { index: i })
    }
    ids.add(k.id)
  }
  return v as ValidatorKey[]
}

/**
 * Checks one handover against the epoch before it: linked by `prev`, its header is the last
 * block of that epoch and names this handover, and that block's commit certificate carries a
 * quorum of the outgoing set. Returns the new epoch; throws HANDOVER_INVALID.
 */
export function verifyHandover(chainId: string, prev: Epoch, h: Handover, index = 0): Epoch {
  const fail = (m: string): never => { throw bad('HANDOVER_INVALID', `handover to epoch ${prev.epoch + 1}: ${m}`, { index }) }
  if (typeof h !== 'object' || h === null) fail('not an object')
  if (h.epoch !== prev.epoch + 1) fail(`epoch ${String(h.epoch)} does not follow ${prev.epoch}`)
  if (h.prev !== prev.hash) fail('"prev" does not link to the previous epoch')
  if (!Number.isSafeInteger(h.start) || h.start <= prev.start) fail(`start ${String(h.start)} is not after the previous epoch's start ${prev.start}`)
  const validators = checkValidators(h.validators, index)
  const hash = handoverHash(chainId, { epoch: h.epoch, start: h.start, validators, prev: h.prev })
  const header = h.header as BlockHeader
  if (typeof header !== 'object' || header === null || header.chain !== chainId || header.height !== h.start - 1) fail(`header is not block ${h.start - 1} of chain ${chainId}`)
  if (header.handover !== hash) fail('the header does not name this handover')
  let signed: { body: string; verified: string[] }
  try {
    // the outgoing set's quorum: fewer signatures (or another set's) are refused here
    signed = verifyNote(String(h.certificate), vkeysOf(prev.validators), quorumSize(prev.validators.length))
  } catch (e) {
    return fail(`certificate: ${(e as Error).message}`)
  }
  const cp = parseCheckpoint(signed.body)
  if (cp.origin !== checkpointOrigin(chainId) || cp.height !== header.height || cp.block !== blockHash(header)) fail('the certificate signs another block')
  return { epoch: h.epoch, start: h.start, validators, hash }
}

/** Every epoch of the chain, from the trust root's genesis and history; throws on the first bad handover. */
export function trustedEpochs(trustRoot: TrustRoot): Epoch[] {
  const chainId = trustRoot.genesis.chainId
  const epochs: Epoch[] = [...initialState(trustRoot.genesis).epochs]
  const history = trustRoot.history ?? []
  if (!Array.isArray(history) || history.length > MAX_HANDOVERS) throw bad('TRUST_ROOT_INVALID', `"history" expected an array of at most ${MAX_HANDOVERS} handovers`)
  history.forEach((h, i) => { epochs.push(verifyHandover(chainId, epochs[epochs.length - 1]!, h, i)) })
  return epochs
}

/** The validator set (and its quorum) that certified block `height`. */
export function certifiersAt(epochs: readonly Epoch[], height: number): { epoch: Epoch; vkeys: string[]; quorum: number } {
  const epoch = epochAt(epochs, height)
  return { epoch, vkeys: vkeysOf(epoch.validators), quorum: quorumSize(epoch.validators.length) }
}
