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
  { name: 'censor', byzantine: 'censor', drop: 0.02, dup: 0.02, maxDelay: 15 },
]
