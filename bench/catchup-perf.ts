// A profiling aid, not a benchmark: builds a chain with 1000-item txs, wipes validator 4 and
// times its re-sync, `--rounds` times on the same chain. With --perf, `perf record -a -g` runs
// over the first re-sync (the validator then runs with --perf-basic-prof).
//
//   node dist/bench/catchup-perf.js [--secs 25] [--rounds 1] [--perf /tmp/perf-catchup.data]
//
// CC_NODE_FLAGS adds Node.js flags to the wiped validator (e.g. --max-semi-space-size=64);
// CC_NODE_FLAGS_B, when set, gives every second round these flags instead (an A/B on one chain);
// CC_BETWEEN_ROUNDS is a shell command run before each round after the first (e.g. one that
// points dist/ at another build, for an A/B of code on one chain).
import { execSync, spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { BenchDevnet } from './devnet.js'
import { arg, peakRss, sleep } from './common.js'

const secs = Number(arg('secs', '25'))
const rounds = Number(arg('rounds', '1'))
const perfOut = arg('perf', '')
const victim = 3
const split = (s: string | undefined): string[] => (s ? s.split(' ').filter(Boolean) : [])
const flagSets = [split(process.env.CC_NODE_FLAGS), ...(process.env.CC_NODE_FLAGS_B !== undefined ? [split(process.env.CC_NODE_FLAGS_B)] : [])]
const net = await BenchDevnet.start({ nodes: 4 })
try {
  await net.runClients([0, 1].map((i) => ['--key', net.unitKey(i), '--tag', `f${i}`, '--mode', 'tx', '--items', '1000', '--concurrency', '8', '--count', String(secs * 20), '--warmup', '0', '--duration', String(secs), '--grace', '20']), (secs + 140) * 1000)
  const target = await net.waitIdle(120_000)
  for (let round = 0; round < rounds; round++) {
    const flags = flagSets[round % flagSets.length]!
    if (round > 0 && process.env.CC_BETWEEN_ROUNDS) execSync(process.env.CC_BETWEEN_ROUNDS, { stdio: 'inherit' })
    await net.kill(victim, 'SIGKILL')
    rmSync(join(net.homes[victim]!, 'data'), { recursive: true, force: true })
    const profiled = perfOut !== '' && round === 0
    net.nodeFlags.set(victim, profiled ? ['--perf-basic-prof', ...flags] : flags)
    const perf: ChildProcess | null = profiled ? spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', perfOut], { stdio: 'ignore' }) : null
    const t0 = performance.now()
    const proc = net.startNode(victim)
    for (;;) {
      try { if ((await net.status(victim)).height >= target.height) break } catch { /* starting */ }
      await sleep(100)
    }
    const s = (performance.now() - t0) / 1000
    perf?.kill('SIGINT')
    const rss = peakRss(proc.pid!)
    console.log(`round ${round + 1} [${flags.join(' ') || 'no flags'}]: re-synced ${target.logSize} items / ${target.height} blocks in ${s.toFixed(1)} s: ${(target.logSize / s).toFixed(0)} items/s, peak RSS ${rss === null ? '?' : Math.round(rss / 2 ** 20)} MiB${profiled ? `; perf data in ${perfOut}` : ''}`)
  }
  copyFileSync(join(net.homes[victim]!, 'node.log'), '/tmp/catchup-victim.log')
  console.log('the victim\'s log (CC_LOG=info for sync progress) is copied to /tmp/catchup-victim.log')
} finally {
  await net.stop()
}
