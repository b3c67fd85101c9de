// Hashes found ahead of decoding (block sync's worker thread) give exactly what hashing inline
// gives, and a wrong one cannot pass the header's tx root.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { blockEvidence, decodeBlock, hashBlockAhead, type PreparedBlock } from '../../src/chain/index.js'
import { toHex } from '../../src/util/index.js'
import { block1, deposit, limits } from './fixture.js'

const code = (f: () => unknown): string => { try { f(); return 'none' } catch (e) { return (e as { code: string }).code } }
const digests = (n: number, seed: number): string[] => Array.from({ length: n }, (_, i) => toHex(new Uint8Array(32).fill(seed + i)))

function aBlock(): PreparedBlock {
  return block1([
    deposit('notary-1', digests(3, 1)),
    deposit('copyright-1', ['44'.repeat(32)], { items: [{ digests: { sha256: '44'.repeat(32), sm3: '55'.repeat(32) }, meta: { caseNo: '(2026)京0491民初1号', size: 5 } }] } as never),
    deposit('notary-1', digests(2, 9), { type: 'verify' } as never),
  ])
}

test('a block decoded with its hashes found ahead is the block decoded inline, and places the same evidence', () => {
  const pb = aBlock()
  const inline = decodeBlock(pb.bytes, limits)
  const ahead = hashBlockAhead(pb.bytes, limits)
  assert.is(ahead.itemsRoots.length, 3)
  assert.is(ahead.evidenceLeafHashes.length, 32 * 6)
  const taken = decodeBlock(pb.bytes, limits, undefined, ahead)
  assert.is(taken.hash, inline.hash)
  assert.equal(taken.block, inline.block)
  assert.equal(taken.txs.map((t) => [t.hash, t.header, t.signingBytes]), inline.txs.map((t) => [t.hash, t.header, t.signingBytes]))
  // The item leaf hashes are computed only when asked for (receipts), and are the same.
  assert.equal(taken.txs.map((t) => t.itemLeafHashes), inline.txs.map((t) => t.itemLeafHashes))
  const strip = (p: PreparedBlock) => blockEvidence(p, 40).map((e) => ({ ...e, leafHash: toHex(e.leafHash) }))
  assert.equal(strip(taken), strip(inline))
})

test('a wrong items root found ahead fails the tx root; leaf hashes of the wrong count are not taken', () => {
  const pb = aBlock()
  const ahead = hashBlockAhead(pb.bytes, limits)
  assert.is(code(() => decodeBlock(pb.bytes, limits, undefined, { ...ahead, itemsRoots: ['ff'.repeat(32), ...ahead.itemsRoots.slice(1)] })), 'BLOCK_BAD_TX_ROOT')
  const short = decodeBlock(pb.bytes, limits, undefined, { ...ahead, evidenceLeafHashes: ahead.evidenceLeafHashes.subarray(32) })
  assert.equal(blockEvidence(short, 0).map((e) => e.id), blockEvidence(decodeBlock(pb.bytes, limits), 0).map((e) => e.id))
})

test.run()
