// npm run sim -- --seeds <N> [--nodes <n>] [--seed <s>] [--scenario <name>]
// Runs the PBFT simulator and ends with one summary line; exits non-zero on any violation.
import { runSimulation } from './sim/index.js'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const num = (name: string, dflt: number): number => {
  const v = arg(name)
  if (v === undefined) return dflt
  const x = Number(v)
  if (!Number.isSafeInteger(x) || x < 0) { console.error(`--${name} expects a non-negative integer`); process.exit(2) }
  return x
}

const seed = arg('seed') !== undefined ? num('seed', 1) : undefined
const seeds = num('seeds', seed !== undefined ? 1 : 100)
const nodes = num('nodes', 4)
const scenario = arg('scenario')
const t0 = Date.now()
const report = runSimulation({ seeds, nodes, seed, scenario, onFailure: (f) => {
  console.log(`FAIL ${f.kind} seed ${f.seed} scenario ${f.scenario} (replay: npm run sim -- --seed ${f.seed} --scenario ${f.scenario} --nodes ${nodes})`)
  for (const d of f.details.slice(0, 5)) console.log(`  ${d}`)
} })
for (const [name, t] of Object.entries(report.reconfig)) {
  console.log(`${name}: ${t.runs} runs, every live replica in the new epoch in ${t.allSwitched}, switch during a view change in ${t.duringViewChange}`)
}
console.error(`${report.runs} runs, ${nodes} nodes, ${((Date.now() - t0) / 1000).toFixed(1)} s`)
console.log(`seeds: ${report.seeds}, scenarios: ${report.scenarios}, safety violations: ${report.safetyViolations}, liveness failures: ${report.livenessFailures}`)
process.exit(report.safetyViolations + report.livenessFailures > 0 ? 1 : 0)
