import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { P2P, protocolId } from '../../src/p2p/index.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { utf8, fromUtf8, sleep, withTimeout } from '../../src/util/index.js'
import { CHAIN, closeAll, entryOf, member, startNode, waitFor, type LogEntry } from './helpers.js'

// A raw libp2p node holding an allowlisted member's key: it passes the gater, then misbehaves.
async function rawNode(seed: Uint8Array): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', seed),
    transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 1000 },
  })
}

const closedOf = (s: Stream): Promise<void> => new Promise((resolve) => {
  if (s.status !== 'open') return resolve()
  s.addEventListener('close', () => resolve(), { once: true })
})
const u32 = (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b }
const badFrames = (entries: LogEntry[]): number => entries.filter((e) => e.msg === 'closing stream after a bad frame').length

const ma = member(0)
const mb = member(1)
const started = await startNode(ma, { maxMessageBytes: 64 * 1024 })
const a = started.node
const logA = started.entries
a.setPeers([entryOf(mb, null, false)])
const got: string[] = []
await a.handle('tx', (from, bytes) => { got.push(`${from}:${fromUtf8(bytes)}`) })
await a.handleRequest('sync', async (_from, bytes) => bytes)
const raw = await rawNode(mb.seed)
const dial = () => raw.dial(multiaddr(`${a.addrs()[0]}/p2p/${ma.peerId}`))
let conn = await dial()
// These tests are about streams; on a loaded machine the connection itself was once found closed
// before the first stream (4 failures in one CI run, none in isolation), so a closed one is redialled.
const open = async (name: string): Promise<Stream> => {
  if (conn.status !== 'open') conn = await dial()
  return conn.newStream(protocolId(CHAIN, name))
}

test('a declared frame length above the limit closes that stream and is logged', async () => {
  const s = await open('tx')
  s.send(u32(0xffffffff))
  await withTimeout(closedOf(s), 3000, 'stream closed by a')
  assert.ok(s.status === 'reset' || s.status === 'closed' || s.status === 'aborted', s.status)
  await waitFor(() => logA.some((e) => e.msg === 'closing stream after a bad frame' && (e.err as { code?: string })?.code === 'FRAME_TOO_LARGE'), 2000, 'log line')
})

test('garbage on a request stream (unknown kind, short body) closes the stream, not the node', async () => {
  const before = badFrames(logA)
  const s1 = await open('sync')
  s1.send(new Uint8Array([...u32(5), 9, 0, 0, 0, 1]))
  await withTimeout(closedOf(s1), 3000, 'unknown kind')
  const s2 = await open('sync')
  s2.send(new Uint8Array([...u32(2), 0, 0]))
  await withTimeout(closedOf(s2), 3000, 'short body')
  await waitFor(() => badFrames(logA) === before + 2, 2000, 'two bad frames logged')
})

test('a truncated frame followed by close delivers nothing; a well-formed frame on a new stream does, from the right member', async () => {
  const s1 = await open('tx')
  s1.send(new Uint8Array([...u32(10), 1, 2, 3]))
  await s1.close()
  const s2 = await open('tx')
  s2.send(new Uint8Array([...u32(2), ...utf8('ok')]))
  await waitFor(() => got.length === 1, 3000, 'good frame')
  assert.equal(got, ['m1:ok'])
  await s2.close()
})

test('random garbage on every protocol does not crash the node; requests still work', async () => {
  for (let round = 0; round < 20; round++) {
    for (const name of ['tx', 'sync']) {
      const s = await open(name)
      s.send(crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 300))))
      if (round % 2) await s.close().catch(() => {})
      else s.abort(new Error('test abort'))
    }
  }
  await sleep(100)
  // A well-behaved P2P node with the same member key is served normally afterwards.
  await raw.stop()
  const b = (await startNode(mb)).node
  try {
    b.setPeers([entryOf(ma, a, true)])
    await waitFor(() => b.peers()[0]!.connected, 3000, 'b connected')
    const echo = await b.request('m0', 'sync', utf8('still alive'), { timeoutMs: 3000 })
    assert.is(fromUtf8(echo), 'still alive')
  } finally {
    await b.close()
  }
})

test('an oversized message from a P2P peer with a larger limit is refused, and the link recovers', async () => {
  const b = (await startNode(mb, { maxMessageBytes: 1024 * 1024 })).node
  try {
    b.setPeers([entryOf(ma, a, true)])
    await waitFor(() => b.peers()[0]!.connected, 3000, 'b connected')
    got.length = 0
    const before = badFrames(logA)
    assert.ok(b.send('m0', 'tx', new Uint8Array(100 * 1024)))
    await waitFor(() => badFrames(logA) === before + 1, 3000, 'oversized refused')
    // The next messages go out on a fresh stream.
    await waitFor(() => { b.send('m0', 'tx', utf8('small')); return got.length > 0 }, 3000, 'small message after refusal')
    assert.ok(got.every((g) => g === 'm1:small'))
  } finally {
    await b.close()
  }
})

test.after(async () => { await Promise.resolve(raw.stop()).catch(() => {}); await closeAll([a]) })
test.run()
