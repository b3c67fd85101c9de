// The Byzantine simulation harness for the PBFT core (test and CLI use only; fake signatures).
import { runScenario, type RunResult, type ScenarioSpec } from './harness.js'
import { scenarios as allScenarios } from './scenarios.js'

export { runScenario, type RunOptions, type RunResult, type ScenarioSpec } from './harness.js'
export { scenarios } from './scenarios.js'
export type { Behaviour } from './byzantine.js'

export interface SimulationOptions {
  seeds: number
  nodes: number
  /** first seed (default 1) */
  seed?: number
  /** only this scenario */
  scenario?: string
  /** TEST ONLY: break the 2f+1 rule from the network (see RunOptions.brokenQuorum) */
  brokenQuorum?: boolean
  onFailure?: (f: SimFailure) => void
}

export interface SimFailure { seed: number; scenario: string; kind: 'safety' | 'liveness'; details: string[] }

/** Per reconfiguration scenario: runs, runs where every live honest replica reached the new epoch, runs whose switch overlapped a view change. */
export interface ReconfigTally { runs: number; allSwitched: number; duringViewChange: number }

export interface SimulationReport {
  seeds: number; scenarios: number; safetyViolations: number; livenessFailures: number; failures: SimFailure[]; runs: number
  reconfig: Record<string, ReconfigTally>
}

/** Runs seeds [seed, seed+seeds), seed s in scenario s mod k (or all in the one named). */
export function runSimulation(o: SimulationOptions): SimulationReport {
  const list: ScenarioSpec[] = o.scenario ? allScenarios.filter((s) => s.name === o.scenario) : allScenarios
  if (list.length === 0) throw new Error(`unknown scenario ${o.scenario}`)
  const first = o.seed ?? 1
  const report: SimulationReport = { seeds: o.seeds, scenarios: list.length, safetyViolations: 0, livenessFailures: 0, failures: [], runs: 0, reconfig: {} }
  for (let seed = first; seed < first + o.seeds; seed++) {
    // each seed runs one scenario, cycling through the list, so N seeds cover every scenario N/k times
    for (const scenario of [list[seed % list.length]!]) {
      const r: RunResult = runScenario({ seed, nodes: o.nodes, scenario, brokenQuorum: o.brokenQuorum })
      report.runs++
      if (r.boundary !== undefined) {
        const t = report.reconfig[scenario.name] ??= { runs: 0, allSwitched: 0, duringViewChange: 0 }
        t.runs++
        if (r.switched === r.live) t.allSwitched++
        if ((r.switchesInViewChange ?? 0) > 0) t.duringViewChange++
      }
      if (r.safety.length) {
        report.safetyViolations++
        const f: SimFailure = { seed, scenario: scenario.name, kind: 'safety', details: r.safety }
        report.failures.push(f); o.onFailure?.(f)
      }
      if (r.liveness.length) {
        report.livenessFailures++
        const f: SimFailure = { seed, scenario: scenario.name, kind: 'liveness', details: r.liveness }
        report.failures.push(f); o.onFailure?.(f)
      }
    }
  }
  return report
}
