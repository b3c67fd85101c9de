// Strict decoding of the head announcement, which now carries the sender's clock. Bad bytes are
// made with cborg itself: our encoder refuses to write them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encode } from 'cborg'
import { decodeHeadAnnouncement, encodeHead } from '../../src/sync/index.js'
import { concatBytes, isNodeError } from '../../src/util/index.js'

const hash = 'ab'.repeat(32)

test('a head announcement carries the height, the hash and the sender\'s clock', () => {
  assert.equal(decodeHeadAnnouncement(encodeHead({ height: 7, hash, time: 1_796_000_000_000 })), { height: 7, hash, time: 1_796_000_000_000 })
})

test('an announcement without a clock, as the previous version sends, is still accepted', () => {
  assert.equal(decodeHeadAnnouncement(encodeHead({ height: 7, hash })), { height: 7, hash })
})

test('bad announcements are refused: wrong clock types, unknown fields, trailing bytes, oversize', () => {
  const bad: [string, Uint8Array][] = [
    ['negative time', encode({ height: 7, hash, time: -1 })],
    ['fractional time', encode({ height: 7, hash, time: 1.5 })],
    ['time beyond 2^53', encode({ height: 7, hash, time: 2n ** 60n })],
    ['time as a string', encode({ height: 7, hash, time: '1796000000000' })],
    ['unknown field', encode({ height: 7, hash, time: 1, view: 3 })],
    ['trailing bytes', concatBytes(encodeHead({ height: 7, hash, time: 1 }), Uint8Array.of(0))],
    ['oversize', encode({ height: 7, hash: 'x'.repeat(300) })],
  ]
  for (const [what, bytes] of bad) {
    try { decodeHeadAnnouncement(bytes); assert.unreachable(what) } catch (e) { assert.ok(isNodeError(e), `${what}: ${String(e)}`) }
  }
})

test.run()
