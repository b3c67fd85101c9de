// The vote fence of a restored validator (src/node/fence.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fenceHeight, VoteFence } from '../../src/node/fence.js'

const validators = ['v0', 'v1', 'v2', 'v3']

test('the fence is the highest head of 2f other validators plus the pipeline depth', () => {
  assert.is(fenceHeight(new Map([['v1', 40]]), validators, 'v0', 4), null, 'one peer heard: with this node not a quorum')
  assert.is(fenceHeight(new Map([['v1', 40], ['v3', 37]]), validators, 'v0', 4), 44)
  assert.is(fenceHeight(new Map([['v0', 90], ['m1', 99], ['v1', 40]]), validators, 'v0', 4), null, 'itself and members do not count')
})

function fenced(initial: number | 'unknown' | null) {
  let stored = initial
  let lifted = 0
  const logs: string[] = []
  const open = (head: number) => VoteFence.open({
    store: { voteFence: async () => stored, setVoteFence: async (f) => { stored = f } },
    self: 'v0', depth: 4, log: { info: (_o, m) => logs.push(m) }, onLifted: () => { lifted++ },
  }, head)
  return { open, get stored() { return stored }, get lifted() { return lifted }, logs }
}
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

test('a restored node votes only once its committed head passes the fence it learns from its peers', async () => {
  const f = fenced('unknown')
  const fence = await f.open(10)
  assert.ok(fence.holds)
  fence.committed(30)
  assert.ok(fence.holds, 'no fence height yet: still held')
  fence.heard(new Map([['v1', 40], ['v2', 41]]), validators)
  assert.is(f.stored, 45, 'persisted, so a restart keeps it')
  fence.heard(new Map([['v1', 400], ['v2', 401]]), validators)
  assert.is(f.stored, 45, 'fixed once')
  fence.committed(44)
  assert.ok(fence.holds)
  fence.committed(45)
  assert.not.ok(fence.holds)
  await tick()
  assert.is(f.stored, null)
  assert.is(f.lifted, 1)
})

test('a node restarted after passing its fence, or never restored, is not held', async () => {
  const passed = fenced(45)
  assert.not.ok((await passed.open(50)).holds)
  await tick()
  assert.is(passed.lifted, 1)
  assert.not.ok((await fenced(null).open(0)).holds)
})

test.run()
