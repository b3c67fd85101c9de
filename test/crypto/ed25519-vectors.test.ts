// Every external Ed25519 vector, on both paths: RFC 8032 §7.1, Wycheproof, ed25519-speccheck.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readVector } from '../helpers.js'
import { fromHex, toHex } from '../../src/util/index.js'
import {
  ed25519Sign, ed25519Verify, ed25519PublicKey, ed25519VerifyAsync,
  portableEd25519Sign, portableEd25519Verify, portableEd25519PublicKey,
} from '../../src/crypto/index.js'

interface Rfc8032 { priv: string; pub: string; msg: string; sig: string }
interface Speccheck { message: string; pub_key: string; signature: string }
interface Wycheproof {
  numberOfTests: number
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; flags: string[]; msg: string; sig: string; result: string; comment: string }[] }[]
}

const rfc = readVector<Rfc8032[]>('ed25519', 'rfc8032_ed25519.json')
const speccheck = readVector<Speccheck[]>('ed25519', 'speccheck_cases.json')
const wycheproof = readVector<Wycheproof>('ed25519', 'wycheproof_ed25519_test.json')

// Wycheproof cases our stricter rule rejects although Wycheproof calls them valid. Found none:
// Wycheproof's valid keys and R values are all of full order and canonical. Listed by tcId.
const STRICTER_THAN_WYCHEPROOF = new Set<number>()

test('RFC 8032 §7.1: both paths reproduce each public key and signature byte for byte', () => {
  assert.ok(rfc.length >= 4)
  for (const v of rfc) {
    const seed = fromHex(v.priv), msg = fromHex(v.msg)
    assert.is(toHex(ed25519PublicKey(seed)), v.pub)
    assert.is(toHex(portableEd25519PublicKey(seed)), v.pub)
    assert.is(toHex(ed25519Sign(seed, msg)), v.sig)
    assert.is(toHex(portableEd25519Sign(seed, msg)), v.sig)
  }
})

test('RFC 8032 §7.1: both paths accept each vector and reject it with one bit flipped', async () => {
  for (const v of rfc) {
    const pub = fromHex(v.pub), msg = fromHex(v.msg), sig = fromHex(v.sig)
    assert.ok(ed25519Verify(pub, msg, sig))
    assert.ok(await ed25519VerifyAsync(pub, msg, sig))
    assert.ok(portableEd25519Verify(pub, msg, sig))
    const bad = sig.slice()
    bad[5]! ^= 1
    assert.not.ok(ed25519Verify(pub, msg, bad))
    assert.not.ok(portableEd25519Verify(pub, msg, bad))
  }
})

test('Wycheproof: every case gets its expected verdict on both paths', async () => {
  let n = 0
  for (const g of wycheproof.testGroups) {
    const pub = fromHex(g.publicKey.pk)
    for (const t of g.tests) {
      n++
      const msg = fromHex(t.msg), sig = fromHex(t.sig)
      const expected = t.result === 'valid' && !STRICTER_THAN_WYCHEPROOF.has(t.tcId)
      const label = `tcId ${t.tcId} ${t.flags.join(',')} ${t.comment}`
      assert.is(ed25519Verify(pub, msg, sig), expected, `native ${label}`)
      assert.is(await ed25519VerifyAsync(pub, msg, sig), expected, `native async ${label}`)
      assert.is(portableEd25519Verify(pub, msg, sig), expected, `portable ${label}`)
    }
  }
  assert.is(n, wycheproof.numberOfTests)
})

test('speccheck: under the pinned rule only case 3 (mixed-order A and R, equation holds) is valid, on both paths', () => {
  const verdict = (f: typeof ed25519Verify): string =>
    speccheck.map((c) => (f(fromHex(c.pub_key), fromHex(c.message), fromHex(c.signature)) ? 'V' : 'X')).join('')
  const native = verdict(ed25519Verify)
  const portable = verdict(portableEd25519Verify)
  console.log(`  speccheck verdicts: native ${native}, portable ${portable}`)
  assert.is(speccheck.length, 12)
  assert.is(native, portable)
  assert.is(native, 'XXXVXXXXXXXX')
})

test.run()
