// The fault-injection modes of src/node/byzantine.ts at the consensus transport boundary, with a
// fake p2p: what a Byzantine replica sends, and the refusal outside test chains.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateBlock, type Genesis } from '../../src/chain/index.js'
import { decodeMessage, defaultDecodeLimits, signedPayload, signMessage, type ConsensusContext, type ConsensusMessage, type PrePrepare, type Prepare } from '../../src/consensus/index.js'
import { ed25519Sign, ed25519Verify, generateKeyPair } from '../../src/crypto/index.js'
import { CHAOS_FILE_ENV, Faults } from '../../src/node/byzantine.js'
import { buildNodeBlock, decodeNodeBlock, type NodeBlock } from '../../src/node/consensus-app.js'
import { Ledger } from '../../src/node/ledger.js'
import type { LinkFilter } from '../../src/p2p/index.js'
import { Store } from '../../src/store/index.js'
import { deposit, genesis, parent0 } from '../chain/fixture.js'

const ids = ['court-1', 'court-2', 'court-3', 'court-4']
const keys = new Map(ids.map((id) => [id, generateKeyPair()]))
const quiet = { info() {}, warn() {} }
const testChain = { chainId: 'devnet', testChain: true } as unknown as Genesis
const ctx: ConsensusContext<NodeBlock> = {
  chainId: 'devnet', validators: ids, self: 'court-1', genesis: { hash: '00'.repeat(32), height: 0, time: 0 },
  sign: (p) => ed25519Sign(keys.get('court-1')!.seed, p),
  verify: (signer, p, sig) => { const k = keys.get(signer); return k !== undefined && ed25519Verify(k.publicKey, p, sig) },
  commitPayload: () => new Uint8Array(), validateBlock: () => null, requestIds: () => [],
}
const decode = (b: Uint8Array): ConsensusMessage<NodeBlock> => decodeMessage<NodeBlock>(b, defaultDecodeLimits, () => { throw new Error('no blocks here') })
const verifies = (m: ConsensusMessage<NodeBlock>): boolean => ctx.verify(m.from, signedPayload(ctx, m), m.sig)

function harness(mode: string | null, env: Record<string, string> = {}): { sent: { to: string; bytes: Uint8Array }[]; honest: number; transport: ReturnType<Faults['wrap']>; faults: Faults; filter: () => LinkFilter | null } {
  const sent: { to: string; bytes: Uint8Array }[] = []
  let filter: LinkFilter | null = null
  const faults = Faults.install(mode, { genesis: testChain, log: quiet, env })
  faults.attach({ ledger: null as never, protocol: 'pbft', p2p: { send: (to, _n, bytes) => { sent.push({ to, bytes }); return true }, setLinkFilter: (f) => { filter = f } } })
  const h = { sent, honest: 0, faults, filter: () => filter, transport: null as unknown as ReturnType<Faults['wrap']> }
  h.transport = faults.wrap(ctx, { broadcast: () => { h.honest++ }, send: () => { h.honest++ } })
  return h
}
const prepare = (): Prepare => signMessage(ctx, { type: 'prepare', view: 3, height: 7, digest: 'ab'.repeat(32), from: 'court-1', sig: new Uint8Array() })

test('refuses a Byzantine mode or a chaos control file unless genesis marks a test chain', () => {
  const prod = { chainId: 'prod' } as unknown as Genesis
  assert.throws(() => Faults.install('equivocate', { genesis: prod, log: quiet, env: {} }), /test chain/)
  assert.throws(() => Faults.install(null, { genesis: prod, log: quiet, env: { [CHAOS_FILE_ENV]: '/tmp/x.json' } }), /test chain/)
  assert.throws(() => Faults.install('no-such-mode', { genesis: testChain, log: quiet, env: {} }), /unknown --byzantine mode/)
  Faults.install(null, { genesis: prod, log: quiet, env: {} }) // no faults asked: fine
})

test('without a mode or control file the consensus transport is the honest one', () => {
  const inner = { broadcast() {}, send() {} }
  const f = Faults.install(null, { genesis: testChain, log: quiet, env: {} })
  assert.is(f.wrap(ctx, inner), inner)
})

test('withhold sends no consensus message at all', () => {
  const h = harness('withhold')
  h.transport.broadcast(prepare())
  h.transport.send('court-2', prepare())
  assert.is(h.sent.length, 0)
  assert.is(h.honest, 0)
})

