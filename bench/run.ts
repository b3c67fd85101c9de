// `npm run bench` (full, minutes) and `npm run bench -- --quick` (under 90 s): every scenario of
// bench/README.md in one run, a readable table, and one final line `BENCH {json}`.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { verifyReceipt } from '../src/verify/index.js'
import { portableEd25519Verify } from '../src/crypto/index.js'
import { BenchDevnet } from './devnet.js'
import { diskBytes, flag, fmt, getJson, peakRss, percentile, sleep } from './common.js'
import { measureLimits } from './limits.js'
import type { LoadResult } from './load-client.js'
import type { Served } from './scale-worker.js'
import { measureHypercore } from './peer.js'
import { benchDir } from './devnet.js'

const QUICK = flag('quick')
const VALIDATORS = 4
const P = QUICK
  ? { jit: 6, warm: 1, sat: 4, half: 4, batch: 4, receipts: 3, verifySecs: 1, catchupItems: 50_000, scale: [100_000], hyperItems: 50_000, hyperProofs: 2000, grace: 4, fillSecs: 15, catchupLimitSecs: 20, scaleLimitSecs: 25 }
  : { jit: 20, warm: 2, sat: 15, half: 15, batch: 15, receipts: 10, verifySecs: 3, catchupItems: 1_000_000, scale: [1_000_000, 10_000_000], hyperItems: 1_000_000, hyperProofs: 20_000, grace: 30, fillSecs: 600, catchupLimitSecs: 900, scaleLimitSecs: 3000 }
const CLIENTS = 2
const BATCH_ITEMS = 500

const B: Record<string, unknown> = { mode: QUICK ? 'quick' : 'full', node: process.version, cores: availableParallelism(), validators: VALIDATORS, loadAvgStart: loadavg().map((x) => +x.toFixed(2)) }
const rows: [string, string, string, string][] = [] // figure, value, target, verdict/note
const row = (figure: string, value: string, target = '', verdict = ''): void => { rows.push([figure, value, target, verdict]) }
const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'pass' : 'MISS')
const log = (s: string): void => { process.stderr.write(`[bench ${((performance.now()) / 1000).toFixed(0)}s] ${s}\n`) }

