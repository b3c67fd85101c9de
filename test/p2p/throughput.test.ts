import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setImmediate as tick } from 'node:timers/promises'
import type { P2P } from '../../src/p2p/index.js'
import { closeAll, cluster, waitFor } from './helpers.js'

// One process hosts both ends, so sender and receiver share a core: a floor, not the ceiling.
const COUNT = Number(process.env.P2P_BENCH_COUNT ?? 100_000)
const SIZE = 1024

test('1 KiB messages to one peer: throughput (msgs/s printed)', async () => {
  const { nodes } = await cluster(2)
  const [a, b] = nodes as [P2P, P2P]
  try {
    let received = 0
    await b.handle('bench', () => { received++ })
    const msg = new Uint8Array(SIZE).fill(7)
    // Warm up: open the stream.
    a.send('m1', 'bench', msg)
    await waitFor(() => received === 1, 3000, 'warm-up')
    received = 0
    const t0 = performance.now()
    let sent = 0
    while (sent < COUNT) {
      // Written 100 at a time; a full queue means wait for the socket.
      for (let k = 0; k < 100 && sent < COUNT; k++) {
        if (!a.send('m1', 'bench', msg)) break
        sent++
      }
      await tick()
    }
    await waitFor(() => received === COUNT, 60_000, 'all messages')
    const secs = (performance.now() - t0) / 1000
    const rate = Math.round(COUNT / secs)
    console.log(`\n  p2p throughput: ${COUNT} x ${SIZE} B in ${secs.toFixed(2)} s = ${rate} msgs/s (${((COUNT * SIZE) / secs / 2 ** 20).toFixed(1)} MiB/s)`)
    assert.ok(rate > 5000, `rate ${rate}`)
  } finally {
    await closeAll(nodes)
  }
})

test.run()
