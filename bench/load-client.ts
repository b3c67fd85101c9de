// A load generator process for the networked benchmarks. It prepares its work before the clock
// starts (txs are signed up front), prints `ready`, waits for `go` on stdin, runs for
// warmup + duration seconds and prints one JSON result line. Every loop is bounded by the
// prepared count and by the deadline.
//
//   node dist/bench/load-client.js --mode tx --urls U1,U2 --key unit.json   (chain id and genesis hash: U1's /v1/status)
//        [--items 1] [--concurrency 256 | --rate 1500] [--count 40000] [--warmup 2] [--duration 8]
//   node dist/bench/load-client.js --mode receipt --urls U1,U2 --ids ids.txt --concurrency 64 --duration 5
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { performance } from 'node:perf_hooks'
import { signTx, type EvidenceItem } from '../src/chain/index.js'
import { ed25519Sign, readKeyFile, sha256 } from '../src/crypto/index.js'
import { toHex, utf8 } from '../src/util/index.js'
import { arg, httpClient } from './common.js'

export interface LoadResult {
  mode: string
  /** Requests sent and answered (any status) in the measured window. */
  sent: number
  /** Successful answers (committed txs, or receipts served) completed in the measured window. */
  ok: number
  /** Items in those committed txs. */
  items: number
  errors: number
  /** Answers that were not a success, by HTTP status or error code. */
  errorKinds: Record<string, number>
  windowSecs: number
  /** Latency samples in ms of successful requests sent in the window. */
  latencies: number[]
  /** A few sha256 digests that committed (for later lookups). */
  sampleDigests: string[]
  ranOut: boolean
}

const mode = arg('mode', 'tx')
const urls = arg('urls', '').split(',').filter(Boolean)
const concurrency = Number(arg('concurrency', '64'))
const rate = Number(arg('rate', '0')) // > 0: open loop at this many requests/s
const warmupMs = Number(arg('warmup', '1')) * 1000
const durationMs = Number(arg('duration', '5')) * 1000
const itemsPerTx = Number(arg('items', '1'))
const count = Number(arg('count', '20000'))
const tag = arg('tag', String(process.pid))
/** Seconds after the window to wait for outstanding answers before abandoning them. */
const graceMs = Number(arg('grace', '30')) * 1000
const commitTimeoutMs = warmupMs + durationMs + graceMs
if (urls.length === 0) throw new Error('--urls is required')

interface Job { url: string; body?: string; items: number; digest?: string }

async function prepare(): Promise<Job[]> {
  if (mode === 'receipt') {
    const ids = readFileSync(arg('ids', ''), 'utf8').split('\n').filter(Boolean)
    return Array.from({ length: count }, (_, i) => ({ url: `${urls[i % urls.length]}/v1/evidence/${ids[i % ids.length]}/receipt`, items: 1 }))
  }
  const key = await readKeyFile(arg('key', ''))
  const { chainId: chain, genesisHash } = await (await fetch(`${urls[0]}/v1/status`)).json() as { chainId: string; genesisHash: string }
  let nonce = Date.now() * 1000
  const jobs: Job[] = []
  for (let i = 0; i < count; i++) {
    const items: EvidenceItem[] = []
    for (let k = 0; k < itemsPerTx; k++) {
      items.push({ digests: { sha256: toHex(sha256(utf8(`bench/${tag}/${key.id}/${nonce}/${i}/${k}`))) }, meta: { size: 1024 + k } })
    }
    const p = signTx({ v: 1, chain, type: 'deposit', from: key.id, nonce: nonce++, items }, genesisHash, (m) => ed25519Sign(key.seed, m))
    jobs.push({ url: `${urls[i % urls.length]}/v1/txs?wait=commit&timeoutMs=${commitTimeoutMs}`, body: JSON.stringify(p.tx), items: itemsPerTx, digest: items[0]!.digests.sha256 })
  }
  return jobs
}

async function run(jobs: Job[]): Promise<LoadResult> {
  const http = httpClient(rate > 0 ? 4096 : Math.max(1, Math.ceil(concurrency / urls.length)))
  const t0 = performance.now()
  const winStart = t0 + warmupMs
  const winEnd = winStart + durationMs
  const hardEnd = winEnd + graceMs // answers still outstanding after this are abandoned
  const r: LoadResult = { mode, sent: 0, ok: 0, items: 0, errors: 0, errorKinds: {}, windowSecs: durationMs / 1000, latencies: [], sampleDigests: [], ranOut: false }
  let next = 0
  const one = async (job: Job, sentAt: number): Promise<void> => {
    let okNow = false
    let kind = ''
    try {
      const res = job.body === undefined ? await http.get(job.url, commitTimeoutMs) : await http.post(job.url, job.body, commitTimeoutMs + 5000)
      okNow = res.status === 200
      if (!okNow) kind = `${res.status}:${/"code":"([A-Z_]+)"/.exec(res.body)?.[1] ?? (res.status === 202 ? 'PENDING' : '?')}`
    } catch (e) { kind = (e as Error).message.slice(0, 40) }
    const done = performance.now()
    const inWindow = done >= winStart && done < winEnd
    if (sentAt >= winStart && sentAt < winEnd) r.sent++
    if (okNow) {
      if (inWindow) { r.ok++; r.items += job.items }
      if (sentAt >= winStart && sentAt < winEnd) r.latencies.push(done - sentAt)
      if (job.digest && r.sampleDigests.length < 50 && (r.sampleDigests.length < 20 || Math.random() < 0.05)) r.sampleDigests.push(job.digest)
    } else if (inWindow || sentAt >= winStart) {
      r.errors++
      r.errorKinds[kind] = (r.errorKinds[kind] ?? 0) + 1
    }
  }
  if (rate > 0) {
    // Open loop: a request is due every 1/rate s whatever the answers do; latency counts from the
    // due time, so a stalled server is not hidden (no coordinated omission). At most 20,000 in flight.
    const inflight = new Set<Promise<void>>()
    while (performance.now() < winEnd) {
      const due = t0 + (next / rate) * 1000
      const now = performance.now()
      if (due > now) { await new Promise((res) => setTimeout(res, Math.min(5, due - now))); continue }
      if (next >= jobs.length) { r.ranOut = true; break }
      if (inflight.size >= 20_000) { await Promise.race(inflight); continue }
      const p = one(jobs[next++]!, due).finally(() => inflight.delete(p))
      inflight.add(p)
    }
    await Promise.race([Promise.all(inflight), new Promise((res) => setTimeout(res, Math.max(0, hardEnd - performance.now())))])
  } else {
    // Closed loop: `concurrency` requests always outstanding until the window ends.
    const worker = async (): Promise<void> => {
      while (performance.now() < winEnd) {
        if (next >= jobs.length) { r.ranOut = true; return }
        await one(jobs[next++]!, performance.now())
      }
    }
    await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), new Promise((res) => setTimeout(res, hardEnd - performance.now()))])
  }
  http.close()
  return r
}

const jobs = await prepare()
process.stdout.write('ready\n')
const rl = createInterface({ input: process.stdin })
await new Promise<void>((resolve) => rl.on('line', (l) => { if (l.trim() === 'go') resolve() }))
rl.close()
const result = await run(jobs)
// stdout is a pipe (asynchronous in Node): exit only once the result line is written, or a long
// run's line (many latency samples) is cut off.
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