const merge = (rs: LoadResult[]): { ok: number; items: number; secs: number; lat: number[]; errors: number; errorKinds: Record<string, number>; ranOut: boolean; digests: string[] } => {
  const errorKinds: Record<string, number> = {}
  for (const r of rs) for (const [k, v] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v
  return {
    ok: rs.reduce((n, r) => n + r.ok, 0), items: rs.reduce((n, r) => n + r.items, 0), secs: rs[0]!.windowSecs,
    lat: rs.flatMap((r) => r.latencies), errors: rs.reduce((n, r) => n + r.errors, 0), errorKinds,
    ranOut: rs.some((r) => r.ranOut), digests: rs.flatMap((r) => r.sampleDigests),
  }
}

async function networked(limits: Awaited<ReturnType<typeof measureLimits>>): Promise<void> {
  log('starting a devnet of 4 validator processes')
  const t0 = performance.now()
  const net = await BenchDevnet.start({ nodes: VALIDATORS })
  B.devnetStartSecs = +((performance.now() - t0) / 1000).toFixed(2)
  try {
    const clientArgs = (i: number, a: Record<string, string | number>): string[] =>
      ['--key', net.unitKey(i), '--tag', `c${i}`, ...Object.entries(a).flatMap(([k, v]) => [`--${k}`, String(v)])]

    // Warm-up, not measured: fresh validator processes spend their first seconds compiling
    // (perf showed a fifth of all CPU in V8's optimizing compiler 5-10 s after start), which a
    // short measuring window would count against the chain. Both tx shapes, then let it settle.
    log(`warm-up: ${P.jit} s of single-item and batched load, not measured`)
    await net.runClients([clientArgs(2, { mode: 'tx', items: 1, concurrency: 200, count: P.jit * 2000, warmup: 0, duration: P.jit, grace: P.grace }), clientArgs(4, { mode: 'tx', items: BATCH_ITEMS, concurrency: 6, count: P.jit * 10, warmup: 0, duration: P.jit, grace: P.grace })], 180_000)
    await net.waitIdle(QUICK ? 15_000 : 60_000)
    B.jitWarmupSecs = P.jit

    // 1. Single-item signed txs at saturation (closed loop), then at half that rate (open loop).
    log('scenario 1: single-item txs at saturation')
    const satCount = Math.ceil(((P.warm + P.sat) * 6000) / CLIENTS)
    const sat = merge(await net.runClients([0, 1].map((i) => clientArgs(i, { mode: 'tx', items: 1, concurrency: 400, count: satCount, warmup: P.warm, duration: P.sat, grace: P.grace })), 180_000))
    const satTps = sat.ok / sat.secs
    const stuck: number[][] = []
    stuck.push((await net.waitIdle(QUICK ? 15_000 : 120_000)).stuck)
    const halfRate = Math.max(10, satTps / 2)
    log(`scenario 1: single-item txs at half load (${fmt(halfRate)} tx/s, open loop)`)
    const half = merge(await net.runClients([2, 3].map((i) => clientArgs(i, { mode: 'tx', items: 1, rate: halfRate / CLIENTS, count: Math.ceil(((P.warm + P.half) * halfRate) / CLIENTS) + 10, warmup: P.warm, duration: P.half, grace: P.grace })), 180_000))
    const halfTps = half.ok / half.secs
    stuck.push((await net.waitIdle(QUICK ? 15_000 : 120_000)).stuck)
    const ceiling1 = (limits.ed25519VerifyPerSec * limits.cores) / VALIDATORS
    Object.assign(B, {
      s1SaturationTxPerSec: +satTps.toFixed(1), s1SaturationP50Ms: +percentile(sat.lat, 0.5).toFixed(1), s1SaturationP99Ms: +percentile(sat.lat, 0.99).toFixed(1),
      s1SaturationErrors: sat.errors, s1SaturationErrorKinds: sat.errorKinds, s1SaturationRanOut: sat.ranOut,
      s1HalfOfferedTxPerSec: +halfRate.toFixed(1), s1HalfTxPerSec: +halfTps.toFixed(1), s1HalfP50Ms: +percentile(half.lat, 0.5).toFixed(1), s1HalfP99Ms: +percentile(half.lat, 0.99).toFixed(1),
      s1HalfErrors: half.errors, s1HalfErrorKinds: half.errorKinds,
      s1CeilingTxPerSec: +ceiling1.toFixed(0), s1RatioToCeiling: +(satTps / ceiling1).toFixed(3),
    })
    row('1 single-item txs: committed tx/s at saturation', fmt(satTps), '≥ 3,000', verdict(satTps >= 3000))
    row('  latency at saturation p50 / p99', `${fmt(percentile(sat.lat, 0.5))} / ${fmt(percentile(sat.lat, 0.99))} ms`, '', sat.errors ? `${sat.errors} errors ${JSON.stringify(sat.errorKinds)}` : '')
    row(`  latency at half load (${fmt(halfRate)} tx/s offered, ${fmt(halfTps)} committed) p50`, `${fmt(percentile(half.lat, 0.5))} ms`, '≤ 50 ms', verdict(percentile(half.lat, 0.5) <= 50))
    row('  latency at half load p99', `${fmt(percentile(half.lat, 0.99))} ms`, '≤ 250 ms', verdict(percentile(half.lat, 0.99) <= 250))
    row('  ceiling: native Ed25519 verify/s × cores ÷ validators', `${fmt(ceiling1)} tx/s`, '', `ratio ${(satTps / ceiling1).toFixed(2)}`)

    // 2. Batched deposits, 500 items per tx.
    log(`scenario 2: batched deposits, ${BATCH_ITEMS} items per tx`)
    const batchCount = Math.ceil(((P.warm + P.batch) * (QUICK ? 60 : 80)) / CLIENTS)
    const bat = merge(await net.runClients([4, 5].map((i) => clientArgs(i, { mode: 'tx', items: BATCH_ITEMS, concurrency: 12, count: batchCount, warmup: P.warm, duration: P.batch, grace: P.grace })), 300_000))
    const itemsPerSec = bat.items / bat.secs
    stuck.push((await net.waitIdle(QUICK ? 15_000 : 120_000)).stuck)
    B.stuckInMempoolAfterS1SatS1HalfS2 = stuck
    if (stuck.flat().some((x) => x > 0)) row('  txs left in a mempool after the chain went idle (per validator, after 1-sat / 1-half / 2)', JSON.stringify(stuck), '0', 'MISS (node bug: see README)')
    const ceiling2 = limits.cores / (VALIDATORS * limits.itemCostUs / 1e6)
    Object.assign(B, {
      s2ItemsPerTx: BATCH_ITEMS, s2ItemsPerSec: +itemsPerSec.toFixed(0), s2TxP50Ms: +percentile(bat.lat, 0.5).toFixed(1), s2TxP99Ms: +percentile(bat.lat, 0.99).toFixed(1),
      s2Errors: bat.errors, s2ErrorKinds: bat.errorKinds, s2RanOut: bat.ranOut,
      s2CeilingItemsPerSec: +ceiling2.toFixed(0), s2RatioToCeiling: +(itemsPerSec / ceiling2).toFixed(3),
    })
    row(`2 batched deposits (${BATCH_ITEMS} items/tx): committed items/s`, fmt(itemsPerSec), '≥ 20,000', verdict(itemsPerSec >= 20000) + (bat.ranOut ? ' (clients ran out of pre-signed txs: a lower bound)' : ''))
    row('  tx commit latency p50 / p99', `${fmt(percentile(bat.lat, 0.5))} / ${fmt(percentile(bat.lat, 0.99))} ms`, '', bat.errors ? `${bat.errors} errors ${JSON.stringify(bat.errorKinds)}` : '')
    row(`  ceiling: cores ÷ (validators × ${fmt(limits.itemCostUs, 1)} µs per item hashed + stored)`, `${fmt(ceiling2)} items/s`, '', `ratio ${(itemsPerSec / ceiling2).toFixed(2)}`)

    // 3. Receipts over HTTP, and verifyReceipt in process.
    log('scenario 3: receipts')
    const ids: string[] = []
    for (const d of bat.digests.concat(sat.digests).slice(0, 100)) {
      try { ids.push(...(await getJson<{ ids: string[] }>(`${net.urls[0]}/v1/evidence?digest=sha256:${d}`)).ids) } catch { /* not found */ }
    }
    if (ids.length === 0) {
      B.s3Skipped = 'no committed evidence to serve receipts for'
      row('3 receipts', 'not measured', '', 'nothing committed in scenarios 1-2')
    } else {
      const idsFile = join(net.dir, 'ids.txt')
      writeFileSync(idsFile, ids.join('\n') + '\n')
      const rec = merge(await net.runClients([0, 1].map((i) => clientArgs(i, { mode: 'receipt', ids: idsFile, concurrency: 32, count: 200_000, warmup: 1, duration: P.receipts, grace: P.grace })), 120_000))
      const receiptsPerSec = rec.ok / rec.secs
      const trustRoot = await getJson(`${net.urls[0]}/v1/trust-root`)
      const receipt = await getJson(`${net.urls[1]}/v1/evidence/${ids[0]}/receipt`)
      const first = verifyReceipt(receipt, trustRoot)
      if (!first.valid) throw new Error(`receipt does not verify: ${first.failed} ${JSON.stringify(first.checks)}`)
      let n = 0
      const tv = performance.now()
      while (performance.now() - tv < P.verifySecs * 1000 && n < 1_000_000) { verifyReceipt(receipt, trustRoot); n++ }
      const verifyPerSec = n / ((performance.now() - tv) / 1000)
      const sigsPerReceipt = 1 + first.signers.length
      Object.assign(B, {
        s3ReceiptsPerSec: +receiptsPerSec.toFixed(0), s3ReceiptP50Ms: +percentile(rec.lat, 0.5).toFixed(2), s3ReceiptP99Ms: +percentile(rec.lat, 0.99).toFixed(2), s3ReceiptErrors: rec.errors,
        s3VerifyReceiptPerSec: +verifyPerSec.toFixed(0), s3SignaturesPerReceipt: sigsPerReceipt, s3VerifyPath: 'portable @noble/curves (verify imports crypto/portable.js)',
      })
      row('3 receipts served over HTTP (GET …/receipt, 64 in flight)', `${fmt(receiptsPerSec)} /s`, '', `p50 ${fmt(percentile(rec.lat, 0.5), 1)} ms, p99 ${fmt(percentile(rec.lat, 0.99), 1)} ms${rec.errors ? `, ${rec.errors} errors` : ''}`)
      row('  verifyReceipt in process (portable noble path, one core)', `${fmt(verifyPerSec)} /s`, '', `${sigsPerReceipt} Ed25519 verifies each (noble: ${fmt(B.portableEd25519VerifyPerSec as number)} /s); native is not used by verifyReceipt`)
    }

    const st = await net.status(0)

    // 5. Catch-up: top the chain up with 1000-item txs, kill -9 a validator, wipe it, time its re-sync.
    const need = P.catchupItems - st.logSize
    if (need > 0) {
      log(`scenario 5: building the chain to ${fmt(P.catchupItems)} items (${fmt(need)} more, 1000-item txs)`)
      const per = Math.ceil(need / 1000 / CLIENTS)
      const t = performance.now()
      const fill = merge(await net.runClients([0, 1].map((i) => clientArgs(i, { mode: 'tx', items: 1000, concurrency: 8, count: per, warmup: 0, duration: P.fillSecs, grace: P.grace })), (P.fillSecs + P.grace + 120) * 1000))
      // The clients stop when their txs run out, usually well before the window: wall time, not the window.
      B.s5BuildItemsPerSec = +(fill.items / ((performance.now() - t) / 1000)).toFixed(0)
      Object.assign(B, { s5BuildErrors: fill.errors, s5BuildErrorKinds: fill.errorKinds })
      if (fill.errors > 0) log(`scenario 5: ${fill.errors} of the chain's txs were not committed: ${JSON.stringify(fill.errorKinds)}`)
    }
    const target = await net.waitIdle(QUICK ? 15_000 : 300_000)
    B.s5ChainIdleBeforeKill = target.idle
    // Disk per item as a validator really stores it: the whole chain so far (every scenario's
    // deposits), uncompacted LevelDB, consensus WAL included.
    B.nodeDiskBytesPerItem = target.logSize > 0 ? +(diskBytes(join(net.homes[0]!, 'data')) / target.logSize).toFixed(1) : null
    B.nodeLogSizeAtDiskMeasure = target.logSize
    const victim = VALIDATORS - 1 // not the view-0 primary
    log(`scenario 5: kill -9 validator ${victim + 1}, wipe it, re-sync ${fmt(target.logSize)} items / ${fmt(target.height)} blocks`)
    await net.kill(victim, 'SIGKILL')
    const { rmSync } = await import('node:fs')
    rmSync(join(net.homes[victim]!, 'data'), { recursive: true, force: true })
    const tStart = performance.now()
    const proc = net.startNode(victim)
    let tUp = NaN
    let caughtUp = false
    const limitMs = P.catchupLimitSecs * 1000
    while (performance.now() - tStart < limitMs) {
      try {
        const s = await net.status(victim)
        if (Number.isNaN(tUp)) tUp = performance.now()
        if (s.height >= target.height) { caughtUp = true; break }
      } catch { /* starting */ }
      await sleep(100)
    }
    const tEnd = performance.now()
    const secs = (tEnd - tStart) / 1000
    const syncSecs = (tEnd - tUp) / 1000
    const catchupRate = target.logSize / secs
    Object.assign(B, {
      s5ChainItems: target.logSize, s5ChainBlocks: target.height, s5CaughtUp: caughtUp, s5Secs: +secs.toFixed(2), s5SecsAfterRpcUp: +syncSecs.toFixed(2),
      s5ItemsPerSec: +catchupRate.toFixed(0), s5ItemsPerSecAfterRpcUp: +(target.logSize / syncSecs).toFixed(0), s5VictimPeakRssBytes: peakRss(proc.pid!),
    })
    row(`5 catch-up: wiped validator re-syncs ${fmt(target.logSize)} items (${fmt(target.height)} blocks)${QUICK ? ' [quick: smaller chain]' : ''}`, caughtUp ? `${fmt(catchupRate)} items/s` : `not caught up in ${limitMs / 1000} s`, '≥ 50,000', verdict(caughtUp && catchupRate >= 50000))
    row('  time from restart / from its RPC answering', `${fmt(secs, 1)} s / ${fmt(syncSecs, 1)} s`, '', `${fmt(target.logSize / syncSecs)} items/s after process start-up`)
    const rss = net.procs.map((p) => (p ? peakRss(p.pid!) : null))
    B.validatorPeakRssBytes = rss
    row('  validators peak RSS (VmHWM)', rss.map((r) => (r === null ? '?' : `${fmt(r / 2 ** 20)}`)).join(' / ') + ' MiB', '', '')
    row(`  node disk per item (validator 1, ${fmt(B.nodeLogSizeAtDiskMeasure as number)} real deposits, du)`, `${fmt(B.nodeDiskBytesPerItem as number, 1)} B`, '≤ 300 B', B.nodeDiskBytesPerItem === null ? 'n/a' : verdict((B.nodeDiskBytesPerItem as number) <= 300))
    if (caughtUp) {
      const synced = diskBytes(join(net.homes[victim]!, 'data')) / target.logSize
      B.s5SyncedNodeDiskBytesPerItem = +synced.toFixed(1)
      row('  disk per item of the re-synced validator (du)', `${fmt(synced, 1)} B`, '≤ 300 B', verdict(synced <= 300))
    }
  } finally {
    await net.stop(!!process.env.CC_KEEP)
    if (process.env.CC_KEEP) log(`devnet kept in ${net.dir}`)
  }
}

async function scale(): Promise<void> {
  log(`scenario 4: evidence log of ${P.scale.map((n) => fmt(n)).join(' then ')} leaves through Store.bulkAppendEvidence (separate process)`)
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, [join(benchDir(), 'scale-worker.js'), '--checkpoints', P.scale.join(','), '--time-limit', String(P.scaleLimitSecs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let s = ''
    c.stdout.on('data', (d: Buffer) => { s += d })
    c.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`scale worker exited ${code}`))))
  })
  const r = JSON.parse(out) as { results: { leaves: number; buildSecs: number; itemsPerSec: number; storeItemsPerSec: number; proof: { p50Ms: number; p99Ms: number }; diskBytesPerItem: number; rssBytes: number; peakRssBytes: number; served: Served }[]; truncated: boolean; leafShape: string }
  B.s4 = r
  for (const x of r.results) {
    const big = x.leaves >= 10_000_000
    const tag = `${fmt(x.leaves)} leaves${QUICK ? ' [quick: smaller log than 1M/10M]' : ''}`
    row(`4 scale, ${tag}: built at`, `${fmt(x.itemsPerSec)} items/s`, '', `${fmt(x.buildSecs, 0)} s; ${fmt(x.storeItemsPerSec)} items/s inside bulkAppendEvidence`)
    row('  inclusion proof p50 / p99 (in the building process)', `${fmt(x.proof.p50Ms, 3)} / ${fmt(x.proof.p99Ms, 3)} ms`, big ? 'p99 ≤ 2 ms at 10M' : '', big ? verdict(x.proof.p99Ms <= 2) : '')
    row('  disk per item (du, uncompacted)', `${fmt(x.diskBytesPerItem, 1)} B`, '≤ 300 B', verdict(x.diskBytesPerItem <= 300))
    row('  RSS of the building process (now / peak)', `${fmt(x.rssBytes / 2 ** 20)} / ${fmt(x.peakRssBytes / 2 ** 20)} MiB`, '', 'bulk import, not a node')
    // A fresh process opening the store as a node does: the first 2,000 proofs, and 2,000 after 8,000 more.
    for (const [when, p] of [['first 2,000 proofs', x.served.cold], ['after 10,000 proofs', x.served.warm]] as const) {
      row(`  fresh process, ${when}: proof p50 / p99`, `${fmt(p.proof.p50Ms, 3)} / ${fmt(p.proof.p99Ms, 3)} ms`, big ? 'p99 ≤ 2 ms at 10M' : '', big ? verdict(p.proof.p99Ms <= 2) : '')
      row(`  fresh process, ${when}: RSS`, `${fmt(p.rssBytes / 2 ** 20)} MiB`, big ? '≤ 500 MB at 10M' : '', `${big ? `${verdict(p.rssBytes <= 500e6)}; ` : ''}anonymous ${fmt(p.anonBytes / 2 ** 20)}, mapped table pages ${fmt(p.fileBytes / 2 ** 20)} MiB`)
    }
  }
  if (r.truncated) row('4 scale: stopped early (time limit)', `${fmt(r.results.at(-1)?.leaves ?? 0)} leaves`, '', 'MISS')
  B.s4LeafShape = r.leafShape
}

