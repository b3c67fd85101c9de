// verifyReceipt (src/verify/receipt.ts) against a real in-process chain (test/web/chain.ts: real
// keys, blocks, certificates and receipts): a valid receipt passes every check, and each row of
// the table changes one thing and must fail exactly the check that guards it, with its reason.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Receipt, TrustRoot } from '../../src/chain/index.js'
import { formatCheckpoint, parseCheckpoint, parseNote, signNote } from '../../src/checkpoint/index.js'
import { sha256 } from '../../src/crypto/index.js'
import { verifyReceipt, type CheckName, type ReceiptReport, type VerifyReceiptOptions } from '../../src/verify/index.js'
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from '../../src/util/index.js'
import { makeTestChain } from '../web/chain.js'

const chain = makeTestChain()
const trustRoot = chain.trustRoot
// Block 2 holds one tx of two items; the second one has a non-empty item path and inclusion proof.
const evidence = chain.blocks[1]!.placed[1]!
const good: Receipt = chain.receipt(evidence.id)!
const goodText = (await chain.deps.receiptText(evidence.id))!
const digest = { alg: 'sha256' as const, hex: toHex(sha256(utf8('exhibit 2'))) }

const flipB64 = (b64: string, at = 0): string => { const b = fromBase64(b64); b[at]! ^= 1; return toBase64(b) }
const flipHex = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1)
const leafText = fromUtf8(fromBase64(good.leaf))
/** The receipt's checkpoint body signed again, by 3 of the 4 validators, after `change`. */
function resigned(change: (body: ReturnType<typeof parseCheckpoint>) => ReturnType<typeof parseCheckpoint>): string {
  const body = formatCheckpoint(change(parseCheckpoint(parseNote(good.checkpoint).body)))
  return signNote(body, ['court-1', 'court-2', 'court-3'].map((name) => ({ name, seed: chain.keys.get(name)!.seed })))
}
/** The checkpoint note with its signature lines passed through `edit`. */
function editSignatures(edit: (lines: string[]) => string[]): string {
  const { body } = parseNote(good.checkpoint)
  const lines = good.checkpoint.slice(body.length + 1).split('\n').filter(Boolean)
  return body + '\n' + edit(lines).map((l) => l + '\n').join('')
}

test('a valid receipt passes every check, as JSON, as JSON text and as tlog-proof text', () => {
  const expectAll = (r: ReceiptReport, depositorOk: boolean | null): void => {
    assert.ok(r.valid, JSON.stringify(r.checks))
    assert.is(r.failed, null)
    assert.equal(r.checks.map((c) => [c.name, c.ok]), [['format', true], ['chain', true], ['leaf', true], ['checkpoint', true], ['inclusion', true], ['depositor', depositorOk], ['digest', true]])
    assert.is(r.evidenceId, evidence.id)
    assert.equal(r.signers, ['court-1', 'court-2', 'court-3'])
  }
  expectAll(verifyReceipt(good, trustRoot, { digest }), true)
  expectAll(verifyReceipt(JSON.stringify(good), trustRoot, { digest }), true)
  expectAll(verifyReceipt(goodText, trustRoot, { digest }), null) // a tlog-proof carries no depositor signature
})

interface Row { rule: string; receipt: unknown; trustRoot?: TrustRoot; opts?: VerifyReceiptOptions; check: CheckName; detail: RegExp }
const otherGenesis = { ...trustRoot.genesis, chainId: 'otherchain' }

