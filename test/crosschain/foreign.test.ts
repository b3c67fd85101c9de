// Issue 6 foreign receipts (src/verify/foreign.ts): registered keys and quorum, inclusion, and
// consistency with the anchored checkpoint reported as passed, failed, or honestly "not checked".
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatTlogProof } from '../../src/checkpoint/index.js'
import type { ForeignChain } from '../../src/chain/index.js'
import { parseForeignReceipt, receiptOrigin, verifyForeignReceipt } from '../../src/verify/index.js'
import { rootFromLeafHashes } from '../../src/merkle/index.js'
import { fromBase64, isNodeError, toBase64 } from '../../src/util/index.js'
import { checkpointNote, forked, inclusionB64, leafBytes, leafHashes, proofB64, registered, signers } from './foreign-log.js'

/** A log that publishes signed checkpoints but is not a courtchain: its leaves are opaque bytes. */
const LOG = 'example.org/log'
const bytes = leafBytes('leaf', 16)
const leaves = leafHashes(bytes)

/** A tlog-proof receipt of leaf `index` in the tree of `size` of `l`. */
function receipt(index: number, size: number, l = leaves, by = signers): string {
  return formatTlogProof({ index, extra: bytes[index]!, proof: inclusionB64(index, l, size), checkpointNote: checkpointNote(l, size, { by, origin: LOG }) })
}
function anchoredAt(size: number, l = leaves): ForeignChain {
  return registered({ origin: LOG, anchor: { size, root: toBase64(rootFromLeafHashes(l.slice(0, size))), note: checkpointNote(l, size, { origin: LOG }), height: 7 } })
}
const check = (r: ReturnType<typeof verifyForeignReceipt>, name: string) => r.checks.find((c) => c.name === name)
const consistency = (from: number, to: number, l = leaves) => proofB64(from, l, to).map((h) => fromBase64(h))

test('the origin a receipt names: tlog-proof checkpoint line or courtchain/<chain>', () => {
  assert.is(receiptOrigin(receipt(1, 4)), LOG)
  assert.is(receiptOrigin({ chain: 'copyright-chain' }), 'courtchain/copyright-chain')
  assert.is(receiptOrigin('garbage'), null)
  assert.is(receiptOrigin(42), null)
})

test('a malformed foreign receipt throws FOREIGN_RECEIPT_MALFORMED', () => {
  for (const bad of [{ format: 'courtchain.receipt/v1', chain: 'x', leaf: 5 }, 'c2sp.org/tlog-proof@v1\nindex 0\n\nx\n', { format: 'nope' }]) {
    try { parseForeignReceipt(bad); assert.unreachable('accepted') } catch (e) { assert.ok(isNodeError(e, 'FOREIGN_RECEIPT_MALFORMED'), (e as Error).message) }
  }
})

test('a receipt within the anchored tree passes only with a consistency proof to the anchor', () => {
  const fc = anchoredAt(11)
  const r = parseForeignReceipt(receipt(2, 5))
  const without = verifyForeignReceipt(r, fc)
  assert.ok(without.valid)
  assert.not.ok(without.complete)
  assert.is(without.anchorRelation, 'no-proof')
  assert.is(check(without, 'anchor')!.ok, null)
  assert.match(check(without, 'anchor')!.detail, /from=5&to=11/)
  const withProof = verifyForeignReceipt(r, fc, { consistency: consistency(5, 11) })
  assert.ok(withProof.valid && withProof.complete, JSON.stringify(withProof.checks))
  assert.is(withProof.anchorRelation, 'consistent')
  assert.equal(withProof.anchor, { size: 11, height: 7 })
  assert.is(withProof.signers.length, 4)
})

test('a receipt of the anchored checkpoint itself needs no proof; a newer one is not checked', () => {
  assert.ok(verifyForeignReceipt(parseForeignReceipt(receipt(2, 11)), anchoredAt(11)).complete)
  const newer = verifyForeignReceipt(parseForeignReceipt(receipt(2, 13)), anchoredAt(11))
  assert.is(newer.anchorRelation, 'newer-than-anchor')
  assert.is(check(newer, 'anchor')!.ok, null)
  const none = verifyForeignReceipt(parseForeignReceipt(receipt(2, 13)), registered({ origin: LOG }))
  assert.is(none.anchorRelation, 'no-anchor')
})

test('a bad consistency proof is reported as such, a proven conflict as a fork', () => {
  const fc = anchoredAt(11)
  const bad = verifyForeignReceipt(parseForeignReceipt(receipt(2, 5)), fc, { consistency: consistency(6, 11) })
  assert.is(bad.anchorRelation, 'bad-proof')
  assert.is(bad.failed, 'anchor')
  // The receipt's chain signed a history of 5 that the anchored tree of 11 does not extend.
  const rewritten = forked(leaves, 3, 16)
  const fork = verifyForeignReceipt(parseForeignReceipt(receipt(2, 5, rewritten)), fc, { consistency: consistency(5, 11) })
  assert.is(fork.anchorRelation, 'fork')
  assert.match(check(fork, 'anchor')!.detail, /forked/)
  const sameSize = verifyForeignReceipt(parseForeignReceipt(receipt(2, 11, rewritten)), fc)
  assert.is(sameSize.anchorRelation, 'fork')
})

test('the receipt checkpoint must carry the registered quorum; an equivocated chain proves nothing', () => {
  const minority = verifyForeignReceipt(parseForeignReceipt(receipt(2, 5, leaves, signers.slice(0, 2))), anchoredAt(11))
  assert.is(minority.failed, 'checkpoint')
  assert.match(check(minority, 'checkpoint')!.detail, /expected 3 verified signatures/)
  const equivocated = verifyForeignReceipt(parseForeignReceipt(receipt(2, 5)), { ...anchoredAt(11), status: 'equivocated', fork: { a: 'x', b: 'y', height: 9 } })
  assert.is(equivocated.failed, 'registry')
  const tampered = parseForeignReceipt(receipt(2, 5))
  tampered.leafBytes = bytes[3]!
  assert.is(verifyForeignReceipt(tampered, anchoredAt(11)).failed, 'inclusion')
})

test.run()