test('forge adds copies claiming another validator or with a damaged signature, which do not verify', () => {
  const h = harness('forge')
  h.transport.broadcast(prepare())
  const msgs = h.sent.map((s) => decode(s.bytes))
  assert.is(msgs.length, 9)
  assert.is(msgs.filter(verifies).length, 3, 'only the honest copies verify')
  assert.ok(msgs.some((m) => m.from !== 'court-1' && !verifies(m)), 'a copy claims another validator')
})

test('conflicting-votes sends validly signed votes for two digests to different peers', () => {
  const h = harness('conflicting-votes')
  h.transport.broadcast(prepare())
  const msgs = h.sent.map((s) => ({ to: s.to, m: decode(s.bytes) as Prepare }))
  assert.is(msgs.length, 3)
  assert.ok(msgs.every(({ m }) => verifies(m)))
  assert.is(new Set(msgs.map(({ m }) => m.digest)).size, 2)
  assert.is(new Set(msgs.map(({ to }) => to)).size, 3)
})

test('huge-view adds validly signed messages for views far ahead', () => {
  const h = harness('huge-view')
  h.transport.broadcast(prepare())
  const msgs = h.sent.map((s) => decode(s.bytes))
  assert.ok(msgs.some((m) => m.type === 'view-change' && m.view > 2 ** 39 && verifies(m)))
  assert.ok(msgs.some((m) => m.type === 'prepare' && m.view > 2 ** 30 && verifies(m)))
})

test('swap-sig sends the primary\'s block with a pending tx\'s signature swapped, in a block of its own that validation refuses', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-swap-'))
  const store = await Store.open(dir)
  try {
    const ledger = await Ledger.open(store, genesis)
    const sent: Uint8Array[] = []
    const faults = Faults.install('swap-sig', { genesis: testChain, log: quiet, env: {} })
    faults.attach({ ledger, protocol: 'pbft', p2p: { send: (_to, _n, bytes) => { sent.push(bytes); return true }, setLinkFilter: () => {} } })
    const transport = faults.wrap(ctx, { broadcast() {}, send() {} })
    const tx = deposit('notary-1')
    const honest = buildNodeBlock(ledger, ledger.baseOf(parent0.hash)!, [tx], parent0, parent0.time + 10)
    transport.broadcast(signMessage(ctx, { type: 'pre-prepare', view: 0, height: 1, digest: honest.hash, block: honest, from: 'court-1', sig: new Uint8Array() }))
    assert.is(sent.length, 3)
    const pp = decodeMessage<NodeBlock>(sent[0]!, defaultDecodeLimits, (b) => decodeNodeBlock(ledger, b)) as PrePrepare<NodeBlock>
    assert.ok(verifies(pp), 'a validly signed pre-prepare')
    const [swapped] = pp.block.pb.txs
    assert.is(swapped!.hash, tx.hash, 'the same tx')
    assert.is.not(swapped!.tx.sig, tx.tx.sig, 'another signature')
    assert.is.not(pp.digest, honest.hash, 'a block of its own')
    assert.throws(() => validateBlock(pp.block.pb, { parent: parent0, params: genesis.consensus, state: ledger.state, verify: ed25519Verify, alreadyVerified: (h) => h === tx.hash || h === tx.signedHash, isCommitted: () => false }),
      /signature of tx .* does not verify/)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('the control file switches partitions, loss, delay and a Byzantine mode on and off live', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-faults-'))
  const file = join(dir, 'chaos.json')
  const h = harness(null, { [CHAOS_FILE_ENV]: file })
  try {
    const f = h.filter()!
    assert.ok(f, 'a link filter is installed')
    assert.is(f('court-2', 'pbft', new Uint8Array()), 'pass')
    await writeFile(file, JSON.stringify({ dropTo: ['court-2'], delayMs: 50, byzantine: 'withhold' }))
    await new Promise((r) => setTimeout(r, 500))
    assert.is(f('court-2', 'pbft', new Uint8Array()), 'drop')
    assert.equal(f('court-3', 'sync', new Uint8Array()), { delayMs: 50 })
    h.transport.broadcast(prepare())
    assert.is(h.sent.length + h.honest, 0, 'withholding')
    await writeFile(file, '{}')
    await new Promise((r) => setTimeout(r, 500))
    assert.is(f('court-2', 'pbft', new Uint8Array()), 'pass')
    h.transport.broadcast(prepare())
    assert.is(h.honest, 1, 'honest again')
  } finally {
    clearInterval(h.faults.timer!)
    await rm(dir, { recursive: true, force: true })
  }
})

test.run()
