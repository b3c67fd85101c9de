// What the RPC reads from the node: plain views, declared here where they are used.
import type { Block, EvidenceRecord, NodeStatus, TrustRoot } from '../chain/index.js'

export interface Logger { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void; error(o: unknown, m?: string): void }

/** GET /v1/status (src/chain/status.ts). */
export type StatusView = NodeStatus

/** GET /healthz: ok, or each reason the node cannot do its job. */
export interface HealthView { ok: boolean; height: number; reasons: { code: string; message: string }[] }

export interface TxLocation { height: number; index: number; blockHash: string }
export interface TxView { hash: string; status: 'pending' | 'committed'; location?: TxLocation; tx: unknown }
export interface BlockView { height: number; hash: string; block: Block; certificate: string }
export interface EvidenceView { id: string; leafIndex: number; record: EvidenceRecord; block: { height: number; hash: string }; tx: string }

export interface RpcDeps {
  log: Logger
  status(): StatusView
  /** The health verdict; without it /healthz only says the process answers. */
  health?(): HealthView
  /** Parses, admits and forwards a tx; throws a typed error for any bad input. */
  submitTx(body: unknown): Promise<{ hash: string }>
  /** Resolves with the tx's location once committed, or null after `timeoutMs`. */
  waitForCommit(hash: string, timeoutMs: number): Promise<TxLocation | null>
  getTx(hash: string): Promise<TxView | null>
  getBlock(height: number): Promise<BlockView | null>
  getEvidence(id: string): Promise<EvidenceView | null>
  findEvidence(alg: 'sha256' | 'sm3', digestHex: string, limit: number): Promise<string[]>
  receipt(id: string): Promise<unknown | null>
  /** Every receipt of committed tx `hash` in item order, with where the tx is; null when not committed. */
  txReceipts(hash: string): Promise<(TxLocation & { receipts: unknown[] }) | null>
  /** Evidence ids starting with the lowercase hex `prefix`, at most `limit`. */
  evidenceIdsWithPrefix(prefix: string, limit: number): Promise<string[]>
  receiptText(id: string): Promise<string | null>
  checkpoint(): Promise<string | null>
  consistencyProof(from: number, to: number): Promise<string[]>
  trustRoot(): TrustRoot
  /** Open governance proposals, the rule, the current and any scheduled validator epoch. */
  proposals?(): Promise<unknown>
  verify(body: unknown): Promise<unknown>
  chains(): Promise<unknown>
  caseView(caseNo: string): Promise<unknown>
  stats(): Promise<unknown>
  metrics(): string
  /** Directory of static files for the web page, or null when the page is not served. */
  webRoot: string | null
}
