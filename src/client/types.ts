// The JSON shapes of the node's RPC as the client reads them (docs/rpc.md). Declared here,
// where they are used: the client sits beside the RPC (layer 6) and may not import it.
import type { Block, EvidenceRecord, NodeStatus, Receipt, Tx } from '../chain/index.js'

/** GET /v1/status: declared once in src/chain/status.ts, shared with the RPC and the page. */
export type { NodeStatus }

export interface TxLocation { height: number; index: number; blockHash: string }

/** The answer of POST /v1/txs: committed with its location, or still pending after the wait. */
export interface SubmitResult { hash: string; status: 'pending' | 'committed'; height?: number; index?: number; blockHash?: string }

/** GET /v1/txs/:hash/receipts: where the tx is and each item's receipt, in item order. */
export interface TxReceipts extends TxLocation { hash: string; receipts: Receipt[] }

/** One entry of POST /v1/evidence/lookup: a digest already on chain, how often, and its first deposit. */
export interface DigestMatch { digest: string; count: number; first: EvidenceView }

export interface TxView { hash: string; status: 'pending' | 'committed'; location?: TxLocation; tx: Tx }
export interface BlockView { height: number; hash: string; block: Block; certificate: string }
export interface EvidenceView { id: string; leafIndex: number; record: EvidenceRecord; block: { height: number; hash: string }; tx: string }

/** Body of POST /v1/verify: a receipt or an evidence id, the file digest, optionally a case to record it under. */
export interface VerifyRequest {
  receipt?: unknown
  id?: string
  digest?: string
  caseNo?: string
  record?: boolean
  /** Foreign receipts: consistency proof (base64) from the receipt's tree size to the anchored size. */
  consistency?: string[]
  /** The anchored size `consistency` leads to (a moved anchor then gives 409 FOREIGN_STALE_CONSISTENCY). */
  anchoredSize?: number
}

/** One entry of GET /v1/chains: a registered foreign chain and its latest anchor. */
export interface ForeignChainView {
  origin: string
  status: 'active' | 'retired' | 'equivocated'
  quorum: number
  vkeys: string[]
  registeredAt: number
  /** Latest anchored checkpoint: tree size, base64 root, height of the block here that anchored it, the note. */
  anchor: { size: number; root: string; height: number; checkpoint: string } | null
  /** Two conflicting signed checkpoints (notes a and b), anchored at `height`, once it equivocated. */
  fork: { a: string; b: string; height: number } | null
}

export interface SubmitOptions {
  /** 'commit' holds the request until the tx is final (or `timeoutMs` passes: status 'pending'). */
  wait?: 'commit' | 'none'
  timeoutMs?: number
}
