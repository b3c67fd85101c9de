// `npm run chaos -- [--duration 300] [--seed S] [--nodes 4] [--kinds kill,pause,...] [--fuzz 10000]
// [--p2p-fuzz 10000] [--byzantine-node i --byzantine-mode mixed] [--keep]`: a devnet of processes under deposit load with seeded faults, then
// the checks, then the RPC and p2p fuzzers on the same devnet. Exit 1 on any loss, fork, stall or crash.
import { parseArgs } from 'node:util'
import { runChaos } from './chaos/run.js'
import { PERTURBATION_KINDS, type PerturbationKind } from './chaos/schedule.js'
import { fuzzRpc } from './chaos/rpc-fuzz.js'
import { fuzzP2p } from './chaos/p2p-fuzz.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: '4' },
    kinds: { type: 'string' },
    'stall-ms': { type: 'string', default: '20000' },
    fuzz: { type: 'string', default: '10000' },
    'p2p-fuzz': { type: 'string', default: '10000' },
    'log-level': { type: 'string', default: 'info' },
    keep: { type: 'boolean', default: false },
    'byzantine-node': { type: 'string' },
    'byzantine-mode': { type: 'string', default: 'mixed' },
  },
})
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31)
const kinds = values.kinds ? values.kinds.split(',') as PerturbationKind[] : PERTURBATION_KINDS
for (const k of kinds) if (!(PERTURBATION_KINDS as readonly string[]).includes(k)) throw new Error(`unknown kind ${k} (${PERTURBATION_KINDS.join(', ')})`)
const rpcCount = Number(values.fuzz), p2pCount = Number(values['p2p-fuzz'])
const fuzzLines: string[] = []

const result = await runChaos({
  durationS: Number(values.duration), seed, nodes: Number(values.nodes), kinds, stallMs: Number(values['stall-ms']),
  logLevel: values['log-level'], keep: values.keep,
  ...(values['byzantine-node'] !== undefined ? { byzantineFlag: { node: Number(values['byzantine-node']), mode: values['byzantine-mode']! } } : {}),
  after: async (c) => {
    const problems: string[] = []
    if (rpcCount > 0) {
      const r = await fuzzRpc(c, { count: rpcCount, seed, target: 0 })
      fuzzLines.push(r.summary)
      problems.push(...r.problems)
    }
    if (p2pCount > 0) {
      const r = await fuzzP2p(c, { count: p2pCount, seed, as: c.n - 1 })
      fuzzLines.push(r.summary)
      problems.push(...r.problems)
    }
    return problems
  },
})
for (const p of result.problems) console.log(`PROBLEM: ${p}`)
for (const w of result.warnings) console.log(`WARNING: ${w}`)
for (const l of fuzzLines) console.log(l)
console.log(`seed ${seed}: ${result.noQuorumWindows} windows without a quorum (stalls there are expected), ${result.badCertificates} bad certificates, ${result.reopenFailures} stores that did not reopen`)
console.log(result.summary)
process.exit(result.ok ? 0 : 1)
