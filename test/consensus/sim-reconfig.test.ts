import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runScenario, runSimulation, scenarios, type ScenarioSpec } from '../../scripts/sim/index.js'

const scenario = (name: string): ScenarioSpec => scenarios.find((s) => s.name === name)!
const reconfigNames = ['reconfig-add', 'reconfig-remove', 'reconfig-during-view-change', 'reconfig-new-crashes']

test('the reconfiguration scenarios are in the list every seed cycles through', () => {
  for (const name of reconfigNames) assert.ok(scenarios.some((s) => s.name === name && s.reconfig), name)
})

test('no safety violation or liveness failure across a validator-set change (4 and 7 replicas)', () => {
  for (const name of reconfigNames) {
    const four = runSimulation({ seeds: 6, nodes: 4, scenario: name })
    assert.equal(four.failures, [], name)
    const seven = runSimulation({ seeds: 2, nodes: 7, scenario: name, seed: 500 })
    assert.equal(seven.failures, [], name)
  }
})

test('every live replica commits past the boundary in the new epoch', () => {
  for (const name of reconfigNames) for (const seed of [11, 12]) {
    const r = runScenario({ seed, nodes: 4, scenario: scenario(name) })
    assert.ok(r.boundary !== undefined && r.maxHeight >= r.boundary + 2, `${name} seed ${seed}: head ${r.maxHeight}, boundary ${r.boundary}`)
    assert.is(r.switched, r.live, `${name} seed ${seed}`)
  }
})

test('the new validator crashing right after the switch leaves n=5, f=1 live', () => {
  for (const seed of [1, 2, 3]) {
    const r = runScenario({ seed, nodes: 4, scenario: scenario('reconfig-new-crashes') })
    assert.equal([r.safety, r.liveness], [[], []])
    assert.is(r.live, 4) // five validators in the new set, the added one down for good
  }
})

test('a switch while a view change is under way is exercised', () => {
  const r = runSimulation({ seeds: 8, nodes: 4, scenario: 'reconfig-during-view-change' })
  assert.equal(r.failures, [])
  assert.ok(r.reconfig['reconfig-during-view-change']!.duringViewChange > 0)
})

test('the checker reports replicas that keep voting with the old set after the boundary', () => {
  const safety = [1, 2, 3].flatMap((seed) => runScenario({ seed, nodes: 4, scenario: scenario('reconfig-remove'), unsafeNoSwitch: true }).safety)
  assert.ok(safety.some((d) => d.includes('outside the set in force there')))
})

test.run()
