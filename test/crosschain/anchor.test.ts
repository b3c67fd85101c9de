// Issue 6 anchor rules (src/chain/anchor.ts): quorum of registered keys, origin, staleness,
// consistency, and fork detection that only quorum-signed conflicting checkpoints can trigger.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  applyAnchor, checkTxSender, executeTx, parseTx, signTx, ALLOWED_ROLES,
  type AnchorItem, type ChainState,
} from '../../src/chain/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { rootFromLeafHashes } from '../../src/merkle/index.js'
import { isNodeError, toBase64 } from '../../src/util/index.js'
import { limits, seeds, state0 } from '../chain/fixture.js'
import { checkpointNote, forked, history, ORIGIN, outsider, proofB64, registered, signers, withForeign } from './foreign-log.js'

const env = (height: number) => ({ height, time: 1_700_000_000_000 + height })
const leaves = history(16)
const item = (checkpoint: string, proof: string[] = [], origin = ORIGIN): AnchorItem => ({ origin, checkpoint, proof })

function refuses(fn: () => unknown, code: string, msg?: RegExp): void {
  try { fn() } catch (e) {
    assert.ok(isNodeError(e, code), `expected ${code}, got ${(e as { code?: string }).code}: ${(e as Error).message}`)
    if (msg) assert.match((e as Error).message, msg)
    return
  }
  assert.unreachable(`expected ${code}`)
}

/** A chain with `origin` anchored at `size` of `leaves`. */
function anchoredAt(size: number, l = leaves): ChainState {
  return applyAnchor(withForeign(state0), item(checkpointNote(l, size)), env(5))
}
const fcOf = (s: ChainState) => s.foreignChains.get(ORIGIN)!

test('the first anchor is accepted on a quorum of the registered keys, with no proof', () => {
  const s = anchoredAt(5)
  const a = fcOf(s).anchor!
  assert.is(a.size, 5)
  assert.is(a.root, toBase64(rootFromLeafHashes(leaves.slice(0, 5))))
  assert.is(a.height, 5)
  assert.is(fcOf(s).status, 'active')
  refuses(() => applyAnchor(withForeign(state0), item(checkpointNote(leaves, 5), proofB64(3, leaves, 5)), env(5)), 'ANCHOR_BAD_PROOF', /first anchor/)
})

test('a newer checkpoint with a valid consistency proof moves the anchor', () => {
  let s = anchoredAt(5)
  s = applyAnchor(s, item(checkpointNote(leaves, 11), proofB64(5, leaves, 11)), env(9))
  assert.is(fcOf(s).anchor!.size, 11)
  assert.is(fcOf(s).anchor!.height, 9)
  s = applyAnchor(s, item(checkpointNote(leaves, 16), proofB64(11, leaves, 16)), env(10))
  assert.is(fcOf(s).anchor!.size, 16)
})

test('refuses a checkpoint signed by fewer than the registered quorum (ANCHOR_QUORUM)', () => {
  const s = withForeign(state0)
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 5, { by: signers.slice(0, 2) })), env(5)), 'ANCHOR_QUORUM', /expected 3 verified signatures.*got 2/)
})

test('refuses a checkpoint signed by keys not in the registry (ANCHOR_QUORUM), whatever their names', () => {
  const s = withForeign(state0)
  const stranger = [1, 2, 3, 4].map((i) => ({ name: `f-${i}`, seed: new Uint8Array(32).fill(0x10 + i) }))
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 5, { by: stranger })), env(5)), 'ANCHOR_QUORUM')
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 5, { by: [outsider, signers[1]!, signers[2]!] })), env(5)), 'ANCHOR_QUORUM')
})

