// Scale scenario, run as its own process so its RSS is the store's alone: builds an evidence log
// through the store's bulk path (Store.bulkAppendEvidence, the same key layout as commitBlock:
// block, id index, digest index, tx index, complete-subtree nodes) and, at each checkpoint size,
// measures inclusion-proof latency, disk bytes per item and RSS. Prints progress to stderr and
// one JSON line on stdout.
//   node dist/bench/scale-worker.js --checkpoints 1000000,10000000 [--dir D] [--keep]
// At each checkpoint it also closes the store and runs itself with --serve: a fresh process opens
// the store as a node does (Store.open, the evidence log's upper levels) and serves 10,000 random
// proofs, so its RSS is a node's store at that size without the bulk build's heap (20,000 items per
// batch), cold (first 2,000 proofs) and warm (the last 2,000).
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import type { EvidenceLog, LogAppend } from '../src/merkle/index.js'
import { Store, type CommitBlockInput } from '../src/store/index.js'
import { toHex, utf8 } from '../src/util/index.js'
import { encodeCbor } from '../src/codec/index.js'
import { arg, diskBytes, flag, peakRss, percentile } from './common.js'

const BLOCK_ITEMS = 1000
const TX_ITEMS = 500
const BLOCKS_PER_BATCH = 20
const TIME0 = 1764201600000

const hash = (s: string): Buffer => createHash('sha256').update(s).digest()
const leafHash = (leaf: Uint8Array): Uint8Array => createHash('sha256').update(Uint8Array.of(0)).update(leaf).digest()

/**
 * Block `height` of synthetic single-digest deposits (the common case: one sha256 and a size),
 * leaf bytes in RFC 8785 key order as the node writes them. Cheap to generate, so the build
 * measures the store rather than the generator.
 */
function block(log: EvidenceLog, height: number, after: LogAppend | undefined): { input: CommitBlockInput; pending: LogAppend } {
  const from = after?.size ?? log.size
  const txHex = Array.from({ length: BLOCK_ITEMS / TX_ITEMS }, (_, t) => hash(`tx/${height}/${t}`).toString('hex'))
  const time = TIME0 + height * 50
  const leaves: Uint8Array[] = []
  const digests: string[] = []
  for (let i = 0; i < BLOCK_ITEMS; i++) {
    const d = hash(`digest/${from + i}`).toString('hex')
    digests.push(d)
    leaves.push(utf8(`{"chain":"bench","depositor":"notary-1","digests":{"sha256":"${d}"},"height":${height},"item":${i % TX_ITEMS},` +
      `"meta":{"size":${1024 + (i & 1023)}},"time":${time},"tx":"${txHex[Math.floor(i / TX_ITEMS)]}","v":1}`))
  }
  const ids = leaves.map(leafHash)
  const pending = log.append(ids, after)
  return {
    pending,
    input: {
      height, hash: hash(`block/${height}`), blockBytes: blockBytes(height, time, txHex, digests),
      certificate: `courtchain/bench\n${pending.size}\n${toHex(pending.root)}\nheight ${height}\nblock ${'0'.repeat(64)}\ntime ${time}\n\n— court-1 ${'A'.repeat(88)}\n— court-2 ${'A'.repeat(88)}\n— court-3 ${'A'.repeat(88)}\n`,
      txs: txHex.map((h, index) => ({ hash: h, index })),
      evidence: leaves.map((_, i) => ({ leafIndex: from + i, id: ids[i]!, digests: [{ alg: 'sha256' as const, hex: digests[i]! }] })),
      logWrites: pending.writes, logSize: pending.size, logRoot: pending.root,
      state: [{ key: 'stats', value: utf8(`{"txs":${height * 2}}`) }],
    },
  }
}

