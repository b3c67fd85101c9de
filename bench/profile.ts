// A profiling aid, not a benchmark: a 4-validator devnet with `--cpu-prof` on validators 1 and 2,
// single-item load (or --items N) from two client processes for --secs, then the top self-time
// functions of each profile. Profiles stay in --out (default a temp folder).
//
//   node dist/bench/profile.js [--items 1] [--secs 8] [--concurrency 400] [--out /tmp/prof]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BenchDevnet } from './devnet.js'
import { arg } from './common.js'

const items = Number(arg('items', '1'))
const secs = Number(arg('secs', '8'))
const concurrency = Number(arg('concurrency', '400'))
const out = arg('out', join(tmpdir(), `cc-prof-${process.pid}`))
mkdirSync(out, { recursive: true })

const flags = new Map([0, 1].map((i) => [i, ['--cpu-prof', '--cpu-prof-dir', join(out, `v${i + 1}`)]]))
const net = await BenchDevnet.start({ nodes: 4, nodeFlags: flags })
try {
  const count = Math.ceil(((secs + 1) * (items > 1 ? 40 : 4000)))
  const rs = await net.runClients([0, 1].map((i) => ['--key', net.unitKey(i), '--tag', `p${i}`, '--mode', 'tx', '--items', String(items), '--concurrency', String(concurrency), '--count', String(count), '--warmup', '1', '--duration', String(secs), '--grace', '5']), 120_000)
  const ok = rs.reduce((n, r) => n + r.ok, 0), its = rs.reduce((n, r) => n + r.items, 0)
  console.log(`committed: ${(ok / secs).toFixed(0)} tx/s, ${(its / secs).toFixed(0)} items/s; errors ${JSON.stringify(rs.map((r) => r.errorKinds))}`)
} finally {
  await net.stop()
}

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
for (const v of ['v1', 'v2']) {
  const dir = join(out, v)
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
    const self = new Map<number, number>()
    p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
    const total = [...self.values()].reduce((a, b) => a + b, 0)
    const byFn = new Map<string, number>()
    for (const n of p.nodes) {
      const t = self.get(n.id) ?? 0
      const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`
      byFn.set(k, (byFn.get(k) ?? 0) + t)
    }
    console.log(`\n${v} ${f}: ${(total / 1e6).toFixed(1)} s sampled`)
    for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`)
  }
}
console.log(`\nprofiles in ${out}`)
