// Restoring a store from a backup (backup.ts): into `<dir>.restoring` first, and kept only when
// the checksum holds and the store opens consistent, so a bad file never leaves half a store.
import { rename, rm } from 'node:fs/promises'
import { Level } from 'level'
import { readBackup, type BackupHeader } from './backup.js'
import { Store } from './store.js'

/**
 * Builds the store `dir` (which must not exist) from `file`; `check` may refuse the header
 * (another chain), `prepare` writes to the restored store before it takes its place.
 */
export async function restoreStore(file: string, dir: string, o: { check(h: BackupHeader): void; prepare(s: Store): Promise<void> }): Promise<{ header: BackupHeader; entries: number; sha256: string }> {
  const tmp = `${dir}.restoring`
  await rm(tmp, { recursive: true, force: true })
  const db = new Level<Uint8Array, Uint8Array>(tmp, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  let header: BackupHeader | undefined
  let batch = db.batch(), bytes = 0
  try {
    const r = await readBackup(file, (h) => { o.check(h); header = h }, async (k, v) => {
      batch.put(k, v)
      bytes += k.length + v.length
      if (bytes >= 4 << 20) { await batch.write(); batch = db.batch(); bytes = 0 }
    })
    await batch.write({ sync: true })
    await db.close()
    const s = await Store.open(tmp)
    try {
      await s.checkConsistency()
      await o.prepare(s)
    } finally { await s.close() }
    await rename(tmp, dir)
    return { header: header!, ...r }
  } catch (e) {
    await batch.close().catch(() => undefined)
    await db.close().catch(() => undefined)
    await rm(tmp, { recursive: true, force: true })
    throw e
  }
}
