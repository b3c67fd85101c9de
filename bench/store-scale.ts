// Store scale benchmark: commitBlock throughput (1000-item blocks, fsync per block), disk bytes
// per evidence item after 100k items, and proof latency on a log built through the bulk path.
// Usage: node dist/bench/store-scale.js [--leaves 1000000] [--dir /tmp/x] [--keep]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { LogAppend } from '../src/merkle/index.js'
import { Store } from '../src/store/index.js'
import { syntheticBlock } from '../test/store/synthetic.js'

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1]! : def
}
const LEAVES = Number(arg('leaves', '1000000'))
const BLOCK_ITEMS = 1000
const root = arg('dir', mkdtempSync(join(tmpdir(), 'courtchain-bench-')))

const dirBytes = (d: string): number => readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0)
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits })

/**
 * Commits `blocks` 1000-item blocks, one batch each: commitBlock (fsync per block) or, with
 * `sync` false, the same single block through the unsynced bulk path. Returns items/s.
 */
async function commitThroughput(store: Store, blocks: number, sync = true): Promise<{ endToEnd: number; storeOnly: number }> {
  const log = await store.openEvidenceLog()
  let writeMs = 0
  const t0 = performance.now()
  for (let b = 0; b < blocks; b++) {
    const { input, pending } = syntheticBlock(log, (store.head()?.height ?? 0) + 1, BLOCK_ITEMS)
    const t = performance.now()
    if (sync) await store.commitBlock(input)
    else await store.bulkAppendEvidence([input])
    writeMs += performance.now() - t
    log.commitAppend(pending)
  }
  const items = blocks * BLOCK_ITEMS
  return { endToEnd: items / ((performance.now() - t0) / 1000), storeOnly: items / (writeMs / 1000) }
}

/** Appends up to `leaves` items through bulkAppendEvidence, 20 blocks per unsynced batch; returns ms spent in the store. */
async function bulkBuild(store: Store, leaves: number): Promise<number> {
  const log = await store.openEvidenceLog()
  let writeMs = 0
  while (log.size < leaves) {
    const batch: ReturnType<typeof syntheticBlock>[] = []
    let after: LogAppend | undefined
    for (let b = 0; b < 20 && (after?.size ?? log.size) < leaves; b++) {
      const block = syntheticBlock(log, (store.head()?.height ?? 0) + 1 + b, BLOCK_ITEMS, { after })
      batch.push(block)
      after = block.pending
    }
    const t = performance.now()
    await store.bulkAppendEvidence(batch.map((b) => b.input))
    writeMs += performance.now() - t
    for (const b of batch) log.commitAppend(b.pending)
  }
  return writeMs
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!
}

async function proofLatency(store: Store): Promise<void> {
  const log = await store.openEvidenceLog()
  const n = log.size
  const rand = (k: number): number => Math.floor(Math.random() * k)
  const runs: [string, () => Promise<unknown>][] = [
    ['inclusion (latest size)', () => log.inclusionProof(rand(n), n)],
    ['inclusion (historical size)', () => { const s = 1 + rand(n); return log.inclusionProof(rand(s), s) }],
    ['consistency (historical → latest)', () => log.consistencyProof(1 + rand(n), n)],
    ['rootAt (historical size)', () => log.rootAt(1 + rand(n))],
  ]
  for (const [name, f] of runs) {
    for (let i = 0; i < 200; i++) await f() // warm the block cache
    const lat: number[] = []
    for (let i = 0; i < 2000; i++) {
      const t = performance.now()
      await f()
      lat.push((performance.now() - t) * 1000)
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: 2000 }, f))
    const parallel = 2000 / ((performance.now() - t0) / 1000)
    console.log(`  ${name}: p50 ${fmt(percentile(lat, 0.5))} µs, p99 ${fmt(percentile(lat, 0.99))} µs; ${fmt(parallel)}/s with 2000 in flight`)
  }
}

async function main(): Promise<void> {
  console.log(`store-scale: dir ${root}, Node ${process.version}`)

  const nosyncDir = join(root, 'nosync')
  const noSync = await Store.open(nosyncDir)
  const nosync = await commitThroughput(noSync, 30, false)
  await noSync.close()
  console.log(`same 1000-item block batches without fsync: ${fmt(nosync.storeOnly)} items/s in the store`)
  const tputDir = join(root, 'commit')
  let store = await Store.open(tputDir)
  const tput = await commitThroughput(store, 100) // 100 blocks = 100k items
  console.log(`commitBlock, 1000-item blocks, fsync per block: ${fmt(tput.storeOnly)} items/s in the store` +
    ` (${fmt(tput.endToEnd)} items/s including leaf hashing and log append)`)
  const before = dirBytes(tputDir)
  await store.compact()
  const after = dirBytes(tputDir)
  console.log(`disk after 100k items: ${fmt(before)} B (${fmt(before / 1e5, 1)} B/item); after compaction ${fmt(after)} B (${fmt(after / 1e5, 1)} B/item)`)
  await store.close()

  const scaleDir = join(root, 'scale')
  store = await Store.open(scaleDir, { writeBufferSize: 64 * 1024 * 1024 })
  const t0 = performance.now()
  const writeSecs = (await bulkBuild(store, LEAVES)) / 1000
  const secs = (performance.now() - t0) / 1000
  console.log(`bulk path: ${fmt(LEAVES)} leaves in ${fmt(secs, 1)} s (${fmt(LEAVES / secs)} items/s with generation,` +
    ` ${fmt(LEAVES / writeSecs)} items/s in the store), ${fmt(dirBytes(scaleDir) / LEAVES, 1)} B/item on disk`)
  await store.close()
  store = await Store.open(scaleDir)
  const t1 = performance.now()
  await store.checkConsistency()
  console.log(`reopen + consistency check (log frontier rebuilt from nodes): ${fmt(performance.now() - t1, 1)} ms`)
  console.log(`proofs on the ${fmt(LEAVES)}-leaf log (sequential latency; throughput with many in flight):`)
  await proofLatency(store)
  await store.close()
  if (!process.argv.includes('--keep')) rmSync(root, { recursive: true, force: true })
}

await main()
