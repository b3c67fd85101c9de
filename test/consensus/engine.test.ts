import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConsensusEngine, type CertSig } from '../../src/consensus/index.js'
import { makeSimBlock, simContext, type SimBlock } from '../../src/consensus/sim/app.js'
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
        buildBlock: async (height, _view, parent) => makeSimBlock({ height, parent: parent.hash, time: parent.time + 1, requests: ['tx1'], proposer: id }),
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

test.run()
