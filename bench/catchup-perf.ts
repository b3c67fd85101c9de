// A profiling aid, not a benchmark: builds a chain with 1000-item txs, wipes validator 4 and
// times its re-sync, `--rounds` times on the same chain, with the CPU it cost the re-synced node
// (all its threads) and each peer. With --perf, `perf record -a -g` runs
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
import { arg, cpuSeconds, cpuSecondsByThread, peakRss, sleep } from './common.js'

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
    const peers = net.procs.filter((p, i): p is ChildProcess => i !== victim && p !== null)
    const cpuBefore = peers.map((p) => cpuSeconds(p.pid!) ?? 0)
    const t0 = performance.now()
    const proc = net.startNode(victim)
    for (;;) {
      try { if ((await net.status(victim)).height >= target.height) break } catch { /* starting */ }
      await sleep(100)
    }
    const s = (performance.now() - t0) / 1000
    perf?.kill('SIGINT')
    const rss = peakRss(proc.pid!)
    // What the re-sync cost the machine: the victim's CPU since its start, the peers' (serving) in the round.
    const cpu = [cpuSeconds(proc.pid!) ?? 0, ...peers.map((p, i) => (cpuSeconds(p.pid!) ?? 0) - cpuBefore[i]!)]
    const threads = [...cpuSecondsByThread(proc.pid!)].filter(([, s]) => s >= 0.1).sort((a, b) => b[1] - a[1])
    console.log(`round ${round + 1} [${flags.join(' ') || 'no flags'}]: re-synced ${target.logSize} items / ${target.height} blocks in ${s.toFixed(1)} s: ${(target.logSize / s).toFixed(0)} items/s, peak RSS ${rss === null ? '?' : Math.round(rss / 2 ** 20)} MiB, CPU s ${cpu[0]!.toFixed(1)} (peers ${cpu.slice(1).map((c) => c.toFixed(1)).join(' / ')})${profiled ? `; perf data in ${perfOut}` : ''}`)
    const ended = cpu[0]! - threads.reduce((sum, [, c]) => sum + c, 0) // e.g. the sync hashing thread, gone when sync ends
    console.log(`  its threads by tid (CPU s ≥ 0.1): ${threads.map(([n, c]) => `${n} ${c.toFixed(1)}`).join(', ')}; ended or < 0.1 s: ${ended.toFixed(1)}`)
  }
  copyFileSync(join(net.homes[victim]!, 'node.log'), '/tmp/catchup-victim.log')
  console.log('the victim\'s log (CC_LOG=info for sync progress) is copied to /tmp/catchup-victim.log')
} finally {
  await net.stop()
}
