// The node's admin socket: a Unix socket in its data dir, mode 0600, so only the node's own user
// reaches it. It serves what must run inside the process that holds the store (LevelDB lets one
// process open it): a backup of the running node. One JSON line in, one JSON line out.
import { chmod, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { NodeError } from '../util/index.js'

export const ADMIN_SOCKET = 'admin.sock'
const MAX_REQUEST_BYTES = 4096

export interface AdminHandlers {
  /** Writes a backup of the store to `out` (an absolute path the node may write). */
  backup(out: string): Promise<unknown>
}

/** Listens on `<dataDir>/admin.sock` (a stale socket of a dead node is replaced: the store's lock says none runs). */
export async function startAdmin(dataDir: string, handlers: AdminHandlers, log: { warn(o: object, m: string): void }): Promise<{ close(): Promise<void> }> {
  const path = join(dataDir, ADMIN_SOCKET)
  await unlink(path).catch(() => undefined)
  const server: Server = createServer((conn) => {
    let text = ''
    conn.setEncoding('utf8')
    conn.on('data', (d: string) => {
      text += d
      if (text.length > MAX_REQUEST_BYTES) { conn.destroy(); return }
      const nl = text.indexOf('\n')
      if (nl < 0) return
      conn.removeAllListeners('data')
      void answer(text.slice(0, nl)).then((reply) => conn.end(JSON.stringify(reply) + '\n'))
    })
    conn.on('error', () => undefined)
  })
  const answer = async (line: string): Promise<unknown> => {
    try {
      const req = JSON.parse(line) as { op?: unknown; out?: unknown }
      if (req.op === 'backup' && typeof req.out === 'string' && req.out.startsWith('/')) return { ok: true, result: await handlers.backup(req.out) }
      return { ok: false, code: 'BAD_REQUEST', message: 'expected {"op":"backup","out":"<absolute path>"}' }
    } catch (e) {
      return { ok: false, code: (e as { code?: string }).code ?? 'INTERNAL', message: (e as Error).message }
    }
  }
  try {
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(path, resolve) })
    await chmod(path, 0o600)
  } catch (e) {
    // A data dir path too long for a socket name (108 bytes) must not stop the node: backups then need it stopped.
    log.warn({ path, err: (e as Error).message }, 'no admin socket: "courtchain backup" works only while this node is stopped')
    server.close()
    return { close: async () => undefined }
  }
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Sends one request to the node running on `dataDir`; ADMIN_UNREACHABLE when none listens there. */
export function adminRequest(dataDir: string, req: object, timeoutMs = 600_000): Promise<unknown> {
  const path = join(dataDir, ADMIN_SOCKET)
  return new Promise((resolve, reject) => {
    const conn = createConnection(path)
    let text = ''
    const timer = setTimeout(() => { conn.destroy(); reject(new NodeError({ code: 'TIMEOUT' }, `no answer from ${path} in ${timeoutMs} ms`)) }, timeoutMs)
    conn.setEncoding('utf8')
    conn.on('connect', () => conn.write(JSON.stringify(req) + '\n'))
    conn.on('data', (d: string) => { text += d })
    conn.on('end', () => {
      clearTimeout(timer)
      try {
        const reply = JSON.parse(text) as { ok: boolean; result?: unknown; code?: string; message?: string }
        if (reply.ok) resolve(reply.result)
        else reject(new NodeError({ code: reply.code ?? 'INTERNAL' }, reply.message ?? 'the node refused'))
      } catch { reject(new NodeError({ code: 'INTERNAL' }, `unreadable answer from ${path}`)) }
    })
    conn.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? new NodeError({ code: 'ADMIN_UNREACHABLE', path }, `no node is running on ${dataDir}`) : e)
    })
  })
}
