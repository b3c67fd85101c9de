import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { genesisHash, parseTx, prepareTx, signTx, signedTxHash, txSignatureValid, checkTxSender, validateBlock, validateGenesis } from '../../src/chain/index.js'
import { ed25519Sign, ed25519Verify } from '../../src/crypto/index.js'
import { fromHex } from '../../src/util/index.js'
import { block1, deposit, genesis, limits, parent0, seeds, state0 } from './fixture.js'

const code = (f: () => unknown): string => { try { f(); return 'none' } catch (e) { return (e as { code: string }).code } }

test('a signed deposit parses, hashes to its signing bytes and verifies', () => {
  const p = deposit()
  const again = parseTx(JSON.parse(JSON.stringify(p.tx)), limits)
  assert.is(again.hash, p.hash)
  assert.ok(txSignatureValid(again, fromHex(genesis.members[4]!.publicKey), ed25519Verify))
})

test('the tx hash does not depend on the signature (no malleability of ids); the signed hash does', () => {
  const p = deposit()
  const q = parseTx({ ...p.tx, sig: '00'.repeat(64) }, limits)
  assert.is(q.hash, p.hash)
  assert.is(prepareTx(p.tx, limits.genesisHash).hash, p.hash)
  assert.is.not(q.signedHash, p.signedHash)
  assert.is(p.signedHash, signedTxHash(p.hash, p.tx.sig))
})

test('a tx signed for another chain of the same chain id (another genesis) is refused here', () => {
  // Same chain id, same members and keys: only the genesis time differs, so the genesis hash does.
  const other = validateGenesis({ ...genesis, time: genesis.time + 1 })
  assert.is(other.chainId, genesis.chainId)
  const theirs = signTx({ v: 1, chain: 'testchain', type: 'deposit', from: 'notary-1', nonce: 7, items: [{ digests: { sha256: 'ab'.repeat(32) } }] }, genesisHash(other), (m) => ed25519Sign(seeds['notary-1']!, m))
  const here = parseTx(JSON.parse(JSON.stringify(theirs.tx)), limits)
  assert.is(code(() => checkTxSender(here, state0, ed25519Verify)), 'TX_BAD_SIGNATURE')
  assert.is(code(() => validateBlock(block1([here]), { parent: parent0, params: genesis.consensus, state: state0, verify: ed25519Verify, isCommitted: () => false })), 'TX_BAD_SIGNATURE')
})

test('unknown fields, wrong types and bad hex are refused with TX_BAD_FORMAT', () => {
  const tx = deposit().tx as any
  assert.is(code(() => parseTx({ ...tx, extra: 1 }, limits)), 'TX_BAD_FORMAT')
  assert.is(code(() => parseTx({ ...tx, nonce: '1' }, limits)), 'TX_BAD_FORMAT')
  assert.is(code(() => parseTx({ ...tx, items: [{ digests: { sha256: 'AB'.repeat(32) } }] }, limits)), 'TX_BAD_FORMAT')
  assert.is(code(() => parseTx({ ...tx, items: [{ digests: { sha256: 'ab'.repeat(32) }, meta: {} }] }, limits)), 'TX_BAD_FORMAT')
  assert.is(code(() => parseTx({ ...tx, items: [{ digests: { sha256: 'ab'.repeat(32) }, meta: { color: 'red' } }] }, limits)), 'TX_BAD_FORMAT')
})

test('wrong chain, empty batch and too many items have their own codes', () => {
  const tx = deposit().tx as any
  assert.is(code(() => parseTx({ ...tx, chain: 'other' }, limits)), 'TX_WRONG_CHAIN')
  assert.is(code(() => parseTx({ ...tx, items: [] }, limits)), 'TX_EMPTY')
  assert.is(code(() => parseTx({ ...tx, items: Array(1001).fill(tx.items[0]) }, limits)), 'TX_TOO_MANY_ITEMS')
})

test('court case numbers in their usual forms are accepted', () => {
  for (const caseNo of ['(2026)京0491民初1号', '（2026）浙01民终123号', 'A-12']) {
    const p = deposit('notary-1', ['ab'.repeat(32)])
    const tx = { ...p.tx, items: [{ digests: { sha256: 'ab'.repeat(32) }, meta: { caseNo } }] }
    assert.not.throws(() => parseTx(tx, limits))
  }
})

test('a unit may deposit but not record verifications; strangers and bad signatures are refused', () => {
  assert.is(checkTxSender(deposit('notary-1'), state0, ed25519Verify).id, 'notary-1')
  assert.is(code(() => checkTxSender(deposit('notary-1', undefined, { type: 'verify' }), state0, ed25519Verify)), 'TX_FORBIDDEN')
  const forged = { ...deposit('notary-1'), tx: { ...deposit('notary-1').tx, from: 'nobody' } }
  assert.is(code(() => checkTxSender(forged, state0, ed25519Verify)), 'TX_UNKNOWN_MEMBER')
  const p = deposit('notary-1')
  const bad = { ...p, tx: { ...p.tx, sig: p.tx.sig.slice(0, -2) + (p.tx.sig.endsWith('00') ? '01' : '00') } }
  assert.is(code(() => checkTxSender(bad, state0, ed25519Verify)), 'TX_BAD_SIGNATURE')
})

test.run()
