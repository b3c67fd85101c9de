// The LevelDB store (layer 4): see store.ts for the durability rule, keys.ts for the layout.
export { Store, type StoreOptions, type StoredBlock, type EvidenceRef, type WalRecord } from './store.js'
export { type CommitBlockInput, type EvidenceEntry } from './ops.js'
export { type StoreHead, type DigestAlg, STORE_FORMAT } from './keys.js'
export { type BackupHeader } from './backup.js'
export { restoreStore } from './restore.js'
