// The health verdict and the watch on store writes (src/node/health.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { healthReasons, peersHeight, StoreWatch, EXIT_STORE_RECOVERED, type HealthInputs } from '../../src/node/health.js'
import { isNodeError } from '../../src/util/index.js'

const healthy: HealthInputs = { height: 100, peersHeight: 101, maxBlocksBehind: 16, quorum: { reachable: 4, size: 3 }, clockOffsetMs: 40, maxClockOffsetMs: 2500, storeError: null }
const codes = (i: Partial<HealthInputs>): string[] => healthReasons({ ...healthy, ...i }).map((r) => r.code)

test('a node is unhealthy when its store cannot write, it lags, it cannot reach a quorum, or its clock is off', () => {
  assert.equal(codes({}), [])
  assert.equal(codes({ storeError: 'LEVEL_IO_ERROR: No space left on device' }), ['STORE_WRITE_FAILED'])
  assert.equal(codes({ peersHeight: 116 }), [], '16 behind is the limit')
  assert.equal(codes({ peersHeight: 117 }), ['BEHIND_PEERS'])
  assert.equal(codes({ quorum: { reachable: 2, size: 3 } }), ['TOO_FEW_PEERS'])
  assert.equal(codes({ quorum: null }), [], 'a member node needs no quorum')
  assert.equal(codes({ clockOffsetMs: -7_200_000 }), ['CLOCK_OFFSET'])
  assert.equal(codes({ clockOffsetMs: null, peersHeight: null }), [], 'not measured is not a failure')
})

test('the peers\' height is one at least one honest validator reached: one peer claiming more does not count', () => {
  const heads = new Map([['v1', 10], ['v2', 11], ['v3', 1_000_000], ['m1', 5_000_000]])
  assert.is(peersHeight(heads, ['v0', 'v1', 'v2', 'v3'], 'v0'), 11)
  assert.is(peersHeight(new Map([['v3', 50]]), ['v0', 'v1', 'v2', 'v3'], 'v0'), null, 'f+1 = 2 reports needed')
})

function watch(probe: () => Promise<void>) {
  const logs: { level: string; msg: string }[] = []
  const calls = { failure: 0, writable: 0 }
  const w = new StoreWatch({
    log: { error: (_o, msg) => logs.push({ level: 'error', msg }), warn: (_o, msg) => logs.push({ level: 'warn', msg }) },
    probeWrite: probe, onFailure: () => { calls.failure++ }, onWritable: () => { calls.writable++ }, probeIntervalMs: 5, relogMs: 30,
  })
  return { w, logs, calls }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('the first failed write is one error log and stops writers; later failures are counted, not logged', () => {
  const { w, logs, calls } = watch(() => Promise.reject(new Error('ENOSPC')))
  for (let i = 0; i < 50; i++) w.failed(Object.assign(new Error('No space left on device'), { code: 'LEVEL_IO_ERROR' }))
  assert.equal(logs.map((l) => l.level), ['error'])
  assert.match(logs[0]!.msg, `exits with code ${EXIT_STORE_RECOVERED}`)
  assert.is(calls.failure, 1)
  assert.is(w.failedWrites, 50)
  assert.is(w.error, 'LEVEL_IO_ERROR: No space left on device')
  w.close()
})

test('txs are refused with NODE_UNHEALTHY while the store cannot write', () => {
  const { w } = watch(() => Promise.reject(new Error('ENOSPC')))
  w.assertWritable()
  w.failed(new Error('No space left on device'))
  try { w.assertWritable(); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'NODE_UNHEALTHY'), String(e)) }
  w.close()
})

test('a failure that lasts is logged again now and then; when the probe writes, the node is told once', async () => {
  let full = true
  const { w, logs, calls } = watch(async () => { if (full) throw new Error('ENOSPC') })
  w.failed(new Error('No space left on device'))
  await sleep(80)
  const errors = logs.filter((l) => l.level === 'error').length
  assert.ok(errors >= 2 && errors <= 5, `${errors} error logs in 80 ms with a 30 ms period`)
  assert.is(calls.writable, 0)
  full = false
  await sleep(40)
  assert.is(calls.writable, 1)
  assert.ok(logs.some((l) => l.level === 'warn' && l.msg.includes('takes writes again')))
  await sleep(20)
  assert.is(calls.writable, 1, 'once')
})

test.run()
