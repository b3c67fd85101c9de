// The clock watch (src/node/clock.ts): this clock against the validators' head announcements.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClockWatch, clockOffset, CLOCK_SAMPLE_TTL_MS } from '../../src/node/clock.js'

const H = 3_600_000

test('the offset is the median of the validators\' readings, of two middle values the one nearer zero', () => {
  assert.is(clockOffset([10, 20, 2 * H], 1), 20, 'one peer two hours off does not move an honest node')
  assert.is(clockOffset([-2 * H + 5, -2 * H - 5, -2 * H], 1), -2 * H, 'a node two hours ahead sees every peer behind')
  assert.is(clockOffset([3, 2 * H], 1), 3, 'half disagreeing is not enough')
  assert.is(clockOffset([7], 1), null, 'fewer than f+1 readings')
})

function watch() {
  let now = 10 * H
  const logs: { level: string; msg: string }[] = []
  const w = new ClockWatch({
    now: () => now, validators: () => ['v0', 'v1', 'v2', 'v3'], self: 'v0', maxOffsetMs: () => 2500,
    log: { error: (_o, msg) => logs.push({ level: 'error', msg }), info: (_o, msg) => logs.push({ level: 'info', msg }) },
  }, 1000)
  return { w, logs, at: (t: number) => { now = t }, get now() { return now } }
}

test('a clock two hours behind is one error log, again after the re-log period, and an info line when fixed', () => {
  const c = watch()
  for (const v of ['v1', 'v2', 'v3']) c.w.reading(v, c.now + 2 * H) // their clocks read two hours more than ours
  assert.is(c.w.offsetMs(), -2 * H)
  assert.equal(c.logs.map((l) => l.level), ['error'])
  assert.match(c.logs[0]!.msg, '7200.0 s behind')
  c.at(c.now + 500)
  c.w.reading('v1', c.now + 2 * H)
  assert.is(c.logs.length, 1, 'not again within the period')
  c.at(c.now + 1000)
  c.w.reading('v2', c.now + 2 * H)
  assert.is(c.logs.length, 2)
  for (const v of ['v1', 'v2', 'v3']) c.w.reading(v, c.now)
  assert.is(c.logs.at(-1)!.level, 'info')
})

test('readings of non-validators, of itself, and stale ones do not count', () => {
  const c = watch()
  c.w.reading('member-1', c.now + 2 * H)
  c.w.reading('v0', c.now + 2 * H)
  assert.is(c.w.offsetMs(), null)
  c.w.reading('v1', c.now - 40)
  c.w.reading('v2', c.now - 60)
  assert.is(c.w.offsetMs(), 40)
  c.at(c.now + CLOCK_SAMPLE_TTL_MS + 1)
  assert.is(c.w.offsetMs(), null)
})

test.run()
