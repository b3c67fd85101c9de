import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isNodeError, utf8 } from '../../src/util/index.js'
import { P2P as P2PClass } from '../../src/p2p/index.js'
import type { P2P } from '../../src/p2p/index.js'
import { captureLog, closeAll, entryOf, member, startNode, waitFor } from './helpers.js'

test('after a peer restarts with the same seed on the same port, the re-dial reconnects and messages flow', async () => {
  const ma = member(0)
  const mb = member(1)
  const a = (await startNode(ma)).node
  let b: P2P | null = (await startNode(mb)).node
  let b2: P2P | null = null
  try {
    const bAddrs = b.addrs()
    // Only a dials: the reconnection below is a's re-dial, not b's.
    a.setPeers([{ ...entryOf(mb, b, true) }])
    b.setPeers([entryOf(ma, a, false)])
    await waitFor(() => a.peers()[0]!.connected, 3000, 'first connection')
    const events: string[] = []
    a.onPeer((e) => events.push(`${e.id}:${e.connected}`))

    await b.close()
    b = null
    await waitFor(() => !a.peers()[0]!.connected, 3000, 'a sees b gone')
    assert.is(a.send('m1', 'tx', utf8('lost')), false)
    await a.request('m1', 'sync', utf8('q'), { timeoutMs: 500 }).then(
      () => assert.unreachable('should reject'),
      (err: unknown) => assert.ok(isNodeError(err, 'NOT_CONNECTED'), String(err)))

    // Let a fail a few dials against the closed port first, so the back-off is exercised.
    await new Promise((r) => setTimeout(r, 400))
    b2 = (await startNode(mb, { listen: bAddrs })).node
    assert.equal(b2.addrs(), bAddrs)
    b2.setPeers([entryOf(ma, a, false)])
    const got: string[] = []
    await b2.handle('tx', (from, bytes) => { got.push(`${from}:${new TextDecoder().decode(bytes)}`) })
    await waitFor(() => a.peers()[0]!.connected, 5000, 're-dial after restart')
    assert.ok(a.send('m1', 'tx', utf8('again')))
    await waitFor(() => got.length === 1, 3000, 'message after restart')
    assert.equal(got, ['m0:again'])
    assert.equal(events, ['m1:false', 'm1:true'])
  } finally {
    await closeAll([a, b, b2])
  }
})

test('aborting deps.signal closes the node and its listener', async () => {
  const m = member(3)
  const ac = new AbortController()
  const node = await P2PClass.init({ seed: m.seed, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], chainId: 'x' }, { log: captureLog().log, signal: ac.signal })
  const addr = node.addrs()[0]!
  ac.abort()
  const port = Number(addr.split('/')[4])
  await waitFor(() => node.addrs().length === 0, 3000, 'listener closed')
  // The port is free again: a new node can bind it.
  const again = await P2PClass.init({ seed: m.seed, listen: [`/ip4/127.0.0.1/tcp/${port}`], peers: [], chainId: 'x' }, { log: captureLog().log })
  assert.equal(again.addrs(), [addr])
  await again.close()
})

test.run()
