// RFC 8785 (JCS) canonical JSON: the RFC's own examples, and every refusal.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { canonicalJson, canonicalJsonBytes } from '../../src/codec/index.js'
import { isNodeError, toHex } from '../../src/util/index.js'

const codeOf = (f: () => unknown): string => {
  try { f() } catch (e) { if (isNodeError(e)) return e.code; throw e }
  return 'no error'
}

test('RFC 8785 §3.2.2: the example with numbers, escapes and literals', () => {
  const input = JSON.parse(String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`)
  assert.is(canonicalJson(input),
    String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`)
})

test('RFC 8785 §3.2.3: properties sorted by UTF-16 code units (emoji surrogates before U+FB33)', () => {
  const input = JSON.parse(String.raw`{
    "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`)
  const out = canonicalJson(input)
  // Read the order from the text: re-parsing would move the integer-like key "1" first.
  const order = [...out.matchAll(/:"([^"]+)"/g)].map((m) => m[1])
  assert.equal(order, ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign',
    'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh'])
  assert.ok(out.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"'))
})

test('RFC 8785 §3.2.3: nested objects are sorted too, arrays keep their order', () => {
  assert.is(canonicalJson({ b: [3, { z: 1, a: 2 }, 1], a: { d: true, c: null } }), '{"a":{"c":null,"d":true},"b":[3,{"a":2,"z":1},1]}')
})

test('RFC 8785 Appendix B: ES6 number serialization of IEEE-754 bit patterns', () => {
  const cases: [string, string][] = [
    ['0000000000000000', '0'], ['8000000000000000', '0'], ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'], ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'], ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'], ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'], ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'], ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'], ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'], ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'], ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'], ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'], ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ]
  for (const [bits, expected] of cases) {
    const n = new DataView(new BigUint64Array([BigInt('0x' + bits)]).buffer).getFloat64(0, true)
    assert.is(canonicalJson(n), expected, bits)
  }
})

test('RFC 8785 §3.2.2.3: NaN and ±Infinity are refused (Appendix B 7fffffffffffffff, 7ff0000000000000)', () => {
  for (const v of [NaN, Infinity, -Infinity, { a: [1, NaN] }]) assert.is(codeOf(() => canonicalJson(v)), 'JSON_ENCODE')
})

test('refuses undefined (also as a property value), functions, symbols, bigints', () => {
  for (const v of [undefined, { a: undefined }, [undefined], () => 1, Symbol('x'), 1n, { a: { b: 2n } }]) {
    assert.is(codeOf(() => canonicalJson(v)), 'JSON_ENCODE')
  }
})

test('refuses cycles and class instances, with the path in the message', () => {
  const a: Record<string, unknown> = { x: 1 }
  a.self = a
  assert.is(codeOf(() => canonicalJson(a)), 'JSON_ENCODE')
  assert.throws(() => canonicalJson({ when: new Date(0) }), /\$\.when expected a plain object, got Date/)
  assert.throws(() => canonicalJson({ b: new Uint8Array(2) }), /\$\.b expected a plain object/)
  assert.throws(() => canonicalJson({ m: new Map() }), /got Map/)
  // a shared (non-cyclic) subobject is fine
  const shared = { k: 1 }
  assert.is(canonicalJson({ a: shared, b: shared }), '{"a":{"k":1},"b":{"k":1}}')
})

test('refuses lone surrogates in strings and keys (I-JSON, RFC 7493 §2.1)', () => {
  assert.is(codeOf(() => canonicalJson('\ud800')), 'JSON_ENCODE')
  assert.is(codeOf(() => canonicalJson({ '\udc00x': 1 })), 'JSON_ENCODE')
  assert.is(canonicalJson('\ud83d\ude00'), '"\ud83d\ude00"')
})

test('canonicalJsonBytes is the UTF-8 of the canonical text', () => {
  assert.is(toHex(canonicalJsonBytes({ '€': 1 })), toHex(new TextEncoder().encode('{"€":1}')))
  assert.is(toHex(canonicalJsonBytes({ '€': 1 })), '7b22e282ac223a317d')
})

test.run()
