// Commit waiters (POST /v1/txs?wait=commit): woken by the commit, released by their timeout, and
// capped, so a flood of waiting requests cannot hold unbounded timers and promises.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CommitWaiters } from '../../src/node/waiters.js'

const loc = { height: 3, index: 1, blockHash: 'ab'.repeat(32) }

test('a commit wakes every waiter of that tx; a timeout answers null', async () => {
  const w = new CommitWaiters()
  const a = w.wait('t1', 5_000), b = w.wait('t1', 5_000), c = w.wait('t2', 20)
  assert.is(w.size, 3)
  w.committed('t1', loc)
  assert.equal(await a, loc)
  assert.equal(await b, loc)
  assert.is(await c, null)
  assert.is(w.size, 0)
})

test('beyond the cap a waiter is answered at once with null, and room comes back as others finish', async () => {
  const w = new CommitWaiters(2)
  const a = w.wait('t1', 5_000), b = w.wait('t2', 5_000)
  assert.is(await w.wait('t3', 5_000), null)
  w.committed('t1', loc)
  await a
  const d = w.wait('t4', 5_000)
  assert.is(w.size, 2)
  w.closeAll()
  assert.is(await b, null)
  assert.is(await d, null)
  assert.is(w.size, 0)
})

test.run()
