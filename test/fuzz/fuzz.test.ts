// The hostile-input suites on one 4-validator devnet of processes (full sizes: `npm run chaos`):
// an RPC fuzzer against one node, then a p2p fuzzer holding a validator's key.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ChaosCluster } from '../../scripts/chaos/cluster.js'
import { fuzzP2p } from '../../scripts/chaos/p2p-fuzz.js'
import { fuzzRpc } from '../../scripts/chaos/rpc-fuzz.js'

let c: ChaosCluster

test.before(async () => {
  const t0 = Date.now()
  c = await ChaosCluster.create({ nodes: 4, logLevel: 'info' })
  c.ids.forEach((_, i) => c.start(i))
  for (const i of c.ids.keys()) assert.ok(await c.waitServing(i, 60_000), c.logs(i))
  console.log(`  devnet of 4 processes serving after ${Date.now() - t0} ms`)
})

test.after(async () => { await c?.stop(process.env.CC_KEEP !== undefined) })

test('2,000 mutated RPC requests: no 5xx, the node keeps serving, replays and forged signatures are refused, rejected input changes nothing', async () => {
  const t0 = Date.now()
  const r = await fuzzRpc(c, { count: 2000, seed: 11, target: 0 })
  console.log(`  ${r.summary} (${Date.now() - t0} ms)`)
  assert.is(r.sent, 2000)
  assert.is(r.fiveXx, 0, r.problems.join('\n'))
  assert.equal(r.problems, [], r.summary)
})

test('2,000 mutated p2p frames from an allowlisted validator key: no crash, bounded memory, the chain still commits', async () => {
  const t0 = Date.now()
  const r = await fuzzP2p(c, { count: 2000, seed: 12, as: 3 })
  console.log(`  ${r.summary} (${Date.now() - t0} ms)`)
  assert.is(r.sent, 2000)
  assert.equal(r.problems, [], r.summary)
})

test.run()
