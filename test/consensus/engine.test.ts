import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConsensusEngine, MAX_QUEUED_PER_PEER, type CertSig } from '../../src/consensus/index.js'
import { makeSimBlock, simContext, type SimBlock } from '../../scripts/sim/app.js'
import { deferred, fromUtf8, utf8 } from '../../src/util/index.js'

const validators = ['v0', 'v1', 'v2', 'v3']
const codec = {
  encodeBlock: (b: SimBlock): Uint8Array => utf8(JSON.stringify(b)),
  decodeBlock: (bytes: Uint8Array): SimBlock => JSON.parse(fromUtf8(bytes)) as SimBlock,
}
const quiet = { debug: () => {}, info: () => {}, warn: () => {} }

test('four engines commit a requested block through the serialized queue, persisting votes first', async () => {
  const engines = new Map<string, ConsensusEngine<SimBlock>>()
  const done = deferred<void>()
  const committed = new Map<string, { block: SimBlock; certificate: CertSig[] }>()
  const wals = new Map<string, Uint8Array[]>()
  for (const id of validators) {
    const wal: Uint8Array[] = []
    wals.set(id, wal)
    engines.set(id, new ConsensusEngine<SimBlock>({ ...codec, viewTimeoutMs: 60_000, requestTimeoutMs: 60_000, blockIntervalMs: 0 }, {
      ctx: simContext(validators, id),
      transport: {
        broadcast: (msg) => { for (const [to, e] of engines) if (to !== id) queueMicrotask(() => e.receive(id, msg)) },
        send: (to, msg) => queueMicrotask(() => engines.get(to)!.receive(id, msg)),
      },
      wal: { append: async (r) => { wal.push(r); return wal.length }, load: async () => [], truncate: async () => {} },
      clock: { now: () => 1_000 },
      app: {
        buildBlock: async (height, _view, parent) => makeSimBlock({ height, parent: parent.hash, time: 1_000, requests: ['tx1'], proposer: id }),
        onCommit: async (block, certificate) => {
          committed.set(id, { block, certificate })
          if (committed.size === validators.length) done.resolve()
        },
        onSyncNeeded: () => {},
      },
      log: quiet,
    }))
  }
  for (const e of engines.values()) await e.start()
  for (const e of engines.values()) e.notifyRequest('tx1')
  await done.promise
  const hashes = new Set([...committed.values()].map((c) => c.block.hash))
  assert.is(hashes.size, 1)
  assert.ok([...committed.values()].every((c) => c.certificate.length >= 3))
  assert.ok([...wals.values()].every((w) => w.length > 0))
  for (const e of engines.values()) await e.stop()
})

test('a flooding peer gets at most MAX_QUEUED_PER_PEER messages queued; the rest are dropped, others unaffected', async () => {
  const stall = deferred<void>()
  let appends = 0
  const engine = new ConsensusEngine<SimBlock>({ ...codec, viewTimeoutMs: 60_000, requestTimeoutMs: 60_000, blockIntervalMs: 0 }, {
    ctx: simContext(validators, 'v0'),
    transport: { broadcast: () => {}, send: () => {} },
    // The primary's first WAL append (its pre-prepare) never finishes: the queue stands still.
    wal: { append: async () => { appends++; await stall.promise; return appends }, load: async () => [], truncate: async () => {} },
    clock: { now: () => 1_000 },
    app: {
      buildBlock: async (height, _view, parent) => makeSimBlock({ height, parent: parent.hash, time: 1_000, requests: ['tx1'], proposer: 'v0' }),
      onCommit: async () => {},
      onSyncNeeded: () => {},
    },
    log: quiet,
  })
  await engine.start()
  engine.notifyRequest('tx1')
  while (appends === 0) await new Promise((r) => setTimeout(r, 5))
  const junk = { type: 'prepare', view: 0, height: 1, hash: 'x', from: 'v1' } as never
  for (let i = 0; i < MAX_QUEUED_PER_PEER + 500; i++) engine.receive('v1', junk)
  for (let i = 0; i < 10; i++) engine.receive('v2', junk)
  assert.equal(engine.inbound, { queued: MAX_QUEUED_PER_PEER + 10, dropped: 500 })
  stall.resolve()
  await engine.idle()
  assert.equal(engine.inbound, { queued: 0, dropped: 500 })
  engine.receive('v1', junk) // room again once processed
  await engine.idle()
  assert.equal(engine.inbound, { queued: 0, dropped: 500 })
  await engine.stop()
})

test.run()