/** CBOR of the block these deposits came in (same shape and size as a node's), since the store keeps blocks, not leaves. */
function blockBytes(height: number, time: number, txHex: string[], digests: string[]): Uint8Array {
  return encodeCbor({
    header: { v: 1, chain: 'bench', height, time, parent: '0'.repeat(64), txRoot: '0'.repeat(64), txCount: txHex.length, logSize: 0, logRoot: '0'.repeat(64) },
    txs: txHex.map((h, t) => ({
      v: 1, chain: 'bench', type: 'deposit', from: 'notary-1', nonce: height * 10 + t, sig: h + h,
      items: digests.slice(t * TX_ITEMS, (t + 1) * TX_ITEMS).map((d, i) => ({ digests: { sha256: d }, meta: { size: 1024 + ((t * TX_ITEMS + i) & 1023) } })),
    })),
  })
}

async function proofLatency(log: EvidenceLog, samples: number): Promise<{ p50Ms: number; p99Ms: number; perSec: number }> {
  const n = log.size
  const rand = (k: number): number => Math.floor(Math.random() * k)
  for (let i = 0; i < 200; i++) await log.inclusionProof(rand(n), n)
  const lat: number[] = []
  const t0 = performance.now()
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    await log.inclusionProof(rand(n), n)
    lat.push(performance.now() - t)
  }
  return { p50Ms: percentile(lat, 0.5), p99Ms: percentile(lat, 0.99), perSec: samples / ((performance.now() - t0) / 1000) }
}

/**
 * --serve: open the store at --dir as a node does, time 2,000 random proofs after proofLatency's
 * 200 warm-up ones (cold: few table pages mapped yet), then 8,000 more and time the last 2,000
 * (warm); RSS after each.
 */
async function serve(dir: string): Promise<void> {
  const store = await Store.open(dir)
  const log = await store.openEvidenceLog()
  const point = async (): Promise<ServedPoint> => {
    const proof = await proofLatency(log, 2000)
    const r = rssParts()
    return { proof, rssBytes: process.memoryUsage().rss, anonBytes: r.anon, fileBytes: r.file }
  }
  const cold = await point()
  for (let i = 0; i < 3; i++) await proofLatency(log, 2000)
  const warm = await point()
  process.stdout.write(JSON.stringify({ leaves: log.size, cold, warm, peakRssBytes: peakRss(process.pid) }) + '\n')
  await store.close()
}
/** Proofs and RSS of the --serve process at one point (bench/run.ts reads these from the JSON line). */
export type ServedPoint = { proof: Awaited<ReturnType<typeof proofLatency>>; rssBytes: number; anonBytes: number; fileBytes: number }
export type Served = { leaves: number; cold: ServedPoint; warm: ServedPoint; peakRssBytes: number | null }
function serveFresh(dir: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    c.stdout.on('data', (d: Buffer) => { out += d })
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Served) : reject(new Error(`serving process exited ${code}`))))
  })
}
if (flag('serve')) {
  await serve(arg('dir', ''))
  process.exit(0)
}

const checkpoints = arg('checkpoints', '200000').split(',').map(Number).sort((a, b) => a - b)
const dir = arg('dir', mkdtempSync(join(tmpdir(), 'cc-bench-scale-')))
const timeLimitMs = Number(arg('time-limit', '3600')) * 1000
let peak = process.memoryUsage().rss
const mib = (n: number): number => Math.round(n / 2 ** 20)
/** RSS and the V8-visible part of it (the rest is LevelDB and malloc). */
const memLine = (): string => {
  const m = process.memoryUsage(), r = rssParts()
  return `rss ${mib(m.rss)} MiB (anonymous ${mib(r.anon)}, mapped files ${mib(r.file)}; V8 heap ${mib(m.heapTotal)}, external ${mib(m.external)})`
}
/** RSS split as Linux counts it: anonymous memory, and pages of memory-mapped files (LevelDB reads its tables through mmap). */
function rssParts(): { anon: number; file: number } {
  try {
    const s = readFileSync('/proc/self/status', 'utf8')
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024
    return { anon: kb('RssAnon'), file: kb('RssFile') }
  } catch { return { anon: NaN, file: NaN } }
}
// The kernel's high-water mark (VmHWM) backs this sampler up: proofs whose reads are synchronous
// never yield to timers, so the sampler misses the proof phase.
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 100)

