// Local files to evidence items: walk, hash (streamed; the content never leaves the machine),
// and describe (size, media type, label). Only digests and this metadata go to the node.
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { hashFile, type HashAlg } from '../crypto/index.js'
import { NodeError, toHex } from '../util/index.js'
import type { Digests } from '../chain/index.js'

/** A file to deposit: its path and the label its evidence record will carry. */
export interface DepositFile { path: string; label?: string }

export interface HashedFile { path: string; size: number; digests: Digests }

export interface HashProgress { files: number; filesTotal: number; bytes: number; bytesTotal: number; path: string }

/**
 * Files hashed at once: for a folder of small files the thread-pool round trips of open, read
 * and close dominate, so several are in flight; a large file is read a 1 MiB chunk at a time, so
 * this bounds memory at a few MiB.
 */
const HASH_CONCURRENCY = 8

/**
 * Streams every file once through each hash in `algs` (sha256 always included), in input order.
 * `onProgress` reports files done and bytes read across all of them.
 */
export async function hashFiles(paths: string[], algs: HashAlg[] = ['sha256'], onProgress?: (p: HashProgress) => void): Promise<HashedFile[]> {
  const wanted: HashAlg[] = algs.includes('sha256') ? [...new Set(algs)] : ['sha256', ...new Set(algs)]
  const sizes = await Promise.all(paths.map(async (p) => {
    try { return (await stat(p)).size } catch (e) { throw fileError(p, e) }
  }))
  const bytesTotal = sizes.reduce((a, b) => a + b, 0)
  const readSoFar = new Array<number>(paths.length).fill(0)
  let bytes = 0
  let files = 0
  const out = new Array<HashedFile>(paths.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++
      const path = paths[i]!
      let fd
      try {
        fd = await hashFile(path, wanted, (read) => {
          bytes += read - readSoFar[i]!
          readSoFar[i] = read
          onProgress?.({ files, filesTotal: paths.length, bytes, bytesTotal, path })
        })
      } catch (e) { throw fileError(path, e) }
      files++
      onProgress?.({ files, filesTotal: paths.length, bytes, bytesTotal, path })
      const digests: Digests = { sha256: toHex(fd.digests.sha256!) }
      if (fd.digests.sm3) digests.sm3 = toHex(fd.digests.sm3)
      out[i] = { path, size: fd.size, digests }
    }
  }
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, paths.length) }, worker))
  return out
}

/**
 * Expands files and directories (recursively, in sorted order) into files with labels: the path
 * relative to the working directory, or, outside it, relative to the argument's parent folder.
 * Symbolic links to folders are not followed (no cycles); other non-regular files are skipped.
 */
export async function collectFiles(args: string[], cwd = process.cwd()): Promise<{ files: DepositFile[]; skipped: string[] }> {
  const files: DepositFile[] = []
  const skipped: string[] = []
  const seen = new Set<string>()
  const add = (abs: string, base: string): void => {
    if (seen.has(abs)) return
    seen.add(abs)
    files.push({ path: abs, label: labelFor(abs, base, cwd) })
  }
  const walk = async (dir: string, base: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p, base)
      else if (e.isFile()) add(p, base)
      else if (e.isSymbolicLink() && (await stat(p).catch(() => null))?.isFile()) add(p, base)
      else skipped.push(p)
    }
  }
  for (const arg of args) {
    const abs = resolve(cwd, arg)
    let st
    try { st = await stat(abs) } catch (e) { throw fileError(arg, e) }
    if (st.isDirectory()) await walk(abs, dirname(abs))
    else if (st.isFile()) add(abs, dirname(abs))
    else skipped.push(abs)
  }
  return { files, skipped }
}

function labelFor(abs: string, base: string, cwd: string): string {
  const fromCwd = relative(cwd, abs)
  const rel = fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : relative(base, abs) || basename(abs)
  const label = rel.split(sep).join('/')
  // The chain caps labels at 1024 characters; keep the end, where the file name is.
  return label.length > 1024 ? '…' + label.slice(label.length - 1023) : label
}

// A small map of what courts usually receive; anything else goes without a media type.
const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf', '.txt': 'text/plain', '.csv': 'text/csv', '.json': 'application/json',
  '.xml': 'application/xml', '.html': 'text/html', '.htm': 'text/html', '.eml': 'message/rfc822',
  '.doc': 'application/msword', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ofd': 'application/ofd', '.zip': 'application/zip', '.gz': 'application/gzip', '.7z': 'application/x-7z-compressed',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp',
  '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heic',
  '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.amr': 'audio/amr', '.m4a': 'audio/mp4',
  '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.avi': 'video/x-msvideo', '.mkv': 'video/x-matroska',
}

/** The media type for a file name's extension, or undefined when unknown. */
export function mediaTypeOf(path: string): string | undefined {
  return MEDIA_TYPES[extname(path).toLowerCase()]
}

function fileError(path: string, e: unknown): NodeError {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new NodeError({ code: 'FILE_NOT_FOUND', path }, `${path}: no such file or directory`)
  if (code === 'EACCES' || code === 'EPERM') return new NodeError({ code: 'FILE_UNREADABLE', path }, `${path}: permission denied`)
  if (e instanceof NodeError) return e
  return new NodeError({ code: 'FILE_UNREADABLE', path, cause: code }, `${path}: ${(e as Error).message}`)
}
