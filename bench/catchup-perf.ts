// A profiling aid, not a benchmark: builds a chain with 1000-item txs, wipes validator 4 and
// records `perf record -a -g` over its re-sync (the validators run with --perf-basic-prof).
//
//   node dist/bench/catchup-perf.js [--secs 25] [--perf /tmp/perf-catchup.data]
import { spawn } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BenchDevnet } from './devnet.js'
import { arg, sleep } from './common.js'

const secs = Number(arg('secs', '25'))
const perfOut = arg('perf', '/tmp/perf-catchup.data')
const victim = 3
// CC_NODE_FLAGS adds Node.js flags to the wiped validator (e.g. --max-semi-space-size=64)
const flags = ['--perf-basic-prof', ...(process.env.CC_NODE_FLAGS ? process.env.CC_NODE_FLAGS.split(' ') : [])]
const net = await BenchDevnet.start({ nodes: 4, nodeFlags: new Map([[victim, flags]]) })
try {
  await net.runClients([0, 1].map((i) => ['--key', net.unitKey(i), '--tag', `f${i}`, '--mode', 'tx', '--items', '1000', '--concurrency', '8', '--count', String(secs * 20), '--warmup', '0', '--duration', String(secs), '--grace', '20']), (secs + 140) * 1000)
  const target = await net.waitIdle(120_000)
  await net.kill(victim, 'SIGKILL')
  rmSync(join(net.homes[victim]!, 'data'), { recursive: true, force: true })
  const perf = spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', perfOut], { stdio: 'ignore' })
  const t0 = performance.now()
  net.startNode(victim)
  for (;;) {
    try { if ((await net.status(victim)).height >= target.height) break } catch { /* starting */ }
    await sleep(100)
  }
  const s = (performance.now() - t0) / 1000
  perf.kill('SIGINT')
  copyFileSync(join(net.homes[victim]!, 'node.log'), '/tmp/catchup-victim.log')
  console.log(`victim started at ${new Date(Date.now() - s * 1000).toISOString()}; its log (CC_LOG=info for sync progress) copied to /tmp/catchup-victim.log`)
  console.log(`re-synced ${target.logSize} items / ${target.height} blocks in ${s.toFixed(1)} s: ${(target.logSize / s).toFixed(0)} items/s; perf data in ${perfOut}`)
} finally {
  await net.stop()
}
