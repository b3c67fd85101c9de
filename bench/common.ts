// Small shared helpers for the benchmark suite: arguments, formatting, percentiles, disk usage,
// and a keep-alive HTTP client (node:http is cheaper per request than fetch, which matters when
// the load generator shares two cores with four validators).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'

export const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def
}
export const flag = (name: string): boolean => process.argv.includes(`--${name}`)

export const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })

/** Nearest-rank percentile of unsorted samples; NaN when there are none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN
  const s = Float64Array.from(xs).sort()
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!
}

/** Bytes a folder takes on disk, as `du` counts them (allocated blocks, not apparent size). */
export function diskBytes(dir: string): number {
  try {
    return Number(execFileSync('du', ['-s', '-B1', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\s+/)[0])
  } catch (e) {
    // du exits 1 when a file it listed is gone before it is read (LevelDB compaction deletes
    // tables while the store is measured); its total of the rest is still the store's size.
    const total = Number(String((e as { stdout?: unknown }).stdout ?? '').split(/\s+/)[0])
    if (Number.isFinite(total) && total > 0) return total
    throw e
  }
}

/** Resident set size high-water mark of a process in bytes (Linux /proc VmHWM), or null. */
export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : null
  } catch { return null }
}

/** User and system CPU seconds from a /proc stat file (a process's or one thread's), or null if it is gone. */
export function statCpuSeconds(path: string): { user: number; sys: number } | null {
  try {
    const stat = readFileSync(path, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 } // USER_HZ
  } catch { return null }
}

/** CPU seconds (user + system, all threads) a process has used so far (Linux /proc), or null. */
export function cpuSeconds(pid: number): number | null {
  const t = statCpuSeconds(`/proc/${pid}/stat`)
  return t && t.user + t.sys
}

/** CPU seconds of each live thread of a process, by tid, the main thread's under "main" (Linux /proc/<pid>/task). */
export function cpuSecondsByThread(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  let tids: string[] = []
  try { tids = readdirSync(`/proc/${pid}/task`) } catch { return out }
  for (const tid of tids) {
    const t = statCpuSeconds(`/proc/${pid}/task/${tid}/stat`) // null: the thread ended
    if (t) out.set(tid === String(pid) ? 'main' : tid, t.user + t.sys)
  }
  return out
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface HttpResult { status: number; body: string }

/** A keep-alive HTTP/1.1 client with at most `sockets` connections per origin. */
export function httpClient(sockets: number): { get(url: string, timeoutMs?: number): Promise<HttpResult>; post(url: string, body: string, timeoutMs?: number): Promise<HttpResult>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })
  const send = (method: string, url: string, body: string | undefined, timeoutMs: number): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const req = request(url, {
        method, agent, timeout: timeoutMs,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end(body)
    })
  return {
    get: (url, timeoutMs = 30_000) => send('GET', url, undefined, timeoutMs),
    post: (url, body, timeoutMs = 60_000) => send('POST', url, body, timeoutMs),
    close: () => agent.destroy(),
  }
}

/** GET a JSON document with fetch (for the orchestrator's occasional status polls). */
export async function getJson<T = any>(url: string, timeoutMs = 5_000): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`)
  return await r.json() as T
}
