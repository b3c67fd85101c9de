// Validator-set epochs in the simulator: a chain whose set changes once, at a fixed
// boundary height H. Block H is the last one certified by the old set S; from H+1 the new set S'
// certifies. Replicas switch the way the node does (node/validator-role.ts): on committing H the
// old state machine stops and a fresh one for S' starts from the committed head.
import type { ConsensusContext } from '../../src/consensus/index.js'
import { simContext, type SimBlock } from './app.js'
import type { Prng } from './prng.js'

/**
 * How a scenario changes its set: `add` grows n to n+1 (the new replica starts empty and follows
 * first), `remove` shrinks n+1 to n. `crash` adds a fault at the boundary.
 */
export interface ReconfigSpec {
  kind: 'add' | 'remove'
  /** 'primary': the primary crashes around H (a view change is under way at the switch); 'added': the new validator crashes right after it switches */
  crash?: 'primary' | 'added'
}

export interface EpochPlan {
  /** every replica id, members of either set */
  all: string[]
  /** [S, S'] (the same set twice when there is no reconfiguration) */
  sets: [string[], string[]]
  /** the last height certified by S (Infinity: never) */
  boundary: number
  added: string | null
  removed: string | null
}

/** The epochs of one run: n validators, one more or one fewer after `boundary` (n stays ≥ 4). */
export function planEpochs(spec: ReconfigSpec | undefined, n: number, rng: Prng): EpochPlan {
  const ids = (k: number): string[] => Array.from({ length: k }, (_, i) => `v${i}`)
  if (!spec) { const v = ids(n); return { all: v, sets: [v, v], boundary: Infinity, added: null, removed: null } }
  const boundary = rng.int(8, 20)
  if (spec.kind === 'add') {
    const next = ids(n + 1)
    return { all: next, sets: [ids(n), next], boundary, added: next[n]!, removed: null }
  }
  const old = ids(n + 1)
  const removed = rng.pick(old)
  return { all: old, sets: [old, old.filter((v) => v !== removed)], boundary, added: null, removed }
}

/** The epoch whose state machine runs once `headHeight` is committed. */
export function epochAfter(plan: EpochPlan, headHeight: number): 0 | 1 { return headHeight >= plan.boundary ? 1 : 0 }

/** The set whose 2f+1 must certify block `height`. */
export function certifiersAt(plan: EpochPlan, height: number): string[] { return plan.sets[height > plan.boundary ? 1 : 0] }

/**
 * The context a replica's state machine runs with in `epoch`. In the second epoch the certificates
 * of heights ≤ H (the head it starts from, view-change checkpoints) are checked with S.
 */
export function epochContext(plan: EpochPlan, epoch: 0 | 1, self: string): ConsensusContext<SimBlock> {
  const ctx = simContext(plan.sets[epoch], self)
  if (epoch === 0 && Number.isFinite(plan.boundary)) return { ...ctx, canExtend: (b) => b.height < plan.boundary } // the old set ends at H
  if (epoch === 0 || plan.sets[0] === plan.sets[1]) return ctx
  const old = { validators: plan.sets[0], verify: ctx.verify }
  return { ...ctx, certifiersOf: (h) => (h <= plan.boundary ? old : null) }
}
