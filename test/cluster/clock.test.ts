// Proposer-based timestamps on real processes: court-1 (the primary of view 0) runs with its wall
// clock two hours behind (libfaketime), on a chain quiet since its genesis three hours ago, so a
// block stamped by that clock still follows its parent: only the timeliness rule can refuse it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { shiftedClock, startCluster, waitFor, type Cluster } from './harness.js'

const HOUR = 3_600_000
const SLOW = 0
const VALIDATORS = [0, 1, 2, 3]

let c: Cluster

test.before(async () => {
  c = await startCluster({ nodes: 4, units: 1, genesisTime: Date.now() - 3 * HOUR, env: { [SLOW]: shiftedClock('-2h') } })
  await c.ready()
})

test.after(async () => { await c?.stop() })

test('a primary whose clock runs two hours behind gets no block committed; the next primary stamps the real time', async () => {
  // a block may be stamped at most precision + message delay before an honest validator first got it
  const { maxClockSkewMs, messageDelayMs } = (await c.get(1, '/v1/trust-root')).genesis.consensus
  const sent = Date.now()
  const r = await c.deposit(1, 'under a slow primary')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  const { time } = (await c.get(1, `/v1/blocks/${r.body.height}`)).block.header
  assert.ok(time >= sent - maxClockSkewMs - messageDelayMs, `block ${r.body.height} stamped ${sent - time} ms before the deposit was sent (bound ${maxClockSkewMs} + ${messageDelayMs})`)
  assert.ok(time <= Date.now() + maxClockSkewMs, `block ${r.body.height} stamped ${time - Date.now()} ms ahead`)
  const s = await c.get(1, '/v1/status')
  assert.ok(s.view >= 1 && s.primary !== 'court-1', `view ${s.view}, primary ${s.primary}`)
})

test('the validator with the bad clock cannot stall the chain, and follows it on certificates', async () => {
  for (let k = 0; k < 4; k++) {
    const r = await c.deposit(k % 4, `slow clock ${k}`) // one of them through the slow node itself
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  }
  const height = (await c.get(1, '/v1/status')).height
  await waitFor(`court-1 at height ${height}`, async () => (await c.get(SLOW, '/v1/status')).height >= height, 20_000)
  const hashes = await Promise.all(VALIDATORS.map(async (i) => (await c.get(i, `/v1/blocks/${height}`)).hash))
  assert.ok(hashes.every((h) => h === hashes[0]), hashes.join(' '))
})

test.run()
