import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { utf8, fromUtf8, isNodeError } from '../../src/util/index.js'
import { cluster, closeAll, waitFor } from './helpers.js'

const { nodes, logs } = await cluster(3)
const [a, b, c] = nodes as [typeof nodes[0], typeof nodes[0], typeof nodes[0]]

test('delivers a one-way message with the authenticated sender as from', async () => {
  const got: [string, string][] = []
  await b.handle('consensus', (from, bytes) => { got.push([from, fromUtf8(bytes)]) })
  assert.ok(a.send('m1', 'consensus', utf8('hello')))
  assert.ok(c.send('m1', 'consensus', utf8('hi from c')))
  await waitFor(() => got.length === 2, 3000, 'two messages')
  assert.equal(got.sort(), [['m0', 'hello'], ['m2', 'hi from c']])
})

test('keeps message order on one peer and protocol', async () => {
  const got: number[] = []
  await b.handle('order', (_from, bytes) => { got.push(bytes[0]! | (bytes[1]! << 8)) })
  for (let i = 0; i < 2000; i++) a.send('m1', 'order', new Uint8Array([i & 255, i >> 8]))
  await waitFor(() => got.length === 2000, 5000, '2000 messages')
  assert.equal(got, Array.from({ length: 2000 }, (_, i) => i))
})

test('broadcast reaches every connected peer', async () => {
  const got: string[] = []
  for (const n of [b, c]) await n.handle('tx', (from, bytes) => { got.push(`${from}:${fromUtf8(bytes)}`) })
  assert.is(a.broadcast('tx', utf8('t1')), 2)
  await waitFor(() => got.length === 2, 3000, 'broadcast')
  assert.equal(got, ['m0:t1', 'm0:t1'])
})

test('send returns false for an unknown member', () => {
  assert.is(a.send('nobody', 'tx', utf8('x')), false)
})

test('request/response returns the handler answer; many requests share a stream', async () => {
  await c.handleRequest('sync', async (from, bytes) => utf8(`${from} asked ${fromUtf8(bytes)}`))
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => a.request('m2', 'sync', utf8(`q${i}`), { timeoutMs: 3000 })))
  assert.equal(answers.map((x) => fromUtf8(x)), Array.from({ length: 50 }, (_, i) => `m0 asked q${i}`))
})

test('a large message (8 MiB) arrives intact', async () => {
  const big = new Uint8Array(8 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255
  let got: Uint8Array | null = null
  await c.handle('block', (_from, bytes) => { got = bytes })
  assert.ok(b.send('m2', 'block', big))
  await waitFor(() => got != null, 5000, 'big message')
  assert.is(got!.length, big.length)
  assert.ok(Buffer.from(got!).equals(Buffer.from(big)))
})

test('a throwing request handler answers REMOTE_ERROR and the stream keeps working', async () => {
  await b.handleRequest('fail', async (_from, bytes) => {
    if (bytes[0] === 1) throw new Error('boom')
    return bytes
  })
  try {
    await a.request('m1', 'fail', new Uint8Array([1]), { timeoutMs: 3000 })
    assert.unreachable('should reject')
  } catch (err) {
    assert.ok(isNodeError(err, 'REMOTE_ERROR'), String(err))
  }
  const ok = await a.request('m1', 'fail', new Uint8Array([2]), { timeoutMs: 3000 })
  assert.equal([...ok], [2])
  assert.ok(logs[1]!.some((e) => e.msg === 'request handler failed'))
})

test('a throwing message handler costs nothing: later messages still arrive', async () => {
  const got: number[] = []
  await c.handle('flaky', (_from, bytes) => {
    if (bytes[0] === 0) throw new Error('handler bug')
    got.push(bytes[0]!)
  })
  await c.handle('flaky-async', async () => { throw new Error('async handler bug') })
  a.send('m2', 'flaky-async', new Uint8Array([0]))
  for (const v of [0, 1, 0, 2]) a.send('m2', 'flaky', new Uint8Array([v]))
  await waitFor(() => got.length === 2, 3000, 'messages after a throw')
  assert.equal(got, [1, 2])
  await waitFor(() => logs[2]!.filter((e) => e.msg === 'message handler failed').length === 3, 3000, 'handler failures logged')
})

test('a request times out when the link filter drops it', async () => {
  a.setLinkFilter((to, name) => (to === 'm2' && name === 'sync' ? 'drop' : 'pass'))
  try {
    await a.request('m2', 'sync', utf8('lost'), { timeoutMs: 200 })
    assert.unreachable('should time out')
  } catch (err) {
    assert.ok(isNodeError(err, 'TIMEOUT'), String(err))
  } finally {
    a.setLinkFilter(null)
  }
})

test('the link filter drops and delays messages on send', async () => {
  const got: string[] = []
  await b.handle('chaos', (_from, bytes) => { got.push(fromUtf8(bytes)) })
  a.setLinkFilter((_to, _name, bytes) => (bytes[0] === 0x64 /* d */ ? 'drop' : bytes[0] === 0x6c /* l */ ? { delayMs: 150 } : 'pass'))
  const t0 = Date.now()
  for (const s of ['late', 'drop', 'now']) assert.ok(a.send('m1', 'chaos', utf8(s)))
  await waitFor(() => got.length === 2, 3000, 'filtered messages')
  assert.equal(got, ['now', 'late'])
  assert.ok(Date.now() - t0 >= 140)
  a.setLinkFilter(null)
})

test('an oversized outgoing message throws MESSAGE_TOO_LARGE (misuse)', () => {
  assert.throws(() => a.send('m1', 'tx', new Uint8Array(16 * 1024 * 1024 + 1)), (e: unknown) => isNodeError(e, 'MESSAGE_TOO_LARGE'))
})

test.after(async () => { await closeAll(nodes) })
test.run()
