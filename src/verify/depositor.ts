// The depositor check of a receipt, for this chain's receipts and foreign ones alike: the
// depositor's key signed the tx that carries the item, and that signature is the one the block
// certified by the receipt's checkpoint carries (the tx root is over signed tx hashes).
//
// Why the key needs no registry here once the signature is bound: under the pinned Ed25519 rule
// (crypto/ed25519-rule.ts: S < L, no small-order key or R, cofactorless) a signature verifies
// under one key only — the rule makes Ed25519 strongly binding (Chalkias, Garillot, Nikolaenko,
// "Taming the many EdDSAs", 2020, §5) — and the validators that certified the block verified it
// under the sender's registered key at that height.
import { blockHash, itemLeafInput, signedTxHash, txSigningBytes, type EvidenceRecord, type Receipt } from '../chain/index.js'
import { sha256 } from '../crypto/portable.js'
import { hashLeaf, verifyInclusion } from '../merkle/index.js'
import { fromBase64, fromHex, toHex } from '../util/index.js'
import type { CheckDetailKey } from './details.js'

export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean

const proof = (list: string[], label: string): Uint8Array[] => list.map((p, i) => fromBase64(p, `${label}[${i}]`))

/**
 * Null when `d` proves who deposited `record`, else what is wrong (a key of CHECK_DETAILS): the signed tx header hashes to
 * the record's tx and has the item under its items root; `d.block` is the block whose hash the
 * checkpoint names (`checkpointBlock`) and the record's height and time; the tx's signed hash
 * (tx hash ‖ d.sig) is at `d.txIndex` under that header's tx root; d.sig verifies with d.publicKey.
 * Throws on fields of the wrong shape (bad hex or base64): the caller reports that as the format.
 */
export function depositorProblem(record: EvidenceRecord, d: Receipt['depositor'], checkpointBlock: string | undefined, verify: Ed25519Verify): CheckDetailKey | null {
  if (d.id !== record.depositor || d.tx.from !== record.depositor || d.tx.chain !== record.chain || d.item !== record.item) return 'depositorHeader'
  const signing = txSigningBytes(d.tx)
  if (toHex(sha256(signing)) !== record.tx) return 'depositorTxHash'
  const item = { digests: record.digests, ...(record.meta ? { meta: record.meta } : {}) }
  if (!verifyInclusion(d.item, d.tx.count, hashLeaf(itemLeafInput(item)), proof(d.itemProof, 'itemProof'), fromHex(d.tx.itemsRoot, 'itemsRoot', 32))) return 'depositorItem'
  const b = d.block
  if (checkpointBlock === undefined || blockHash(b) !== checkpointBlock) return 'depositorBlock'
  if (b.chain !== record.chain || b.height !== record.height || b.time !== record.time) return 'depositorRecordBlock'
  const signed = hashLeaf(fromHex(signedTxHash(record.tx, d.sig), 'signedTxHash', 32))
  if (!verifyInclusion(d.txIndex, b.txCount, signed, proof(d.txProof, 'txProof'), fromHex(b.txRoot, 'txRoot', 32))) return 'depositorTxProof'
  if (!verify(fromHex(d.publicKey, 'publicKey', 32), signing, fromHex(d.sig, 'sig', 64))) return 'depositorSig'
  return null
}

/** True when `d` has the depositor fields of a receipt with their JSON types (the values are checked by depositorProblem). */
export function isDepositorShape(d: unknown): d is Receipt['depositor'] {
  const x = d as Partial<Receipt['depositor']> | null
  return typeof x === 'object' && x !== null && typeof x.id === 'string' && typeof x.publicKey === 'string' && typeof x.sig === 'string' &&
    typeof x.tx === 'object' && x.tx !== null && Number.isSafeInteger(x.item) && Array.isArray(x.itemProof) &&
    typeof x.block === 'object' && x.block !== null && Number.isSafeInteger(x.txIndex) && Array.isArray(x.txProof)
}
