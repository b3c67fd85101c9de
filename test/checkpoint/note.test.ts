// C2SP signed-note: the Ed25519 vectors byte for byte, negatives, strict parsing and quorum.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assembleNote, keyId, noteSignature, parseNote, parseVkey, signNote, signatureLine, verifyNote, vkey, MAX_NOTE_SIGNATURES } from '../../src/checkpoint/index.js'
import { ed25519PublicKey, ed25519Sign, sha256 } from '../../src/crypto/portable.js'
import { fromBase64, toHex, utf8 } from '../../src/util/index.js'
import { readVector } from '../helpers.js'

const vectors = readVector('signed-note', 'signed_note_vectors.json')
const byId = (id: string): any => vectors.cases.find((c: any) => c.id === id)
const code = (c: string) => (e: any): boolean => e.code === c

/** The golang/mod skey format: PRIVATE+KEY+<name>+<hex id>+base64(0x01 ‖ seed). */
function parseSkey(s: string): { name: string; seed: Uint8Array } {
  const m = /^PRIVATE\+KEY\+([^+]+)\+[0-9a-f]{8}\+(.+)$/.exec(s)
  assert.ok(m, 'skey format')
  const name = m[1]!
  const raw = fromBase64(m[2]!)
  assert.is(raw[0], 1)
  return { name: name!, seed: raw.slice(1) }
}

test('signing with the PeterNeumann skey reproduces the golang/mod note byte for byte', () => {
  const c = byId('go-peterneumann-ed25519')
  const signer = parseSkey(c.skey)
  assert.is(vkey(signer.name, ed25519PublicKey(signer.seed)), c.vkey)
  const body = parseNote(c.note).body
  assert.is(signNote(body, [signer]), c.note)
  assert.equal(verifyNote(c.note, [c.vkey]), { body, verified: ['PeterNeumann'] })
})

test('the C2SP example: vkey recomputed from its key, note reassembled and verified', () => {
  const c = byId('c2sp-example-ed25519')
  const v = parseVkey(c.vkey)
  assert.is(toHex(v.keyId), '530d903a')
  assert.is(vkey(v.name, v.publicKey), c.vkey)
  const parsed = parseNote(c.note)
  assert.is(parsed.body, 'This is an example message.\n')
  assert.is(assembleNote(parsed.body, parsed.signatures), c.note)
  assert.equal(verifyNote(c.note, [c.vkey]).verified, ['example.com/foo'])
})

test('two signers: only configured keys are verified, the other signature is ignored', () => {
  const c = byId('go-two-signers')
  assert.equal(verifyNote(c.note, [c.vkeys[0]]).verified, ['PeterNeumann'])
  assert.equal(verifyNote(c.note, [c.vkeys[1]]).verified, ['EnochRoot'])
  assert.equal(verifyNote(c.note, c.vkeys, 2).verified, ['PeterNeumann', 'EnochRoot'])
  const enoch = parseVkey(c.vkeys[1])
  assert.is(vkey(enoch.name, enoch.publicKey), c.vkeys[1])
})

test('a corrupted signature from a known key rejects the note', () => {
  const c = byId('go-corrupted-sig')
  assert.throws(() => verifyNote(c.note, [c.vkey]), code('NOTE_BAD_SIGNATURE'))
})

test('ECDSA vkeys are refused as unsupported; their notes still parse, and no Ed25519 key verifies them', () => {
  for (const id of ['rekor-checkpoint-ecdsa', 'pixel6-checkpoint-ecdsa']) {
    const c = byId(id)
    assert.throws(() => parseVkey(c.vkey), code('NOTE_BAD_VKEY'))
    const n = parseNote(c.note)
    assert.is(n.signatures.length, 1)
    assert.throws(() => verifyNote(c.note, [byId('c2sp-example-ed25519').vkey]), code('NOTE_QUORUM'))
  }
})

