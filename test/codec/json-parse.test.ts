// parseJsonStrict: size limit before parsing, strict UTF-8, no duplicate keys, bounded depth.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseJsonStrict } from '../../src/codec/index.js'
import { isNodeError, utf8 } from '../../src/util/index.js'

const codeOf = (f: () => unknown): string => {
  try { f() } catch (e) { if (isNodeError(e)) return e.code; throw e }
  return 'no error'
}

test('parses valid JSON from a string or UTF-8 bytes', () => {
  assert.equal(parseJsonStrict('{"a":[1,{"b":"x"}],"c":null}', 100), { a: [1, { b: 'x' }], c: null })
  assert.equal(parseJsonStrict(utf8('{"€":"\\"{"}'), 100), { '€': '"{' })
})

test('rejects input over maxBytes, counted in UTF-8 bytes', () => {
  assert.is(codeOf(() => parseJsonStrict('[1,2,3]', 6)), 'JSON_TOO_LARGE')
  assert.is(codeOf(() => parseJsonStrict('"€€"', 7)), 'JSON_TOO_LARGE') // 8 bytes, 4 UTF-16 units
  assert.equal(parseJsonStrict('"€€"', 8), '€€')
  assert.is(codeOf(() => parseJsonStrict(utf8('[1,2,3]'), 6)), 'JSON_TOO_LARGE')
  assert.is(codeOf(() => parseJsonStrict('x'.repeat(1000), 10)), 'JSON_TOO_LARGE')
})

test('rejects malformed JSON with JSON_DECODE and the parser reason', () => {
  for (const t of ['{', '{"a":1,}', "{'a':1}", '[1] 2', '']) assert.is(codeOf(() => parseJsonStrict(t, 100)), 'JSON_DECODE', t)
})

test('rejects invalid UTF-8 bytes', () => {
  assert.is(codeOf(() => parseJsonStrict(new Uint8Array([0x22, 0xc3, 0x28, 0x22]), 100)), 'BAD_UTF8')
})

test('rejects duplicate keys, also when spelled with escapes, at any depth', () => {
  assert.is(codeOf(() => parseJsonStrict('{"a":1,"a":2}', 100)), 'JSON_DECODE')
  assert.is(codeOf(() => parseJsonStrict('{"a":1,"\\u0061":2}', 100)), 'JSON_DECODE')
  assert.is(codeOf(() => parseJsonStrict('[{"x":{"k":1,"k":1}}]', 100)), 'JSON_DECODE')
  assert.throws(() => parseJsonStrict('{"a":1,"a":2}', 100), /duplicate key "a"/)
})

test('same key in sibling objects and key-like string values are not duplicates', () => {
  assert.equal(parseJsonStrict('[{"a":1},{"a":2}]', 100), [{ a: 1 }, { a: 2 }])
  assert.equal(parseJsonStrict('{"a":"a","b":["a","a"],"c":{"a":"}"}}', 100), { a: 'a', b: ['a', 'a'], c: { a: '}' } })
  assert.equal(parseJsonStrict('{"a\\"":1,"a":2}', 100), { 'a"': 1, a: 2 })
})

test('rejects nesting deeper than 64 levels', () => {
  assert.equal(parseJsonStrict('['.repeat(64) + ']'.repeat(64), 1000) !== undefined, true)
  assert.is(codeOf(() => parseJsonStrict('['.repeat(65) + ']'.repeat(65), 1000)), 'JSON_DECODE')
})

test.run()
