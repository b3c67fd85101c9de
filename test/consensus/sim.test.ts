import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runScenario, runSimulation, scenarios } from '../../scripts/sim/index.js'

test('no safety violation or liveness failure over a few hundred seeds (4 and 7 replicas)', () => {
  const four = runSimulation({ seeds: 132, nodes: 4 })
  assert.equal(four.failures, [])
  const seven = runSimulation({ seeds: 22, nodes: 7, seed: 1000 })
  assert.equal(seven.failures, [])
})

test('the simulator reports a safety violation when 2f votes count as a quorum', () => {
  const byzantine = scenarios.filter((s) => s.name === 'twins' || s.name === 'equivocating-primary')
  const conflicts = byzantine.flatMap((scenario) => [1, 2, 3, 4, 5, 6].flatMap((seed) => runScenario({ seed, nodes: 4, scenario, brokenQuorum: true }).safety))
    .filter((d) => d.startsWith('conflicting commits'))
  assert.ok(conflicts.length > 0)
})

test('memory stays bounded over 10k heights (message store and WAL)', () => {
  const r = runScenario({ seed: 7, nodes: 4, scenario: scenarios[0]!, heights: 10_000 })
  assert.equal([r.safety, r.liveness], [[], []])
  assert.is(r.maxHeight, 10_000)
  assert.ok(r.maxStoreSize < 200, `store size ${r.maxStoreSize}`)
  assert.ok(r.maxWal < 200, `wal ${r.maxWal}`)
})

test.run()
