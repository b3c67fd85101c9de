// A short seeded chaos run (scripts/chaos.ts, the full one is `npm run chaos`): 4 validator
// processes under deposit load; seed 13 makes the primary equivocate (two valid blocks for one
// height, to different peers), then kills the primary with kill -9 and restarts it. Nothing
// acknowledged may be lost, no fork, no stall while a quorum is up.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runChaos } from '../../scripts/chaos/run.js'

test('a short chaos run loses no acknowledged deposit, forks nothing and never stalls with a quorum up', async () => {
  const lines: string[] = []
  const r = await runChaos({
    durationS: 26, seed: 13, nodes: 4, workers: 3, faultS: [3, 4], gapS: [2, 3], logLevel: 'info', quiescenceMs: 0,
    kinds: ['kill-primary', 'pause', 'partition-minority', 'byzantine', 'wipe', 'partition-split'],
    log: (l) => lines.push(l),
  })
  const report = [...lines, ...r.problems.map((p) => 'PROBLEM: ' + p), ...r.warnings.map((w) => 'WARNING: ' + w), r.summary].join('\n')
  if (process.env.CC_CHAOS_VERBOSE) console.log(report)
  else console.log(`  ${r.summary}`)
  assert.ok(r.perturbations >= 2, report)
  assert.ok(r.acknowledged > 20, report)
  assert.is(r.lost, 0, report)
  assert.is(r.forks, 0, report)
  assert.is(r.stalls, 0, report)
  assert.is(r.reopenFailures, 0, report)
  assert.ok(r.ok, report)
})

test.run()
