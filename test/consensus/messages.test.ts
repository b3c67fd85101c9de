import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encode } from 'cborg'
import { decodeMessage, defaultDecodeLimits, encodeMessage, signedPayload, signMessage, type ConsensusContext, type ConsensusMessage } from '../../src/consensus/index.js'
import { verifyMessageSig } from '../../src/consensus/quorum.js'
import { ed25519Sign, ed25519Verify, generateKeyPair } from '../../src/crypto/index.js'
import { makeSimBlock, type SimBlock } from '../../scripts/sim/app.js'
import { block, commit, ctxOf, prePrepare, prepare } from './fixtures.js'
import { fromUtf8, toHex, utf8 } from '../../src/util/index.js'

const eb = (b: SimBlock): Uint8Array => utf8(JSON.stringify(b))
const db = (bytes: Uint8Array): SimBlock => {
  const o = JSON.parse(fromUtf8(bytes)) as SimBlock
  const b = makeSimBlock({ height: o.height, parent: o.parent, time: o.time, requests: o.requests, proposer: o.proposer })
  if (b.hash !== o.hash) throw new Error('hash mismatch')
  return b
}
const roundTrip = (m: ConsensusMessage<SimBlock>): ConsensusMessage<SimBlock> => decodeMessage(encodeMessage(m, eb), defaultDecodeLimits, db)

test('every message type survives the strict wire encoding', () => {
  const b = block()
  const pp = prePrepare('v0', 0, b)
  const vc = signMessage(ctxOf('v1'), { type: 'view-change', view: 1, from: 'v1', checkpoint: { block: b, certificate: [{ signer: 'v0', sig: new Uint8Array([1, 2]) }] },
    prepared: [{ prePrepare: pp, prepares: [prepare('v1', 0, b)] }], sig: new Uint8Array() }) as ConsensusMessage<SimBlock>
  const nv = signMessage(ctxOf('v1'), { type: 'new-view', view: 1, from: 'v1', viewChanges: [vc as never], prePrepares: [pp], sig: new Uint8Array() }) as ConsensusMessage<SimBlock>
  for (const m of [pp, prepare('v1', 0, b), commit('v2', 0, b), vc, nv]) assert.equal(roundTrip(m), m)
})

test('decoding rejects unknown types, extra fields, bad digests and trailing bytes', () => {
  const bytes = encodeMessage(prepare('v1', 0, block()), eb)
  assert.throws(() => decodeMessage(encode(['vote', 1]), defaultDecodeLimits, db), /unknown/)
  assert.throws(() => decodeMessage(encode(['prepare', 0, 1, 'ab'.repeat(32), 'v1', new Uint8Array(8), 'extra']), defaultDecodeLimits, db), /elements/)
  assert.throws(() => decodeMessage(encode(['prepare', 0, 1, 'AB'.repeat(32), 'v1', new Uint8Array(8)]), defaultDecodeLimits, db), /hex/)
  assert.throws(() => decodeMessage(encode(['prepare', -1, 1, 'ab'.repeat(32), 'v1', new Uint8Array(8)]), defaultDecodeLimits, db), /unsigned/)
  const trailing = new Uint8Array(bytes.length + 1); trailing.set(bytes)
  assert.throws(() => decodeMessage(trailing, defaultDecodeLimits, db))
  assert.throws(() => decodeMessage(bytes, { ...defaultDecodeLimits, maxBytes: 10 }, db), /exceeds/)
})

test('a new-view sends each block once (a table referenced by index) and refuses a table entry nobody refers to or a bad index', () => {
  const b = block()
  const pp = prePrepare('v0', 0, b)
  const cert = { prePrepare: pp, prepares: [prepare('v1', 0, b), prepare('v2', 0, b)] }
  const vcs = ['v1', 'v2', 'v3'].map((id) => signMessage(ctxOf(id), { type: 'view-change', view: 1, from: id, checkpoint: null, prepared: [cert], sig: new Uint8Array() }))
  const nv = signMessage(ctxOf('v1'), { type: 'new-view', view: 1, from: 'v1', viewChanges: vcs as never, prePrepares: [prePrepare('v1', 1, b)], sig: new Uint8Array() }) as ConsensusMessage<SimBlock>
  assert.equal(roundTrip(nv), nv)
  const wire = JSON.stringify(b)
  assert.is(Buffer.from(encodeMessage(nv, eb)).toString('latin1').split(wire).length - 1, 1, 'four references, one copy')
  const raw = (table: Uint8Array[], ref: number): Uint8Array =>
    encode(['new-view', 1, 'v1', [], [[1, 1, b.hash, ref, 'v1', new Uint8Array(8)]], new Uint8Array(8), table])
  assert.ok(decodeMessage(raw([eb(b)], 0), defaultDecodeLimits, db))
  assert.throws(() => decodeMessage(raw([eb(b)], 1), defaultDecodeLimits, db), /refers to block 1/)
  assert.throws(() => decodeMessage(raw([eb(b), eb(block(2))], 0), defaultDecodeLimits, db), /no view-change or pre-prepare refers to/)
  assert.throws(() => decodeMessage(raw([eb(b)], 'x' as never), defaultDecodeLimits, db), /unsigned/)
})

test('a vote signed on another chain with the same chain id (another genesis) does not verify here', () => {
  const keys = new Map(['v0', 'v1', 'v2', 'v3'].map((id) => [id, generateKeyPair()]))
  const ctxOn = (genesisHash: string, self: string): ConsensusContext<SimBlock> => ({
    ...ctxOf(self), genesis: { hash: genesisHash, height: 0, time: 0 },
    sign: (p) => ed25519Sign(keys.get(self)!.seed, p),
    verify: (signer, p, sig) => { const k = keys.get(signer); return k !== undefined && ed25519Verify(k.publicKey, p, sig) },
  })
  const here = ctxOn('aa'.repeat(32), 'v0')
  const there = ctxOn('bb'.repeat(32), 'v1') // same chain id, same validators and keys
  assert.is(there.chainId, here.chainId)
  const b = block()
  const theirs = signMessage(there, { type: 'prepare', view: 0, height: 1, digest: b.hash, from: 'v1', sig: new Uint8Array() })
  assert.ok(verifyMessageSig(there, theirs), 'valid on its own chain')
  assert.not.ok(verifyMessageSig(here, theirs), 'not on this one')
  const ours = signMessage(ctxOn('aa'.repeat(32), 'v1'), { type: 'prepare', view: 0, height: 1, digest: b.hash, from: 'v1', sig: new Uint8Array() })
  assert.ok(verifyMessageSig(here, ours))
  assert.is.not(toHex(signedPayload(here, ours)), toHex(signedPayload(there, ours)))
})

test.run()