test('refuses a note whose registered-key signature does not verify (ANCHOR_BAD_SIGNATURE)', () => {
  const note = checkpointNote(leaves, 5)
  const lines = note.split('\n')
  const sigLine = lines.findIndex((l) => l.startsWith('\u2014 f-2 '))
  const b64 = lines[sigLine]!.split(' ')[2]!
  const raw = Buffer.from(b64, 'base64')
  raw[10]! ^= 1
  lines[sigLine] = `\u2014 f-2 ${raw.toString('base64')}`
  refuses(() => applyAnchor(withForeign(state0), item(lines.join('\n')), env(5)), 'ANCHOR_BAD_SIGNATURE', /f-2/)
  refuses(() => applyAnchor(withForeign(state0), item('not a note\n'), env(5)), 'ANCHOR_BAD_NOTE')
})

test('refuses an unregistered origin, and a checkpoint whose origin line is not the registered one', () => {
  refuses(() => applyAnchor(state0, item(checkpointNote(leaves, 5)), env(5)), 'ANCHOR_UNKNOWN_CHAIN', /not registered/)
  const other = checkpointNote(leaves, 5, { origin: 'courtchain/other' })
  refuses(() => applyAnchor(withForeign(state0), item(other), env(5)), 'ANCHOR_BAD_CHECKPOINT', /origin "courtchain\/other"/)
})

test('refuses a stale checkpoint and the same checkpoint twice (ANCHOR_STALE)', () => {
  const s = anchoredAt(11)
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 5)), env(9)), 'ANCHOR_STALE', /older than the anchored size 11/)
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 11)), env(9)), 'ANCHOR_STALE', /already anchored at size 11/)
  // Consistent but older, even with a valid proof from it to the anchor: still stale, no fork.
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 5), proofB64(5, leaves, 11)), env(9)), 'ANCHOR_STALE')
})

test('refuses a bad consistency proof for a consistent history (ANCHOR_BAD_PROOF), chain stays active', () => {
  const s = anchoredAt(5)
  const note = checkpointNote(leaves, 11)
  refuses(() => applyAnchor(s, item(note, []), env(9)), 'ANCHOR_BAD_PROOF', /from the anchored size 5 to 11/)
  refuses(() => applyAnchor(s, item(note, proofB64(6, leaves, 11)), env(9)), 'ANCHOR_BAD_PROOF')
  const garbage = proofB64(5, leaves, 11).map(() => toBase64(new Uint8Array(32).fill(7)))
  refuses(() => applyAnchor(s, item(note, garbage), env(9)), 'ANCHOR_BAD_PROOF')
  assert.is(fcOf(s).status, 'active')
})

test('two quorum-signed checkpoints of one size with different roots mark the chain equivocated', () => {
  const s = anchoredAt(5)
  const a = fcOf(s).anchor!.note
  const b = checkpointNote(forked(leaves, 2, 16), 5, { height: 6 })
  const after = applyAnchor(s, item(b), env(12))
  const fc = fcOf(after)
  assert.is(fc.status, 'equivocated')
  assert.equal(fc.fork, { a, b, height: 12 })
  assert.is(fc.anchor!.size, 5, 'the last good anchor is kept')
  refuses(() => applyAnchor(after, item(checkpointNote(leaves, 11), proofB64(5, leaves, 11)), env(13)), 'ANCHOR_CHAIN_INACTIVE', /equivocated/)
})

test('a quorum-signed rewritten history whose proof authenticates its root proves a fork', () => {
  const s = anchoredAt(5)
  const rewritten = forked(leaves, 3, 16)
  const after = applyAnchor(s, item(checkpointNote(rewritten, 11), proofB64(5, rewritten, 11)), env(12))
  assert.is(fcOf(after).status, 'equivocated')
  assert.is(fcOf(after).fork!.height, 12)
})

