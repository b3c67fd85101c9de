// A profiling aid, not a benchmark: where the CPU goes under load. Runs the 4-validator devnet
// with load from two client processes and reads each process's CPU time (/proc/<pid>/stat) at
// the start and end of the measured window, then prints CPU-µs per committed tx by process.
//
//   node dist/bench/cpu-share.js [--items 1] [--secs 10] [--concurrency 400] [--rate R] [--perf /tmp/perf.data]
//
// With --perf FILE the validators run with --perf-basic-prof and `perf record -a -g` samples the
// whole machine during the window (then: perf report -i FILE --sort comm,dso,sym).
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { BenchDevnet } from './devnet.js'
import { arg, statCpuSeconds } from './common.js'

const items = Number(arg('items', '1'))
const secs = Number(arg('secs', '10'))
const concurrency = Number(arg('concurrency', '400'))
const warmup = Number(arg('warmup', '15')) // s of unmeasured load first: V8's optimizing compiler is busy for ~10 s after start
const perfOut = arg('perf', '')
const rate = arg('rate', '') // per client, open loop; default closed loop at --concurrency

/** CPU µs of every node process whose command line matches, by role. */
function cpuByRole(): Map<string, number> {
  const out = new Map<string, number>()
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8') } catch { continue }
    const role = cmd.includes('load-client') ? 'clients' : cmd.includes('\0start\0') ? `validator ${pid}` : null
    const t = role === null ? null : statCpuSeconds(`/proc/${pid}/stat`)
    if (role === null || t === null) continue
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    if (hwm && role !== 'clients') out.set(`${role} peakMiB`, Number(hwm[1]) / 1024)
    out.set(role, (out.get(role) ?? 0) + (t.user + t.sys) * 1e6)
    out.set(`${role} sys`, (out.get(`${role} sys`) ?? 0) + t.sys * 1e6)
  }
  return out
}

const nodeFlags = perfOut ? new Map([0, 1, 2, 3].map((i) => [i, ['--perf-basic-prof']])) : process.env.CC_NODE_FLAGS ? new Map([[0, process.env.CC_NODE_FLAGS.split(' ')]]) : undefined
const net = await BenchDevnet.start({ nodes: 4, nodeFlags })
try {
  const count = Math.ceil((secs + warmup + 1) * (items > 1 ? 40 : 4000))
  let before = new Map<string, number>(), after = new Map<string, number>()
  const onGo = (): void => {
    setTimeout(() => {
      before = cpuByRole()
      if (perfOut) spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', perfOut, '--', 'sleep', String(secs)], { stdio: 'ignore' })
    }, warmup * 1000)
    setTimeout(() => { after = cpuByRole() }, (warmup + secs) * 1000)
  }
  const rs = await net.runClients([0, 1].map((i) => ['--key', net.unitKey(i), '--tag', `c${i}`, '--mode', 'tx', '--items', String(items), ...(rate ? ['--rate', rate] : ['--concurrency', String(concurrency)]), '--count', String(count), '--warmup', String(warmup), '--duration', String(secs), '--grace', '5']), 180_000, onGo)
  while (after.size === 0) await new Promise((r) => setTimeout(r, 100)) // the window's end may come after the clients'
  const ok = rs.reduce((n, r) => n + r.ok, 0)
  const lat = rs.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const pct = (q: number): string => (lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN).toFixed(0)
  console.log(`committed ${(ok / secs).toFixed(0)} tx/s (${ok} in ${secs} s), latency p50/p99 ${pct(0.5)}/${pct(0.99)} ms`)
  if (process.env.CC_METRICS) {
    const text = await (await fetch(`${net.urls[0]}/metrics`)).text()
    console.log(text.split('\n').filter((l) => !l.startsWith('#') && new RegExp(process.env.CC_METRICS!).test(l)).join('\n'))
  }
  let total = 0
  for (const [role, us] of after) {
    const d = us - (before.get(role) ?? 0)
    if (role.endsWith(' peakMiB')) { console.log(`${role.padEnd(18)} ${us.toFixed(0)}`); continue }
    if (!role.endsWith(' sys')) total += d
    console.log(`${role.padEnd(18)} ${(d / 1e6 / secs).toFixed(2)} cores  ${(d / ok).toFixed(0)} µs/tx`)
  }
  console.log(`${'all'.padEnd(18)} ${(total / 1e6 / secs).toFixed(2)} cores  ${(total / ok).toFixed(0)} µs/tx`)
} finally {
  await net.stop(process.env.CC_KEEP === "1")
}
