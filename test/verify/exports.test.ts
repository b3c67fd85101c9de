// The browser-safe verifier's public surface (`courtchain/verify`): each export accepts a good
// input and rejects a bad one.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as verify from '../../src/verify/index.js'
import { formatCheckpoint, signNote, vkey } from '../../src/checkpoint/index.js'
import { ed25519PublicKey, ed25519Sign, sha256 } from '../../src/crypto/portable.js'
import { consistencyProof, inclusionProof, rootFromLeafHashes } from '../../src/merkle/index.js'
import { fromHex, toHex, u64be, utf8 } from '../../src/util/index.js'

const code = (c: string) => (e: any): boolean => e.code === c
const leaves = Array.from({ length: 11 }, (_, i) => verify.leafHash(u64be(i)))

test('leafHash is the RFC 6962 leaf hash SHA-256(0x00 ‖ leaf), not the plain SHA-256', () => {
  assert.is(toHex(verify.leafHash(fromHex('4c313233343536'))), '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56')
  assert.is.not(toHex(verify.leafHash(utf8('L123456'))), toHex(sha256(utf8('L123456'))))
})

test('verifyInclusion accepts a generated proof and rejects it at another index', () => {
  const root = rootFromLeafHashes(leaves)
  const proof = inclusionProof(7, leaves)
  assert.ok(verify.verifyInclusion(7, 11, leaves[7]!, proof, root))
  assert.not.ok(verify.verifyInclusion(6, 11, leaves[7]!, proof, root))
})

test('verifyConsistency accepts a generated proof and rejects swapped roots', () => {
  const r5 = rootFromLeafHashes(leaves.slice(0, 5))
  const r11 = rootFromLeafHashes(leaves)
  const proof = consistencyProof(5, leaves)
  assert.ok(verify.verifyConsistency(5, 11, proof, r5, r11))
  assert.not.ok(verify.verifyConsistency(5, 11, proof, r11, r5))
})

test('ed25519Verify accepts a valid signature and rejects one for another message', () => {
  const seed = sha256(utf8('verifier seed'))
  const pub = ed25519PublicKey(seed)
  const sig = ed25519Sign(seed, utf8('evidence'))
  assert.ok(verify.ed25519Verify(pub, utf8('evidence'), sig))
  assert.not.ok(verify.ed25519Verify(pub, utf8('evidence!'), sig))
})

const validators = ['court-1', 'court-2', 'court-3', 'court-4'].map((name) => ({ name, seed: sha256(utf8(name)) }))
const vkeys = validators.map((v) => vkey(v.name, ed25519PublicKey(v.seed)))
const cp = { origin: 'courtchain/devnet', size: 11, root: rootFromLeafHashes(leaves), height: 3, block: '0f'.repeat(32), time: 1764201600123 }

test('verifyCheckpoint returns the parsed checkpoint and its 2f+1 signers', () => {
  const note = signNote(formatCheckpoint(cp), validators.slice(0, 3))
  assert.equal(verify.verifyCheckpoint(note, vkeys, 3), { ...cp, signers: ['court-1', 'court-2', 'court-3'] })
})

test('verifyCheckpoint throws NOTE_QUORUM below quorum', () => {
  const note = signNote(formatCheckpoint(cp), validators.slice(0, 2))
  assert.throws(() => verify.verifyCheckpoint(note, vkeys, 3), code('NOTE_QUORUM'))
})

test.run()
