// Which receipt(s) to check a file against when the user names several (a shell glob such as
// receipts/contract.txt.*.receipt.json expands to every deposit of that name) or a folder:
// the ones whose record carries the file's digest; when none does, the user is asked to name one.
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { RECEIPT_FORMAT, type EvidenceRecord, type Receipt } from '../chain/index.js'
import { parseTlogProof } from '../checkpoint/index.js'
import { NodeError, fromBase64, fromUtf8 } from '../util/index.js'
import { formatTime } from './report.js'

/** A receipt file read; `record` is null when the text is no receipt (verifyReceipt's format check then says why). */
export interface ReceiptFile { path: string; text: string; record: EvidenceRecord | null }
export interface Candidates { files: ReceiptFile[]; folder: boolean; source: string }

/** The evidence record a receipt (JSON or tlog-proof text) carries, or null when `text` is no receipt. */
export function recordOfReceipt(text: string): EvidenceRecord | null {
  try {
    const t = text.trimStart()
    const leaf = t.startsWith('{')
      ? (() => { const r = JSON.parse(t) as Receipt; return r.format === RECEIPT_FORMAT ? fromBase64(r.leaf, 'leaf') : null })()
      : parseTlogProof(text).extra ?? null
    return leaf ? JSON.parse(fromUtf8(leaf, 'leaf')) as EvidenceRecord : null
  } catch { return null }
}

async function readReceiptFile(path: string): Promise<ReceiptFile> {
  let text: string
  try { text = await readFile(path, 'utf8') } catch (e) {
    throw new NodeError({ code: 'FILE_NOT_FOUND', path }, `cannot read receipt: ${(e as Error).message}`)
  }
  return { path, text, record: recordOfReceipt(text) }
}

/**
 * The receipts named by --receipt (a folder of them, or a file) and the extra arguments a glob
 * expanded into; null when one of them is not a receipt (then it was a second file to verify).
 */
export async function receiptCandidates(receipt: string, extra: string[]): Promise<Candidates | null> {
  if ((await stat(receipt).catch(() => null))?.isDirectory()) {
    const names = (await readdir(receipt)).filter((n) => n.endsWith('.json') || n.endsWith('.tlog-proof')).sort()
    const files = (await Promise.all(names.map((n) => readReceiptFile(join(receipt, n))))).filter((f) => f.record !== null)
    if (files.length === 0) throw new NodeError({ code: 'USAGE' }, `${receipt} holds no receipt (*.receipt.json or *.tlog-proof)`)
    return { files, folder: true, source: receipt }
  }
  if (extra.length === 0) return { files: [await readReceiptFile(receipt)], folder: false, source: receipt }
  const given = await Promise.all([receipt, ...extra].map((p) => readReceiptFile(p).catch(() => null)))
  if (given.some((f) => f === null || f.record === null)) return null
  return { files: given as ReceiptFile[], folder: false, source: receipt }
}

/** The receipts of `file` among several: those with its SHA-256; none of them is a USAGE error listing the choices. */
export function chooseReceipts(c: Candidates, file: string, sha256: string): ReceiptFile[] {
  if (c.files.length === 1 && !c.folder) return c.files
  const matching = c.files.filter((f) => f.record?.digests?.sha256 === sha256)
  if (matching.length > 0) return matching
  // From a folder, offer the receipts deposited under this file's name; from a glob, every one given.
  const named = c.folder ? c.files.filter((f) => basename(f.record?.meta?.label ?? '') === basename(file)) : c.files
  const list = named.map((f) => `  ${f.path}  (${f.record?.meta?.label ?? 'no label'}, deposited ${formatTime(f.record!.time)} in block ${f.record!.height})`)
  const none = `none is of this file's sha256 ${sha256}: the file differs from every deposit`
  if (named.length === 0) throw new NodeError({ code: 'USAGE' }, `no receipt in ${c.source} is of ${file} (sha256 ${sha256}); ${c.files.length} receipts read: name its receipt with --receipt <file>`)
  throw new NodeError({ code: 'USAGE' }, `${named.length} receipt${named.length === 1 ? '' : 's'} match; name one (${none}):\n${list.join('\n')}`)
}
