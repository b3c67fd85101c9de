import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  blockKey, caseKey, casePrefix, digestKey, txLocation, certificateKey, decodeHead, digestPrefix, encodeHead, evidenceIdKey, blockByLogEndKey, logNodeKey,
  metaKey, prefixEnd, stateKey, txKey, walKey, STORE_FORMAT, STORE_FORMAT_CHANGES,
} from '../../src/store/keys.js'
import { fromHex, isNodeError, toHex } from '../../src/util/index.js'

// A frozen picture of the on-disk layout: changing any of these bytes is a format change.
const h32 = fromHex('ab'.repeat(32))

test('the key layout is frozen: one bucket byte, then big-endian fields', () => {
  assert.is(toHex(blockKey(258)), '010000000000000102')
  assert.is(toHex(certificateKey(1)), '020000000000000001')
  assert.is(toHex(txKey(h32)), '03' + 'ab'.repeat(32))
  assert.is(toHex(evidenceIdKey(h32)), '04' + 'ab'.repeat(32))
  assert.is(toHex(blockByLogEndKey(2 ** 40)), '050000010000000000')
  assert.is(toHex(digestPrefix('sha256', h32)), '0601' + 'ab'.repeat(32))
  assert.is(toHex(digestPrefix('sm3', h32)), '0602' + 'ab'.repeat(32))
  assert.is(toHex(logNodeKey(3, 5)), '07030000000000000005')
  assert.is(toHex(metaKey('head')), '0868656164')
  assert.is(toHex(walKey(7)), '090000000000000007')
  assert.is(toHex(casePrefix('A-1')), '0a0003412d31')
  assert.is(toHex(stateKey('m')), '0b6d')
  assert.is(toHex(digestKey('sm3', 'ab'.repeat(32), 2 ** 33 + 1)), '0602' + 'ab'.repeat(32) + '0000000200000001')
  assert.is(toHex(caseKey('A-1', 5)), '0a0003412d310000000000000005')
  assert.is(toHex(txLocation(3, 65537)), '000000000000000300010001')
})

test('the format version is frozen too (3: blocks with signed tx roots), and each format says what it changed', () => {
  assert.is(STORE_FORMAT, 3)
  for (let v = 2; v <= STORE_FORMAT; v++) assert.ok(STORE_FORMAT_CHANGES[v], `format ${v} names its change`)
})

test('a digest that is not 32 bytes of lowercase hex is refused with its label', () => {
  for (const [hex, code] of [['AB'.repeat(32), 'BAD_HEX'], ['ab'.repeat(31), 'BAD_LENGTH'], ['zz'.repeat(32), 'BAD_HEX']] as const) {
    try { digestKey('sha256', hex, 0); assert.unreachable() } catch (e) {
      assert.ok(isNodeError(e, code), `${hex}: ${String(e)}`)
      assert.match((e as Error).message, 'digests.sha256')
    }
  }
})

test('a case prefix never matches a longer case number', () => {
  const a = casePrefix('A-1')
  const b = casePrefix('A-12')
  assert.not.ok(toHex(b).startsWith(toHex(a)))
  try { casePrefix(''); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'STORE_BAD_CASE_NO')) }
})

test('prefixEnd is the exclusive bound of a prefix scan', () => {
  assert.is(toHex(prefixEnd(Uint8Array.of(0x09))), '0a')
  assert.is(toHex(prefixEnd(Uint8Array.of(0x06, 0x01, 0xff, 0xff))), '0602')
})

test('the head record round-trips in 80 bytes', () => {
  const head = { height: 9, hash: h32, logSize: 123, logRoot: fromHex('cd'.repeat(32)) }
  const enc = encodeHead(head)
  assert.is(enc.length, 80)
  assert.equal(decodeHead(enc), head)
  try { decodeHead(enc.subarray(1)); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'STORE_CORRUPT')) }
})

test.run()
