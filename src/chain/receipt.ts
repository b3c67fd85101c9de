// The receipt (docs/formats.md "Receipt") and the trust root a verifier holds. The format, and the one
// pure function that assembles a receipt from a committed block; src/verify checks them.
import { hashLeaf, inclusionProofFromLevels, treeLevels } from '../merkle/index.js'
import { fromHex, toBase64 } from '../util/index.js'
import type { Genesis } from './genesis.js'
import type { Handover } from './epoch.js'
import type { BlockHeader, PreparedBlock } from './block.js'
import type { EvidenceRecord } from './evidence.js'
import type { TxHeader } from './tx.js'

export const RECEIPT_FORMAT = 'courtchain.receipt/v2'
export const TRUST_ROOT_FORMAT = 'courtchain.trust-root/v1'

/** The receipt format before v2 and why verifiers refuse it (docs/internals.md "Receipt"). */
export const RECEIPT_FORMAT_V1 = 'courtchain.receipt/v1'
export const RECEIPT_V1_REFUSED = `${RECEIPT_FORMAT_V1} is no longer verified: ${RECEIPT_FORMAT} proves that the depositor's signature is the one ` +
  'the certified block carries (block header and the tx\'s path to its tx root of signed tx hashes); ask a node of the chain for the receipt again'

export interface Receipt {
  format: typeof RECEIPT_FORMAT
  chain: string
  /**
   * Hash of the genesis of the chain that issued it, for display only (verifiers never rely on
   * it): when a receipt fails against a trust root, it tells which chain the receipt is from.
   */
  genesisHash?: string
  /** Evidence id: lowercase hex of the leaf hash. */
  id: string
  /** The leaf bytes (canonical JSON of the evidence record), base64. */
  leaf: string
  leafIndex: number
  treeSize: number
  /** RFC 6962 inclusion proof, leaf to root, base64 hashes. */
  inclusion: string[]
  /** The signed checkpoint of the block that holds the leaf: its commit certificate. */
  checkpoint: string
  /**
   * Who deposited it: the signed tx header, the signature, the item's path to itemsRoot; and the
   * header of the block holding the tx (the checkpoint's `block`) with the path of the tx's
   * signed hash to its txRoot, which binds the signature to what the quorum certified.
   */
  depositor: {
    id: string
    publicKey: string
    tx: TxHeader
    sig: string
    item: number
    itemProof: string[]
    block: BlockHeader
    txIndex: number
    txProof: string[]
  }
}

export interface TrustRoot {
  format: typeof TRUST_ROOT_FORMAT
  genesis: Genesis
  /** Genesis hash, for display; verifiers recompute it. */
  genesisHash: string
  /**
   * Validator-set handovers after genesis (governance), oldest first; empty until one happens.
   * Each is certified by the quorum of the set before it (verify/trust.ts walks the chain).
   */
  history: Handover[]
}

/** A committed evidence leaf, as a receipt is built from it: the block that holds it and that block's certificate. */
export interface ReceiptSource {
  id: string
  leafIndex: number
  leafBytes: Uint8Array
  record: EvidenceRecord
  pb: PreparedBlock
  certificate: string
}

/**
 * What a receipt takes besides its leaf: the depositor's key, the chain's genesis hash, and, for
 * the receipts of one tx built together, the Merkle levels of its items and of its block's signed
 * tx hashes (treeLevels), computed once instead of per receipt.
 */
export interface ReceiptContext {
  publicKey: string
  genesisHash: string
  itemLevels?: Uint8Array[][]
  txLevels?: Uint8Array[][]
}

/** The Merkle levels of a block's signed tx hashes: what each receipt's txProof is cut from. */
export function txRootLevels(pb: PreparedBlock): Uint8Array[][] {
  return treeLevels(pb.txs.map((t) => hashLeaf(fromHex(t.signedHash, 'signedHash', 32))))
}

/**
 * The JSON receipt of `ev` in the tree of its block's log size: `inclusion` is the leaf's RFC 6962
 * proof in that tree. Precondition: the record's tx is in `ev.pb`.
 */
export function assembleReceipt(ev: ReceiptSource, inclusion: Uint8Array[], c: ReceiptContext): Receipt {
  const { record, pb } = ev
  const txIndex = pb.txs.findIndex((t) => t.hash === record.tx)
  const p = pb.txs[txIndex]
  if (!p) throw new Error(`tx ${record.tx} of evidence ${ev.id} is not in block ${pb.block.header.height}`)
  return {
    format: RECEIPT_FORMAT,
    chain: record.chain,
    genesisHash: c.genesisHash,
    id: ev.id,
    leaf: toBase64(ev.leafBytes),
    leafIndex: ev.leafIndex,
    treeSize: pb.block.header.logSize,
    inclusion: inclusion.map(toBase64),
    checkpoint: ev.certificate,
    depositor: {
      id: record.depositor,
      publicKey: c.publicKey,
      tx: p.header,
      sig: p.tx.sig,
      item: record.item,
      itemProof: inclusionProofFromLevels(record.item, c.itemLevels ?? treeLevels(p.itemLeafHashes)).map(toBase64),
      block: pb.block.header,
      txIndex,
      txProof: inclusionProofFromLevels(txIndex, c.txLevels ?? txRootLevels(pb)).map(toBase64),
    },
  }
}