test('at a power-of-two anchored size a fork is proven with the old subtree root given first', () => {
  const s = anchoredAt(8)
  const rewritten = forked(leaves, 1, 16)
  const note = checkpointNote(rewritten, 13)
  // The standard proof assumes the anchored root as its seed: it proves nothing, just fails.
  refuses(() => applyAnchor(s, item(note, proofB64(8, rewritten, 13)), env(12)), 'ANCHOR_BAD_PROOF')
  const explicit = [toBase64(rootFromLeafHashes(rewritten.slice(0, 8))), ...proofB64(8, rewritten, 13)]
  assert.is(fcOf(applyAnchor(s, item(note, explicit), env(12))).status, 'equivocated')
  // The same explicit form for an honest history is just a bad proof, never a fork.
  const honest = [toBase64(rootFromLeafHashes(leaves.slice(0, 8))), ...proofB64(8, leaves, 13)]
  refuses(() => applyAnchor(s, item(checkpointNote(leaves, 13), honest), env(12)), 'ANCHOR_BAD_PROOF')
})

test('an older quorum-signed checkpoint that the anchored tree does not extend proves a fork', () => {
  const s = anchoredAt(11)
  const rewritten = forked(leaves, 2, 16)
  // Proof from the older size to the anchored tree, made from the honest history.
  const after = applyAnchor(s, item(checkpointNote(rewritten, 5), proofB64(5, leaves, 11)), env(12))
  assert.is(fcOf(after).status, 'equivocated')
})

test('two quorum-signed checkpoints for one height with different blocks prove a fork', () => {
  const s = anchoredAt(5)
  const b = checkpointNote(leaves, 11, { height: 5 })
  assert.is(fcOf(applyAnchor(s, item(b, proofB64(5, leaves, 11)), env(12))).status, 'equivocated')
})

test('a forged or minority-signed conflicting checkpoint never marks a fork', () => {
  const s = anchoredAt(5)
  const rewritten = forked(leaves, 2, 16)
  for (const by of [signers.slice(0, 2), [outsider, signers[0]!, signers[1]!]]) {
    refuses(() => applyAnchor(s, item(checkpointNote(rewritten, 5, { by, height: 6 })), env(12)), 'ANCHOR_QUORUM')
    refuses(() => applyAnchor(s, item(checkpointNote(rewritten, 11, { by }), proofB64(5, rewritten, 11)), env(12)), 'ANCHOR_QUORUM')
  }
  assert.is(fcOf(s).status, 'active')
  assert.is(fcOf(s).fork, null)
})

test('anchors may be sent by any active member (court or unit) as signed txs', () => {
  assert.equal([...ALLOWED_ROLES.anchor].sort(), ['court', 'unit'])
  const s = withForeign(state0, registered())
  for (const from of ['court-2', 'notary-1']) {
    const p = signTx({ v: 1, chain: 'testchain', type: 'anchor', from, nonce: 1, items: [item(checkpointNote(leaves, 5))] }, limits.genesisHash, (m) => ed25519Sign(seeds[from]!, m))
    const parsed = parseTx(JSON.parse(JSON.stringify(p.tx)), limits)
    assert.is(parsed.hash, p.hash)
    checkTxSender(parsed, s, null)
    const after = executeTx(s, parsed, env(3))
    assert.is(after.foreignChains.get(ORIGIN)!.anchor!.size, 5)
    assert.is(after.foreignChains.get(ORIGIN)!.anchor!.height, 3)
  }
})

test('anchor items are parsed strictly (TX_BAD_FORMAT)', () => {
  const base = { v: 1, chain: 'testchain', type: 'anchor', from: 'notary-1', nonce: 1, sig: '00'.repeat(64) }
  const good = item(checkpointNote(leaves, 5))
  refuses(() => parseTx({ ...base, items: [{ ...good, extra: 1 }] }, limits), 'TX_BAD_FORMAT', /unknown field "extra"/)
  refuses(() => parseTx({ ...base, items: [{ ...good, proof: ['AAAA'] }] }, limits), 'TX_BAD_FORMAT', /proof\[0\]/)
  refuses(() => parseTx({ ...base, items: [{ ...good, origin: 'has space' }] }, limits), 'TX_BAD_FORMAT', /origin/)
  refuses(() => parseTx({ ...base, items: [{ origin: ORIGIN, proof: [] }] }, limits), 'TX_BAD_FORMAT', /checkpoint" is required/)
})

test.run()
