// The receipts bundle: every receipt of one deposit run in one file, with the case number, the
// genesis hash of the trust root it was deposited under, and an index by file path, so a whole
// folder can later be checked against it (which files differ, are missing, were added).
import { RECEIPT_FORMAT, type Receipt, type TrustRoot } from '../chain/index.js'
import { NodeError } from '../util/index.js'
import type { DepositResult } from './deposit.js'

export const BUNDLE_FORMAT = 'courtchain.receipt-bundle/v1'

/** One deposited file: its evidence id (the key of its receipt), SHA-256 and size. */
export interface BundleEntry { id: string; sha256: string; size?: number }

export interface ReceiptBundle {
  format: typeof BUNDLE_FORMAT
  chain: string
  /** Genesis hash of the trust root the files were deposited under. */
  genesisHash: string
  caseNo: string | null
  createdAt: string
  /** File path relative to the deposited folder ('/'-separated) → its deposit. */
  index: Record<string, BundleEntry>
  /** Evidence id → receipt. */
  receipts: Record<string, Receipt>
}

/** A file of the folder compared with the bundle: the same digest, another one, not in the folder, or not in the bundle. */
export interface FolderEntry { path: string; status: 'same' | 'changed' | 'missing' | 'added'; sha256?: string; deposited?: BundleEntry }

/** The bundle of a deposit of files; `pathOf` gives each deposited item's key in the index. */
export function makeBundle(result: DepositResult, trustRoot: TrustRoot, pathOf: (path: string) => string, caseNo?: string): ReceiptBundle {
  const index: Record<string, BundleEntry> = {}
  const receipts: Record<string, Receipt> = {}
  for (const d of result.items) {
    if (d.path === undefined) throw new NodeError({ code: 'BUNDLE_NEEDS_FILES' }, 'a receipts bundle indexes files: deposit files, not bare items')
    const key = pathOf(d.path)
    if (index[key] !== undefined) throw new NodeError({ code: 'BUNDLE_PATH_TWICE', path: key }, `two deposited files would share the bundle path "${key}": deposit one folder per bundle`)
    index[key] = { id: d.id, sha256: d.item.digests.sha256, ...(d.item.meta?.size !== undefined ? { size: d.item.meta.size } : {}) }
    receipts[d.id] = d.receipt
  }
  return { format: BUNDLE_FORMAT, chain: result.chainId, genesisHash: trustRoot.genesisHash, caseNo: caseNo ?? null, createdAt: new Date().toISOString(), index, receipts }
}

/** Checks a parsed bundle file's shape; BUNDLE_INVALID names the first problem. */
export function parseBundle(value: unknown, source = 'bundle'): ReceiptBundle {
  const bad = (why: string): NodeError => new NodeError({ code: 'BUNDLE_INVALID', source }, `${source} is not a ${BUNDLE_FORMAT} file: ${why}`)
  const b = value as Partial<ReceiptBundle> | null
  if (b === null || typeof b !== 'object' || b.format !== BUNDLE_FORMAT) throw bad(`"format" is ${JSON.stringify(b?.format)}`)
  if (typeof b.chain !== 'string' || typeof b.genesisHash !== 'string') throw bad('"chain" and "genesisHash" are required')
  if (b.index === null || typeof b.index !== 'object' || b.receipts === null || typeof b.receipts !== 'object') throw bad('"index" and "receipts" are required')
  for (const [path, e] of Object.entries(b.index)) {
    if (typeof e?.id !== 'string' || typeof e.sha256 !== 'string') throw bad(`index entry "${path}" needs an id and a sha256`)
    if ((b.receipts[e.id] as Receipt | undefined)?.format !== RECEIPT_FORMAT) throw bad(`no receipt for "${path}" (evidence ${e.id})`)
  }
  return b as ReceiptBundle
}

/**
 * Every path of the bundle and of the folder, sorted: 'same' or 'changed' when in both (by
 * SHA-256), 'missing' when only in the bundle, 'added' when only in the folder.
 */
export function compareFolder(bundle: ReceiptBundle, files: { path: string; sha256: string }[]): FolderEntry[] {
  const inFolder = new Map(files.map((f) => [f.path, f.sha256]))
  const out: FolderEntry[] = []
  for (const [path, deposited] of Object.entries(bundle.index)) {
    const sha256 = inFolder.get(path)
    if (sha256 === undefined) out.push({ path, status: 'missing', deposited })
    else out.push({ path, status: sha256 === deposited.sha256 ? 'same' : 'changed', sha256, deposited })
  }
  for (const [path, sha256] of inFolder) if (bundle.index[path] === undefined) out.push({ path, status: 'added', sha256 })
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
