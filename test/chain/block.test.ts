import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  assembleCertificate, blockCheckpointBody, blockEvidence, checkCommitCertificate, decodeBlock, evidenceAt, makeBlock, parseTx, validateBlock,
} from '../../src/chain/index.js'
import { ed25519Sign, ed25519Verify } from '../../src/crypto/index.js'
import { equalBytes, fromHex, toHex, utf8 } from '../../src/util/index.js'
import { encodeCbor } from '../../src/codec/index.js'
import { hashLeaf } from '../../src/merkle/index.js'
import { block1, deposit, genesis, limits, parent0, seeds, state0 } from './fixture.js'

const ctx = (over: object = {}) => ({ parent: parent0, params: genesis.consensus, state: state0, verify: ed25519Verify, isCommitted: () => false, ...over })
const code = (f: () => unknown): string => { try { f(); return 'none' } catch (e) { return (e as { code: string }).code } }

test('a block round-trips through its strict encoding with the same hash', () => {
  const pb = block1([deposit(), deposit('copyright-1')])
  const again = decodeBlock(pb.bytes, limits)
  assert.is(again.hash, pb.hash)
  assert.is(again.txs.length, 2)
})

test('a block assembled from its txs\' own encodings is exactly the canonical CBOR of the block', () => {
  for (const n of [0, 1, 2, 30]) {
    const txs = Array.from({ length: n }, (_, i) => deposit(i % 2 ? 'notary-1' : 'copyright-1'))
    const pb = block1(txs)
    assert.is(Buffer.from(pb.bytes).toString('hex'), Buffer.from(encodeCbor(pb.block)).toString('hex'))
    const fromBytes = makeBlock({ ...pb.block.header }, txs, txs.map((t) => encodeCbor(t.tx)))
    assert.equal(fromBytes.bytes, pb.bytes)
  }
})

test('known txs are taken by exact bytes; anything else is parsed; framing is strict', () => {
  const a = deposit(), b = deposit('copyright-1')
  const pb = block1([a, b])
  const aBytes = encodeCbor(a.tx)
  let asked = 0
  const again = decodeBlock(pb.bytes, limits, (bytes) => { asked++; return equalBytes(bytes, aBytes) ? a : undefined })
  assert.is(asked, 2)
  assert.ok(again.txs[0] === a, 'the known tx object is reused')
  assert.is(again.txs[1]!.hash, b.hash)
  // Other framings of the same map are refused, though a lenient CBOR reader would accept them.
  const hex = Buffer.from(pb.bytes).toString('hex')
  const variants = [
    hex.replace(/^a2637478738/, 'a263747873980'), // non-minimal array length (82 → 98 02)
    'a2' + hex.slice(hex.indexOf('666865616465') ) + hex.slice(2, hex.indexOf('666865616465')), // header first
    'a3' + hex.slice(2) + '6178' + '00', // a third key
  ]
  for (const v of variants) assert.is(code(() => decodeBlock(fromHex(v), limits)), 'BLOCK_BAD_FORMAT', v.slice(0, 20))
})

test('a block with trailing bytes or a wrong tx root is refused', () => {
  const pb = block1([deposit()])
  assert.throws(() => decodeBlock(new Uint8Array([...pb.bytes, 0]), limits))
  const other = block1([deposit()])
  const forged = encodeCbor({ header: pb.block.header, txs: other.block.txs })
  assert.is(code(() => decodeBlock(forged, limits)), 'BLOCK_BAD_TX_ROOT')
  assert.is(code(() => decodeBlock(utf8('x'), limits)), 'BLOCK_BAD_FORMAT')
})

test('validateBlock checks height, parent, time after the parent, replays and duplicates', () => {
  const t = deposit()
  const pb = block1([t])
  assert.not.throws(() => validateBlock(pb, ctx()))
  assert.is(code(() => validateBlock(pb, ctx({ parent: { ...parent0, hash: 'ff'.repeat(32) } }))), 'BLOCK_BAD_PARENT')
  assert.is(code(() => validateBlock(pb, ctx({ parent: { ...parent0, height: 1 } }))), 'BLOCK_BAD_HEIGHT')
  assert.is(code(() => validateBlock(block1([t], 0, '00'.repeat(32), genesis.time), ctx())), 'BLOCK_BAD_TIME')
  assert.is(code(() => validateBlock(pb, ctx({ isCommitted: () => true }))), 'BLOCK_DUPLICATE_TX')
  assert.is(code(() => validateBlock(block1([t, t]), ctx())), 'BLOCK_DUPLICATE_TX')
})