test('the C2SP checkpoint example with a cosignature parses: 2 signatures, 72-byte cosignature payload', () => {
  const n = parseNote(byId('c2sp-checkpoint-example-parse-only').note)
  assert.is(n.body, 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n')
  assert.equal(n.signatures.map((s) => s.name), ['example.com/behind-the-sofa', 'witness.example.com/w1'])
  assert.is(n.signatures[1]!.sig.length, 72)
})

test('keyId is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]', () => {
  const pub = ed25519PublicKey(sha256(utf8('k')))
  const want = sha256(new Uint8Array([...utf8('court-1'), 0x0a, 0x01, ...pub])).slice(0, 4)
  assert.equal(keyId('court-1', pub), want)
})

test('parseVkey rejects a key ID that does not match, a wrong key length and extra parts', () => {
  const good = byId('c2sp-example-ed25519').vkey as string
  assert.throws(() => parseVkey(good.replace('530d903a', '530d903b')), code('NOTE_BAD_VKEY'))
  assert.throws(() => parseVkey(good.replace('530d903a', '530D903A')), code('NOTE_BAD_VKEY'))
  assert.throws(() => parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U0='), code('NOTE_BAD_VKEY'))
  assert.throws(() => parseVkey(good + '+x'), code('NOTE_BAD_VKEY'))
  assert.throws(() => parseVkey(' ' + good), code('NOTE_BAD_NAME'))
})

test('parseNote rejects malformed notes', () => {
  const good = byId('c2sp-example-ed25519').note as string
  const bad = [
    good.replace('\n\n', '\n'), // no blank line
    good.slice(0, -1), // no final newline
    good.replace('\u2014', '-'), // not an em dash
    good.replace('\u2014 ', '\u2014  '), // two spaces
    good.replace('example.com/foo U', 'example.com+foo U'), // '+' in name
    good.replace('message.', 'message.\t'), // control character
    good.replace('aQM=', 'aQN='), // non-canonical base64 (unused bits set)
    good + '\n', // trailing blank line
    'text\n\n\u2014 name AAAA\n', // fewer than 5 bytes of key ID and signature
    'text\n\n', // no signature lines
  ]
  for (const t of bad) assert.throws(() => parseNote(t), code('NOTE_MALFORMED'), JSON.stringify(t))
})

test(`parseNote accepts ${MAX_NOTE_SIGNATURES} signatures and rejects one more`, () => {
  const line = signatureLine('w', new Uint8Array(4), new Uint8Array(64))
  assert.is(parseNote('x\n\n' + line.repeat(MAX_NOTE_SIGNATURES)).signatures.length, MAX_NOTE_SIGNATURES)
  assert.throws(() => parseNote('x\n\n' + line.repeat(MAX_NOTE_SIGNATURES + 1)), code('NOTE_MALFORMED'))
})

// Three validators, a fourth key nobody configured, and one key under a reused name.
const signer = (name: string) => ({ name, seed: sha256(utf8(`seed ${name}`)) })
const [a, b, c, d] = ['court-1', 'court-2', 'court-3', 'stranger'].map(signer) as [any, any, any, any]
const vkeys = [a, b, c].map((s) => vkey(s.name, ed25519PublicKey(s.seed)))
const body = 'courtchain/test\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'

test('quorum: 2 of 3 known keys verify; 1 of 3 throws NOTE_QUORUM', () => {
  assert.equal(verifyNote(signNote(body, [a, b]), vkeys, 2).verified, ['court-1', 'court-2'])
  assert.throws(() => verifyNote(signNote(body, [a]), vkeys, 2), code('NOTE_QUORUM'))
})

test('quorum: a key signing twice counts once', () => {
  const sig = noteSignature(body, a)
  const note = assembleNote(body, [sig, sig])
  assert.equal(verifyNote(note, vkeys, 1).verified, ['court-1'])
  assert.throws(() => verifyNote(note, vkeys, 2), code('NOTE_QUORUM'))
})

test('quorum: unknown keys, and a known name with another key, are ignored and do not count', () => {
  const impostor = { name: 'court-2', seed: d.seed }
  const note = signNote(body, [a, d, impostor])
  assert.equal(verifyNote(note, vkeys, 1).verified, ['court-1'])
  assert.throws(() => verifyNote(note, vkeys, 2), code('NOTE_QUORUM'))
})

test('verifyNote uses an injected verifier', () => {
  const note = signNote(body, [a, b])
  let calls = 0
  assert.throws(() => verifyNote(note, vkeys, 1, () => { calls++; return false }), code('NOTE_BAD_SIGNATURE'))
  assert.is(calls, 1)
})

test('a known key signing a different body rejects the note', () => {
  const other = noteSignature(body.replace('3', '4'), b)
  const note = assembleNote(body, [noteSignature(body, a), other])
  assert.throws(() => verifyNote(note, vkeys, 1), code('NOTE_BAD_SIGNATURE'))
})

test('signNote uses an injected signer and refuses a body without final newline', () => {
  let calls = 0
  const note = signNote(body, [a], (seed, msg) => { calls++; return ed25519Sign(seed, msg) })
  assert.is(calls, 1)
  assert.is(note, signNote(body, [a]))
  assert.throws(() => signNote('no newline', [a]), code('NOTE_MALFORMED'))
})

test.run()
