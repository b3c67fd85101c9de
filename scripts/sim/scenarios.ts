// The fault scenarios every seed runs through.
import type { ScenarioSpec } from './harness.js'

export const scenarios: ScenarioSpec[] = [
  { name: 'lossy', drop: 0.1, dup: 0.1, maxDelay: 30 },
  { name: 'partition', drop: 0.02, dup: 0.02, maxDelay: 20, partitions: true },
  { name: 'crash-restart', drop: 0.05, dup: 0.05, maxDelay: 20, crashes: true },
  { name: 'equivocating-primary', byzantine: 'equivocate', drop: 0.05, dup: 0.05, maxDelay: 20 },
  { name: 'twins', byzantine: 'twins', drop: 0.05, dup: 0.05, maxDelay: 20, partitions: true },
  { name: 'mutate', byzantine: 'mutate', drop: 0.05, dup: 0.05, maxDelay: 20 },
  { name: 'forge', byzantine: 'forge', drop: 0.05, dup: 0.05, maxDelay: 20 },
  { name: 'invalid-votes', byzantine: 'invalid', drop: 0.05, dup: 0.05, maxDelay: 20 },
  { name: 'withhold', byzantine: 'withhold', drop: 0.05, dup: 0.05, maxDelay: 20, crashes: true },
  { name: 'view-flood', byzantine: 'view-flood', drop: 0.05, dup: 0.05, maxDelay: 20 },
  // replicas crash right after a commit while later heights are in flight, under an equivocating primary
  { name: 'crash-after-commit', byzantine: 'equivocate', drop: 0.05, dup: 0.05, maxDelay: 20, crashAfterCommit: 0.5 },
  { name: 'censor', byzantine: 'censor', drop: 0.02, dup: 0.02, maxDelay: 15 },
  // a primary stamps its blocks hours in the past (the chain starts quiet: its parent allows it)
  { name: 'backdating-primary', byzantine: 'backdate', drop: 0.05, dup: 0.05, maxDelay: 20 },
  // reconfiguration at a boundary height H: n → n+1 with a new replica that starts empty
  { name: 'reconfig-add', reconfig: { kind: 'add' }, drop: 0.05, dup: 0.05, maxDelay: 20 },
  // n+1 → n (n ≥ 4), with crashes and restarts across the switch
  { name: 'reconfig-remove', reconfig: { kind: 'remove' }, drop: 0.05, dup: 0.05, maxDelay: 20, crashes: true },
  // the primary for H or H+1 crashes, so a view change is under way when replicas switch
  { name: 'reconfig-during-view-change', reconfig: { kind: 'add', crash: 'primary' }, drop: 0.05, dup: 0.05, maxDelay: 20 },
  // the new validator crashes for good right after switching: n+1 with f faults must stay live
  { name: 'reconfig-new-crashes', reconfig: { kind: 'add', crash: 'added' }, drop: 0.05, dup: 0.05, maxDelay: 20 },
]
