// expectRecord / expectArray: exactly the declared fields, each of its declared type.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expectRecord, expectArray } from '../../src/codec/index.js'
import { isNodeError } from '../../src/util/index.js'

const HEADER = { v: 'uint', chain: 'string', parent: 'hex32', time: 'uint', sig: 'bytes64?', note: 'string?' } as const
const good = () => ({ v: 1, chain: 'devnet', parent: 'ab'.repeat(32), time: 1764201600000 })
const fail = (f: () => unknown): string => {
  try { f() } catch (e) { if (isNodeError(e, 'BAD_RECORD')) return e.message; throw e }
  assert.unreachable('accepted')
  return ''
}

test('accepts a record with exactly the declared fields, optional ones present or absent', () => {
  const r = expectRecord(good(), 'header', HEADER)
  const chain: string = r.chain // typed by the schema
  assert.is(chain, 'devnet')
  expectRecord({ ...good(), sig: new Uint8Array(64), note: 'n' }, 'header', HEADER)
})

test('rejects unknown fields, naming them', () => {
  assert.is(fail(() => expectRecord({ ...good(), extra: 1 }, 'header', HEADER)), '"header" has unknown field "extra"')
})

test('rejects a missing required field and a wrong type, with label.field and what it got', () => {
  const { chain: _c, ...noChain } = good()
  assert.is(fail(() => expectRecord(noChain, 'header', HEADER)), '"header.chain" is missing, expected string')
  assert.is(fail(() => expectRecord({ ...good(), time: '1' }, 'header', HEADER)), '"header.time" expected uint, got string')
  assert.is(fail(() => expectRecord({ ...good(), sig: new Uint8Array(63) }, 'header', HEADER)), '"header.sig" expected bytes64, got 63 bytes')
  assert.is(fail(() => expectRecord({ ...good(), note: undefined }, 'header', HEADER)), '"header.note" expected string, got undefined')
})

test('each field type accepts what it names and nothing close to it', () => {
  const cases: [string, unknown[], unknown[]][] = [
    ['uint', [0, 2 ** 53 - 1], [-1, 1.5, 2 ** 53, '1', null]],
    ['int', [-5, 0], [0.5, NaN]],
    ['bool', [true, false], [0, 'true']],
    ['hex32', ['00'.repeat(32)], ['00'.repeat(31), 'AB'.repeat(32), 'zz'.repeat(32)]],
    ['hex64', ['0f'.repeat(64)], ['0f'.repeat(32)]],
    ['bytes', [new Uint8Array(0)], ['00', [0]]],
    ['bytes32', [new Uint8Array(32)], [new Uint8Array(31)]],
    ['array', [[]], [{}, new Uint8Array(1)]],
    ['object', [{}], [[], null, new Uint8Array(1)]],
    ['any', [null, 0, ''], [undefined]],
  ]
  for (const [type, ok, bad] of cases) {
    const schema = { f: type } as Record<string, 'any'>
    for (const v of ok) expectRecord({ f: v }, 'r', schema)
    for (const v of bad) fail(() => expectRecord({ f: v }, 'r', schema))
  }
})

test('rejects non-objects as records', () => {
  for (const v of [null, [], 'x', 1, new Uint8Array(2)]) fail(() => expectRecord(v, 'tx', { a: 'any?' }))
})

test('expectArray checks the type and the item count', () => {
  assert.equal(expectArray([1, 2], 'items', 1, 2), [1, 2])
  assert.is(fail(() => expectArray([], 'items', 1, 1000)), '"items" expected 1..1000 items, got 0')
  fail(() => expectArray({}, 'items'))
})

test.run()