test('a block whose tx carries a swapped signature is refused, though its tx hash was verified before (the mempool\'s)', () => {
  const t = deposit()
  // Another valid-looking signature over the same header: the tx hash (the header's) is unchanged.
  const swapped = parseTx({ ...t.tx, sig: toHex(ed25519Sign(seeds['copyright-1']!, t.signingBytes)) }, limits)
  assert.is(swapped.hash, t.hash)
  const verified = new Set([t.hash, t.signedHash])
  const alreadyVerified = (h: string): boolean => verified.has(h)
  assert.not.throws(() => validateBlock(block1([t]), ctx({ alreadyVerified })))
  assert.is(code(() => validateBlock(block1([swapped]), ctx({ alreadyVerified }))), 'TX_BAD_SIGNATURE')
})

test('the tx root, and so the block hash, commits to every tx signature', () => {
  const t = deposit()
  const swapped = parseTx({ ...t.tx, sig: toHex(ed25519Sign(seeds['copyright-1']!, t.signingBytes)) }, limits)
  const pb = block1([t])
  assert.is.not(block1([swapped]).hash, pb.hash)
  // The certified header with the tx's signature altered in the block bytes: refused on decode.
  const altered = encodeCbor({ header: pb.block.header, txs: [swapped.tx] })
  assert.is(code(() => decodeBlock(altered, limits)), 'BLOCK_BAD_TX_ROOT')
})

test('a signature verified before is skipped only while the key it verified under is still the sender\'s', () => {
  const t = deposit()
  const oldKey = state0.members.get('notary-1')!.publicKey
  const rotated = { ...state0, members: new Map(state0.members).set('notary-1', { ...state0.members.get('notary-1')!, publicKey: 'ee'.repeat(32) }) }
  const underOldKey = (signedHash: string, publicKey: string): boolean => signedHash === t.signedHash && publicKey === oldKey
  const noVerifier = () => false // a signature that would be checked now fails: only a skip passes
  assert.not.throws(() => validateBlock(block1([t]), ctx({ alreadyVerified: underOldKey, verify: noVerifier })))
  assert.is(code(() => validateBlock(block1([t]), ctx({ state: rotated, alreadyVerified: underOldKey }))), 'TX_BAD_SIGNATURE')
})

test('evidence records carry the block time, depositor and item index in commit order', () => {
  const pb = block1([deposit('notary-1', ['aa'.repeat(32), 'bb'.repeat(32)]), deposit('copyright-1', ['cc'.repeat(32)])])
  const ev = blockEvidence(pb, 10)
  assert.equal(ev.map((e) => e.leafIndex), [10, 11, 12])
  assert.equal(ev.map((e) => [e.record.depositor, e.record.item, e.record.time]), [['notary-1', 0, pb.block.header.time], ['notary-1', 1, pb.block.header.time], ['copyright-1', 0, pb.block.header.time]])
})

test('evidenceAt rebuilds one leaf of a committed block exactly as the block placed it', () => {
  const txs = [deposit('notary-1', ['aa'.repeat(32), 'bb'.repeat(32)]), deposit('copyright-1', ['cc'.repeat(32)]), deposit('notary-1', ['dd'.repeat(32)])]
  const pb = block1(txs, 13) // the log holds 13 leaves after this block: its 4 are leaves 9..12
  const all = blockEvidence(pb, 9)
  for (let i = 9; i <= 12; i++) {
    const one = evidenceAt(pb, i)!
    assert.is(one.id, all[i - 9]!.id)
    assert.equal(one.leafHash, all[i - 9]!.leafHash)
    assert.equal(hashLeaf(one.leafBytes), one.leafHash)
    assert.is(one.leafIndex, i)
  }
  assert.is(evidenceAt(pb, 8), undefined)
  assert.is(evidenceAt(pb, 13), undefined)
})

test('a commit certificate needs 2f+1 validator signatures over the block checkpoint', () => {
  const pb = block1([deposit()])
  const body = utf8(blockCheckpointBody(pb))
  const votes = ['court-1', 'court-2', 'court-3'].map((id) => ({ signer: id, sig: ed25519Sign(seeds[id]!, body) }))
  const cert = assembleCertificate(pb, votes, state0)
  assert.equal(checkCommitCertificate(pb, cert, state0), ['court-1', 'court-2', 'court-3'])
  assert.is(code(() => checkCommitCertificate(pb, assembleCertificate(pb, votes.slice(0, 2), state0), state0)), 'CERT_INVALID')
  const other = block1([deposit()])
  assert.is(code(() => checkCommitCertificate(other, cert, state0)), 'CERT_INVALID')
  const byUnit = [...votes.slice(0, 2), { signer: 'notary-1', sig: ed25519Sign(seeds['notary-1']!, body) }]
  assert.throws(() => checkCommitCertificate(pb, assembleCertificate(pb, byUnit, { ...state0 }), state0))
})

test.run()
