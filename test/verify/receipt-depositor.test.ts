// verifyReceipt's depositor check: the signature a receipt shows must be the one the certified
// block carries (its header is the checkpoint's block; the tx's signed hash is under its tx root),
// so a receipt cannot name another key and signature for a depositor the trust root does not know.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { txSigningBytes, type Receipt } from '../../src/chain/index.js'
import { ed25519Sign, generateKeyPair } from '../../src/crypto/index.js'
import { verifyReceipt } from '../../src/verify/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { makeTestChain } from '../web/chain.js'

const chain = makeTestChain({ laterMembers: ['notary-9'] })
chain.addBlock(utf8('deposited by a member admitted after genesis'), 'notary-9')
chain.addBlock(utf8('a second tx in the chain'))
const lateId = chain.blocks.flatMap((b) => b.placed).find((e) => e.record.depositor === 'notary-9')!.id
const late = chain.receipt(lateId)!
const detail = (r: ReturnType<typeof verifyReceipt>): string => r.checks.find((c) => c.name === r.failed)?.detail ?? ''

test('a receipt of a depositor admitted after genesis verifies, its key bound by the certified block', () => {
  const report = verifyReceipt(late, chain.trustRoot)
  assert.ok(report.valid, JSON.stringify(report.checks))
  assert.match(report.checks.find((c) => c.name === 'depositor')!.detail, /key registered after genesis/)
})

test('another key and its own valid signature over the same tx header fail the depositor check', () => {
  const k = generateKeyPair()
  const d = late.depositor
  const forged: Receipt = { ...late, depositor: { ...d, publicKey: toHex(k.publicKey), sig: toHex(ed25519Sign(k.seed, txSigningBytes(d.tx))) } }
  const report = verifyReceipt(forged, chain.trustRoot)
  assert.is(report.failed, 'depositor')
  assert.match(detail(report), /signature is not the one the certified block carries/)
})

test('a block header other than the checkpoint\'s, or a tx proof to another position, fails the depositor check', () => {
  const d = late.depositor
  const header = verifyReceipt({ ...late, depositor: { ...d, block: chain.blocks[2]!.pb.block.header } }, chain.trustRoot)
  assert.is(header.failed, 'depositor')
  assert.match(detail(header), /block header is not the block the checkpoint certifies/)
  const moved = verifyReceipt({ ...late, depositor: { ...d, txIndex: d.txIndex + 1 } }, chain.trustRoot)
  assert.is(moved.failed, 'depositor')
  assert.match(detail(moved), /signature is not the one the certified block carries/)
})

test('a receipt of the old format is refused, naming the change', () => {
  const report = verifyReceipt({ ...late, format: 'courtchain.receipt/v1' }, chain.trustRoot)
  assert.is(report.failed, 'format')
  assert.match(detail(report), /courtchain\.receipt\/v1 is no longer verified: courtchain\.receipt\/v2 proves that the depositor's signature is the one the certified block carries/)
})

test.run()