async function main(): Promise<void> {
  const tAll = performance.now()
  log(`${QUICK ? 'quick' : 'full'} run; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`)
  log('limits: native Ed25519 verify rate, per-item hash + store cost')
  const limits = await measureLimits(QUICK)
  Object.assign(B, { limits })
  row('6 limit: native Ed25519 verify (node:crypto, one core)', `${fmt(limits.ed25519VerifyPerSec)} /s`, '', `async on all cores ${fmt(limits.ed25519VerifyAsyncAllCoresPerSec)} /s; sign ${fmt(limits.ed25519SignPerSec)} /s`)
  row('6 limit: one evidence item hashed + stored (fsynced 1000-item blocks)', `${fmt(limits.itemCostUs, 1)} µs`, '', `hash/record ${fmt(limits.itemHashUs, 1)} µs + store ${fmt(limits.itemStoreUs, 1)} µs`)
  // Portable Ed25519 for scale, since verifyReceipt uses it.
  {
    const { generateKeyPair, ed25519Sign } = await import('../src/crypto/index.js')
    const k = generateKeyPair(); const m = new Uint8Array(120); const s = ed25519Sign(k.seed, m)
    let n = 0; const t = performance.now()
    while (performance.now() - t < 500) { portableEd25519Verify(k.publicKey, m, s); n++ }
    B.portableEd25519VerifyPerSec = +(n / ((performance.now() - t) / 1000)).toFixed(0)
  }
  await networked(limits)
  await scale()
  log(`scenario 7: hypercore, ${fmt(P.hyperItems)} items in batches of ${BATCH_ITEMS}, ${fmt(P.hyperProofs)} proofs`)
  const peer = await measureHypercore(P.hyperItems, BATCH_ITEMS, P.hyperProofs)
  B.s7Hypercore = peer
  if (peer.available) {
    const ours = B.s2ItemsPerSec as number
    B.s7RatioItemsToHypercoreAppend = +(ours / peer.appendPerSec).toFixed(3)
    B.s7RatioReceiptsToHypercoreProofs = typeof B.s3ReceiptsPerSec === 'number' ? +(B.s3ReceiptsPerSec / peer.proofPerSec).toFixed(3) : null
    row(`7 peer: hypercore ${peer.version} append (${BATCH_ITEMS}/batch, one writer, no consensus)`, `${fmt(peer.appendPerSec)} items/s`, '', `ours (scenario 2, 4 validators, PBFT) ÷ it = ${(ours / peer.appendPerSec).toFixed(2)}`)
    row('  hypercore proof per item (block + nodes + signed upgrade)', `${fmt(peer.proofPerSec)} /s`, '', `p50 ${fmt(peer.proofP50Ms, 3)} ms, p99 ${fmt(peer.proofP99Ms, 3)} ms; our receipts/s ÷ it = ${B.s7RatioReceiptsToHypercoreProofs ?? 'n/a'}`)
    row('  hypercore append + one proof per item', `${fmt(peer.appendAndProofPerSec)} items/s`, '', '')
  } else {
    row('7 peer: hypercore', 'not measured', '', peer.reason ?? '')
  }
  B.totalSecs = +((performance.now() - tAll) / 1000).toFixed(1)
  B.loadAvgEnd = loadavg().map((x) => +x.toFixed(2))
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)))
  const line = (r: string[]): string => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]}`.trimEnd()
  console.log(`\ncourtchain bench (${QUICK ? 'quick' : 'full'}), Node ${process.version}, ${availableParallelism()} cores, ${VALIDATORS} validator processes on loopback; load avg at start ${(B.loadAvgStart as number[]).join(' ')}, end ${(B.loadAvgEnd as number[]).join(' ')}; ${fmt(B.totalSecs as number, 0)} s`)
  console.log(line(['figure', 'value', 'target', 'verdict / note']))
  console.log('-'.repeat(w[0]! + w[1]! + w[2]! + 30))
  for (const r of rows) console.log(line(r))
  console.log(`BENCH ${JSON.stringify(B)}`)
}

await main()
