// A store backup: every key and value of one LevelDB snapshot in one file, with a checksum.
// LevelDB has no online backup, but a snapshot reads the database as it was at one instant while
// commits go on; each block is one atomic batch, so the snapshot holds whole blocks, the head
// that names the last of them, and the consensus WAL as it was then.
//
//   "courtchain-backup/v1\n"
//   u32be n, n bytes of header JSON: {format, storeFormat, height, headHash, createdAt, ...about}
//   entries: u32be key length, key, u32be value length, value   (in key order)
//   u32be 0xffffffff, u64be number of entries
//   SHA-256 of everything before it (32 bytes)
import { createHash, type Hash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { NodeError, readU64be, toHex, utf8 } from '../util/index.js'
import { STORE_FORMAT, u64 } from './keys.js'

export const BACKUP_MAGIC = 'courtchain-backup/v1\n'
const END = 0xffffffff
/** Keys are a bucket byte and a few fields; values at most a block (maxBlockBytes ≤ 2^32 in genesis, far less in practice). */
const MAX_KEY_BYTES = 4096
const MAX_VALUE_BYTES = 256 << 20

export interface BackupHeader {
  format: 1
  storeFormat: number
  /** committed height in the snapshot (0 = none) and its block hash */
  height: number
  headHash: string | null
  createdAt: string
  /** what the node adds: chain id, genesis hash, node id */
  about: Record<string, string>
}

const bad = (file: string, why: string): NodeError => new NodeError({ code: 'BACKUP_INVALID', file }, `backup ${file}: ${why}`)

/** Writes entries to a backup file through one buffer, hashing as it goes. */
export class BackupWriter {
  private readonly hash: Hash = createHash('sha256')
  private buf = new Uint8Array(1 << 20)
  private used = 0
  private count = 0
  bytes = 0

  private constructor(private readonly fh: FileHandle) {}

  /** Creates `file` (never replacing one) and writes the magic and header. */
  static async create(file: string, header: BackupHeader): Promise<BackupWriter> {
    const w = new BackupWriter(await open(file, 'wx', 0o600))
    const h = utf8(JSON.stringify(header))
    await w.put(utf8(BACKUP_MAGIC))
    await w.put(u32(h.length))
    await w.put(h)
    return w
  }

  async entry(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.put(u32(key.length))
    await this.put(key)
    await this.put(u32(value.length))
    await this.put(value)
    this.count++
  }

  /** Writes the end marker, count and checksum, fsyncs and closes; returns the checksum. */
  async finish(): Promise<{ entries: number; bytes: number; sha256: string }> {
    await this.put(u32(END))
    await this.put(u64(this.count))
    await this.flush()
    const digest = this.hash.digest()
    await this.fh.write(digest)
    this.bytes += digest.length
    await this.fh.sync()
    await this.fh.close()
    return { entries: this.count, bytes: this.bytes, sha256: toHex(digest) }
  }

  /** Closes without finishing (the caller removes the partial file). */
  async abort(): Promise<void> { await this.fh.close().catch(() => undefined) }

  private async put(b: Uint8Array): Promise<void> {
    if (this.used + b.length > this.buf.length) await this.flush()
    if (b.length > this.buf.length) { await this.write(b); return }
    this.buf.set(b, this.used)
    this.used += b.length
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return
    await this.write(this.buf.subarray(0, this.used))
    this.buf = new Uint8Array(this.buf.length) // the old one may still be referenced by the write
    this.used = 0
  }

  private async write(b: Uint8Array): Promise<void> {
    this.hash.update(b)
    this.bytes += b.length
    await this.fh.write(b)
  }
}

/**
 * Reads a backup in one pass: the header, then each entry, then the count and checksum, which
 * it checks last. A caller writes the entries somewhere it can throw away, and keeps them only
 * when this resolves (BACKUP_INVALID: truncated, corrupt, or trailing bytes).
 */
export async function readBackup(file: string, onHeader: (h: BackupHeader) => void | Promise<void>, onEntry: (key: Uint8Array, value: Uint8Array) => void | Promise<void>): Promise<{ entries: number; sha256: string }> {
  const fh = await open(file, 'r')
  try {
    const size = (await fh.stat()).size
    if (size < BACKUP_MAGIC.length + 4 + 4 + 8 + 32) throw bad(file, `${size} bytes is too short`)
    const r = new Reader(fh, size - 32, file)
    if (new TextDecoder().decode(await r.take(BACKUP_MAGIC.length)) !== BACKUP_MAGIC) throw bad(file, 'not a courtchain backup')
    const hlen = readU32(await r.take(4))
    if (hlen > 1 << 16) throw bad(file, `header of ${hlen} bytes`)
    const header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await r.take(hlen))) as BackupHeader
    if (header.format !== 1 || header.storeFormat !== STORE_FORMAT) {
      throw bad(file, `format ${header.format} of store format ${header.storeFormat}; this node reads format 1 of store format ${STORE_FORMAT}`)
    }
    await onHeader(header)
    let entries = 0
    for (;;) {
      const klen = readU32(await r.take(4))
      if (klen === END) break
      if (klen === 0 || klen > MAX_KEY_BYTES) throw bad(file, `entry ${entries}: key of ${klen} bytes`)
      const key = await r.take(klen)
      const vlen = readU32(await r.take(4))
      if (vlen > MAX_VALUE_BYTES) throw bad(file, `entry ${entries}: value of ${vlen} bytes`)
      await onEntry(key, await r.take(vlen))
      entries++
    }
    const count = readU64be(await r.take(8))
    if (count !== entries) throw bad(file, `${entries} entries, the trailer says ${count}`)
    if (!r.atEnd) throw bad(file, 'bytes after the entries')
    const want = new Uint8Array(32)
    await fh.read(want, 0, 32, size - 32)
    const got = r.digest()
    if (toHex(got) !== toHex(want)) throw bad(file, 'checksum does not match: the file is corrupt')
    return { entries, sha256: toHex(got) }
  } finally {
    await fh.close()
  }
}

/** Sequential reads of the first `end` bytes of a file, hashed as they are read. */
class Reader {
  private readonly hash = createHash('sha256')
  private buf = new Uint8Array(0)
  private at = 0
  private pos = 0

  constructor(private readonly fh: FileHandle, private readonly end: number, private readonly file: string) {}

  get atEnd(): boolean { return this.at === this.buf.length && this.pos === this.end }

  async take(n: number): Promise<Uint8Array> {
    if (this.buf.length - this.at < n) {
      const rest = this.buf.subarray(this.at)
      const want = Math.min(Math.max(n - rest.length, 1 << 20), this.end - this.pos)
      if (rest.length + want < n) throw bad(this.file, 'truncated')
      const next = new Uint8Array(rest.length + want)
      next.set(rest)
      const { bytesRead } = await this.fh.read(next, rest.length, want, this.pos)
      if (bytesRead !== want) throw bad(this.file, 'truncated')
      this.hash.update(next.subarray(rest.length))
      this.pos += want
      this.buf = next
      this.at = 0
    }
    const out = this.buf.slice(this.at, this.at + n)
    this.at += n
    return out
  }

  digest(): Uint8Array { return this.hash.digest() }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0)