const rows: Row[] = [
  { rule: 'not a receipt object', receipt: 42, check: 'format', detail: /courtchain\.receipt\/v2/ },
  { rule: 'another receipt format', receipt: { ...good, format: 'courtchain.receipt/v0' }, check: 'format', detail: /courtchain\.receipt\/v2/ },
  { rule: 'a required field missing', receipt: { ...good, treeSize: undefined }, check: 'format', detail: /treeSize/ },
  { rule: 'a malformed depositor', receipt: { ...good, depositor: { ...good.depositor, sig: undefined } }, check: 'format', detail: /depositor is malformed/ },
  { rule: 'a tlog-proof without the leaf in its extra line', receipt: goodText.replace(/^extra .*\n/m, ''), check: 'format', detail: /no extra line/ },
  { rule: 'the receipt names another chain than its leaf', receipt: { ...good, chain: 'otherchain' }, check: 'chain', detail: /its leaf says "webtest"/ },
  { rule: 'the trust root is of another chain', receipt: good, trustRoot: { ...trustRoot, genesis: otherGenesis }, check: 'chain', detail: /trust root is for "otherchain"/ },
  { rule: 'leaf bytes that are not canonical JSON', receipt: { ...good, leaf: toBase64(utf8(JSON.stringify(JSON.parse(leafText), null, 1))) }, check: 'leaf', detail: /not canonical JSON/ },
  { rule: 'leaf bytes that are not JSON', receipt: { ...good, leaf: toBase64(utf8(leafText.slice(0, -1))) }, check: 'leaf', detail: /not JSON/ },
  { rule: 'an evidence id that is not the leaf hash', receipt: { ...good, id: flipHex(good.id) }, check: 'leaf', detail: /is not the leaf's hash/ },
  { rule: 'a trust root whose handover history does not verify', receipt: good, trustRoot: { ...trustRoot, history: [{ epoch: 1, start: 2, validators: [], prev: '00'.repeat(32), header: {} as never, certificate: '' }] }, check: 'checkpoint', detail: /^trust root: handover to epoch 1/ },
  { rule: 'fewer signatures than the quorum', receipt: { ...good, checkpoint: editSignatures((l) => l.slice(0, 2)) }, check: 'checkpoint', detail: /only 2 of the 3 validator signatures a quorum needs/ },
  { rule: 'a validator signature altered', receipt: { ...good, checkpoint: editSignatures((l) => l.map((s, i) => (i === 0 ? s.replace(/ (\S+)$/, (_, b64: string) => ' ' + flipB64(b64, 4)) /* past the 4-byte key id */ : s))) }, check: 'checkpoint', detail: /does not verify/ },
  { rule: 'a quorum-signed checkpoint of another origin', receipt: { ...good, checkpoint: resigned((c) => ({ ...c, origin: 'courtchain/otherchain' })) }, check: 'checkpoint', detail: /origin "courtchain\/otherchain" is not this chain's/ },
  { rule: 'the checkpoint of a block before the evidence', receipt: { ...good, checkpoint: chain.blocks[0]!.certificate }, check: 'checkpoint', detail: /older than the evidence record/ },
  { rule: 'a tree size other than the checkpoint\'s', receipt: { ...good, treeSize: good.treeSize + 1 }, check: 'inclusion', detail: /tree size 4 is not the checkpoint's 3/ },
  { rule: 'an inclusion proof hash altered', receipt: { ...good, inclusion: good.inclusion.map((h) => flipB64(h)) }, check: 'inclusion', detail: /is not in the checkpointed tree/ },
  { rule: 'another leaf index', receipt: { ...good, leafIndex: good.leafIndex - 1 }, check: 'inclusion', detail: /leaf 1 is not in the checkpointed tree of 3/ },
  { rule: 'a depositor key other than the one that signed', receipt: { ...good, depositor: { ...good.depositor, publicKey: toHex(chain.keys.get('court-1')!.publicKey) } }, check: 'depositor', detail: /depositor signature does not verify/ },
  { rule: 'a tx header that does not match the record', receipt: { ...good, depositor: { ...good.depositor, item: 0 } }, check: 'depositor', detail: /does not match the record/ },
  { rule: 'a tx header that does not hash to the record\'s tx', receipt: { ...good, depositor: { ...good.depositor, tx: { ...good.depositor.tx, nonce: good.depositor.tx.nonce + 1 } } }, check: 'depositor', detail: /does not hash to the record's tx/ },
  { rule: 'an item path altered', receipt: { ...good, depositor: { ...good.depositor, itemProof: good.depositor.itemProof.map((h) => flipB64(h)) } }, check: 'depositor', detail: /not under the signed itemsRoot/ },
  { rule: 'a tx signature altered', receipt: { ...good, depositor: { ...good.depositor, sig: flipHex(good.depositor.sig) } }, check: 'depositor', detail: /signature is not the one the certified block carries/ },
  { rule: 'a file digest other than the deposited one', receipt: good, opts: { digest: { alg: 'sha256', hex: flipHex(digest.hex) } }, check: 'digest', detail: /differs from the deposited/ },
  { rule: 'a digest algorithm that was not deposited', receipt: good, opts: { digest: { alg: 'sm3', hex: digest.hex } }, check: 'digest', detail: /no sm3 digest was deposited/ },
]

for (const row of rows) {
  test(`fails "${row.check}" for ${row.rule}`, () => {
    const r = verifyReceipt(row.receipt, row.trustRoot ?? trustRoot, row.opts)
    assert.not.ok(r.valid)
    assert.is(r.failed, row.check)
    const last = r.checks.at(-1)!
    assert.is(last.name, row.check)
    assert.is(last.ok, false)
    assert.match(last.detail, row.detail)
    // every check before the failed one passed: exactly one thing was wrong
    assert.ok(r.checks.slice(0, -1).every((c) => c.ok === true), JSON.stringify(r.checks))
  })
}

test.run()