// LevelDB options as the node opens its store (defaults), so RSS and disk are the node's.
const wbuf = Number(arg('write-buffer-mib', '0'))
const maxOpen = Number(arg('max-open-files', '0'))
const storeOpts = { ...(wbuf > 0 ? { writeBufferSize: wbuf * 2 ** 20 } : {}), ...(maxOpen > 0 ? { maxOpenFiles: maxOpen } : {}) }
let store = await Store.open(join(dir, 'chain'), storeOpts)
let log = await store.openEvidenceLog()
const results: { leaves: number; buildSecs: number; itemsPerSec: number; storeItemsPerSec: number; proof: Awaited<ReturnType<typeof proofLatency>>; diskBytesPerItem: number; rssBytes: number; peakRssBytes: number; heapUsedBytes: number; externalBytes: number; served: Served }[] = []
const t0 = performance.now()
let writeMs = 0
let lastReport = 0
let truncated = false
for (const target of checkpoints) {
  while (log.size < target) {
    if (performance.now() - t0 > timeLimitMs) { truncated = true; break }
    const batch: ReturnType<typeof block>[] = []
    let after: LogAppend | undefined
    for (let b = 0; b < BLOCKS_PER_BATCH && (after?.size ?? log.size) < target; b++) {
      const blk = block(log, (store.head()?.height ?? 0) + 1 + b, after)
      batch.push(blk)
      after = blk.pending
    }
    const t = performance.now()
    await store.bulkAppendEvidence(batch.map((b) => b.input))
    writeMs += performance.now() - t
    for (const b of batch) log.commitAppend(b.pending)
    if (log.size - lastReport >= checkpoints[checkpoints.length - 1]! / 20) {
      lastReport = log.size
      const secs = (performance.now() - t0) / 1000
      process.stderr.write(`  scale: ${log.size.toLocaleString('en-US')} leaves, ${secs.toFixed(0)} s, ${Math.round(log.size / secs).toLocaleString('en-US')} items/s, ${memLine()}\n`)
    }
  }
  if (truncated) break
  const buildSecs = (performance.now() - t0) / 1000
  const proof = await proofLatency(log, 2000)
  const built = {
    leaves: log.size, buildSecs, itemsPerSec: log.size / buildSecs, storeItemsPerSec: log.size / (writeMs / 1000),
    proof, diskBytesPerItem: diskBytes(join(dir, 'chain')) / log.size, rssBytes: process.memoryUsage().rss, peakRssBytes: Math.max(peak, peakRss(process.pid) ?? 0), heapUsedBytes: process.memoryUsage().heapUsed, externalBytes: process.memoryUsage().external,
  }
  await store.close()
  const served = await serveFresh(join(dir, 'chain'))
  for (const [when, p] of [['first 2,000 proofs', served.cold], ['after 10,000', served.warm]] as const) {
    process.stderr.write(`  scale: a fresh process serving ${served.leaves.toLocaleString('en-US')} leaves, ${when}: proof p50/p99 ${p.proof.p50Ms.toFixed(3)}/${p.proof.p99Ms.toFixed(3)} ms, rss ${mib(p.rssBytes)} MiB (anonymous ${mib(p.anonBytes)}, mapped files ${mib(p.fileBytes)})\n`)
  }
  results.push({ ...built, served })
  store = await Store.open(join(dir, 'chain'), storeOpts)
  log = await store.openEvidenceLog()
}
clearInterval(sampler)
await store.close()
if (!flag('keep')) rmSync(dir, { recursive: true, force: true })
process.stdout.write(JSON.stringify({ results, truncated, leafShape: `1 sha256 digest + size, ${TX_ITEMS} items/tx, ${BLOCK_ITEMS} items/block` }) + '\n')
