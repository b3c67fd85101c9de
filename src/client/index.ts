// courtchain/client: the SDK a depositing unit or a verifier runs next to its files (Node only).
export { CourtchainClient, isDuplicateTx, type ClientOptions, type FetchFn } from './client.js'
export {
  deposit, nextNonce, mapPool,
  type DepositInput, type AlreadyDeposited, type DepositOptions, type DepositProgress, type DepositResult, type DepositedItem, type DepositedTx,
} from './deposit.js'
export { hashFiles, collectFiles, mediaTypeOf, type DepositFile, type HashedFile, type HashProgress } from './files.js'
export type { NodeStatus, SubmitOptions, SubmitResult, TxLocation, TxView, TxReceipts, DigestMatch, BlockView, EvidenceView, VerifyRequest, ForeignChainView } from './types.js'
export { BUNDLE_FORMAT, makeBundle, parseBundle, compareFolder, type ReceiptBundle, type BundleEntry, type FolderEntry } from './bundle.js'
