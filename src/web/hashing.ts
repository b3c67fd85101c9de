// Hashes a File in the browser, chunk by chunk (File.slice + incremental hashers), so a
// multi-gigabyte exhibit never has to fit in memory and never leaves the machine.
import { createSha256, createSm3, type Hasher } from '../crypto/portable.js'
import { toHex } from '../util/index.js'

export const CHUNK_BYTES = 4 * 1024 * 1024

export interface FileDigests { sha256: string; sm3?: string; size: number; name: string; type: string }

/** SHA-256 (and SM3 when `withSm3`) of `file`; `onProgress` gets the fraction read, 0..1. */
export async function hashFile(file: Blob & { name?: string }, withSm3: boolean, onProgress: (fraction: number) => void = () => {}): Promise<FileDigests> {
  const hashers: Hasher[] = [createSha256()]
  if (withSm3) hashers.push(createSm3())
  const size = file.size
  onProgress(0)
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(offset, Math.min(size, offset + CHUNK_BYTES)).arrayBuffer())
    for (const hasher of hashers) hasher.update(chunk)
    onProgress(Math.min(1, (offset + chunk.length) / size))
  }
  onProgress(1)
  const [sha, sm] = hashers.map((x) => toHex(x.digest()))
  return { sha256: sha!, ...(sm ? { sm3: sm } : {}), size, name: file.name ?? '', type: file.type }
}
