// The receipt (DESIGN.md "Receipt") and the trust root a verifier holds. Formats only: the node
// builds receipts, src/verify checks them.
import type { Genesis } from './genesis.js'
import type { Handover } from './epoch.js'
import type { TxHeader } from './tx.js'

export const RECEIPT_FORMAT = 'courtchain.receipt/v1'
export const TRUST_ROOT_FORMAT = 'courtchain.trust-root/v1'

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
  /** Who deposited it: the signed tx header, the signature, and the item's path to itemsRoot. */
  depositor: {
    id: string
    publicKey: string
    tx: TxHeader
    sig: string
    item: number
    itemProof: string[]
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
