// Regression found by the chaos runner (issue 10): after block sync applies several blocks, the
// request ids of the blocks before the last one stay "pending" in the PBFT state, so the request
// timer keeps firing view changes and a primary keeps proposing empty blocks with no load at all.
// Repro on processes: `npm run chaos -- --duration 30 --seed 20260 --kinds kill-primary,partition-minority
// --fuzz 0 --p2p-fuzz 0` prints "heights 93,..." when the load stops and "heights at the checks: 147,..."
// seconds later: blocks 94..147 all have txCount 0, and every node logs a view change every 2-4 s.
// Fixed: the app tells the machine which requests are still pending (ConsensusContext.stillPending,
// the node's mempool), and onSynced drops the others.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { block, Replica } from '../consensus/fixtures.js'

test('a request committed in a block applied by sync is no longer pending (no view-change churn, no empty blocks)', () => {
  const r = new Replica('v1')
  const committed = new Set(['tx-in-block-1', 'other'])
  r.ctx = { ...r.ctx, stillPending: (id) => !committed.has(id) }
  r.input({ type: 'start', now: 0 })
  r.input({ type: 'request', txHash: 'tx-in-block-1', now: 1 })
  const b1 = block(1, undefined, 10, ['tx-in-block-1'])
  const b2 = block(2, b1.hash, 20, ['other'])
  // Block sync verified and applied blocks 1 and 2; consensus hears of the new head.
  r.input({ type: 'synced', head: { block: b2, certificate: [] }, now: 30 })
  assert.is(r.state.head.height, 2)
  assert.is(r.state.pending.has('tx-in-block-1'), false, 'tx of block 1 still pending after sync to height 2')
})

// Found measuring latency at 200 tx/s (issue 9): a view change every ~4 s under steady load. A tx's
// admission (signature check, store lookup) can finish while the block carrying it commits; its
// request then reaches the machine after the commit and stayed pending forever, so the request
// timer fired. Fixed: a request the app no longer holds (stillPending false) is not taken.
test('a request that arrives after its block committed is not taken (no request-timer view change)', () => {
  const r = new Replica('v1')
  const mempool = new Set<string>()
  r.ctx = { ...r.ctx, stillPending: (id) => mempool.has(id) }
  r.input({ type: 'start', now: 0 })
  r.input({ type: 'request', txHash: 'late', now: 1 })
  assert.is(r.state.pending.has('late'), false)
  assert.is(r.state.timers.has('request'), false, 'no request timer for a request nobody holds')
  mempool.add('live')
  r.input({ type: 'request', txHash: 'live', now: 2 })
  assert.is(r.state.pending.has('live'), true)
})

test.run()
