// Strict deterministic CBOR: round trips, and every non-canonical form rejected on decode.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cborArrayHead, cborItemEnd, encodeCbor, decodeCbor } from '../../src/codec/index.js'
import { fromHex, isNodeError, toHex } from '../../src/util/index.js'

const MAX = 1 << 20
const reject = (hex: string, code = 'CBOR_DECODE', maxBytes = MAX): string => {
  try { decodeCbor(fromHex(hex), { maxBytes }) } catch (e) {
    if (isNodeError(e)) { assert.is(e.code, code, hex); return e.message }
    throw e
  }
  assert.unreachable(`${hex} decoded`)
  return ''
}
const encodeCode = (v: unknown): string => {
  try { encodeCbor(v) } catch (e) { if (isNodeError(e)) return e.code; throw e }
  return 'no error'
}

test('round trips every kind of value in the domain', () => {
  const values: unknown[] = [
    0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, Number.MIN_SAFE_INTEGER,
    '', 'a', 'ü€😀', 'x'.repeat(300), true, false, null, new Uint8Array(0), new Uint8Array([1, 2, 3]),
    [], [1, [2, [3]]], {}, { b: 1, a: 'x', aa: [new Uint8Array(32)], nested: { z: null, y: false } },
  ]
  for (const v of values) {
    const bytes = encodeCbor(v)
    assert.equal(decodeCbor(bytes, { maxBytes: MAX }), v, toHex(bytes))
    assert.is(toHex(encodeCbor(decodeCbor(bytes, { maxBytes: MAX }))), toHex(bytes))
  }
})

test('encoding is deterministic: key order of the input does not matter, keys sort length-first', () => {
  assert.is(toHex(encodeCbor({ b: 1, a: 2, aa: 3 })), toHex(encodeCbor({ aa: 3, a: 2, b: 1 })))
  assert.is(toHex(encodeCbor({ b: 1, a: 2, aa: 3 })), 'a3616102616201626161' + '03')
})

test('known encodings (RFC 8949 Appendix A)', () => {
  const cases: [unknown, string][] = [
    [0, '00'], [23, '17'], [24, '1818'], [100, '1864'], [1000, '1903e8'], [1000000, '1a000f4240'],
    [-1, '20'], [-1000, '3903e7'], ['IETF', '6449455446'], [[1, [2, 3], [4, 5]], '8301820203820405'],
    [{ a: 1, b: [2, 3] }, 'a26161016162820203'], [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    [false, 'f4'], [true, 'f5'], [null, 'f6'],
  ]
  for (const [v, hex] of cases) {
    assert.is(toHex(encodeCbor(v)), hex)
    assert.equal(decodeCbor(fromHex(hex), { maxBytes: MAX }), v)
  }
})

test('rejects trailing bytes', () => { reject('0100'); reject('a1616101' + 'f6') })
test('rejects non-minimal integer and length encodings', () => { reject('1801'); reject('190017'); reject('780161') ; reject('3800') })
test('rejects duplicate map keys', () => { assert.match(reject('a2616101616102'), /repeat map key/) })
test('rejects indefinite-length items', () => { reject('9f01ff'); reject('bf616101ff'); reject('5f4101ff'); reject('7f6161ff') })
test('rejects undefined', () => { reject('f7'); reject('81f7') })
test('rejects floats, even integral or NaN ones', () => { reject('f93c00'); reject('f93e00'); reject('fa47c35000'); reject('f97e00'); reject('f97c00') })
test('rejects tags, integers beyond 2^53 and non-string map keys', () => {
  reject('c074323031332d30332d32315432303a30343a30305a')
  reject('c24101') // bignum
  reject('1b0020000000000000')
  reject('a10101')
})
test('rejects unsorted map keys', () => { assert.match(reject('a2616201616101'), /canonical/) })
test('rejects invalid UTF-8 in text strings', () => { reject('62c328') })
test('rejects a "__proto__" key, which would vanish from the decoded object', () => {
  reject('a1' + '69' + toHex(new TextEncoder().encode('__proto__')) + 'a0')
})
test('rejects empty input and truncated input', () => { reject(''); reject('82'); reject('6461') })

test('rejects oversize input before decoding it', () => {
  // 0xff is not even valid CBOR: the size check must answer first.
  const msg = reject('ff'.repeat(11), 'CBOR_TOO_LARGE', 10)
  assert.match(msg, /at most 10 bytes, got 11/)
  assert.equal(decodeCbor(encodeCbor('x'.repeat(8)), { maxBytes: 10 }), 'x'.repeat(8))
})

test('encoding refuses values outside the domain, with the path', () => {
  for (const v of [undefined, { a: undefined }, 1.5, NaN, Infinity, -0, 2 ** 53, 1n, () => 0, Symbol('s'), new Date(0), new Map(), '\ud800']) {
    assert.is(encodeCode(v), 'CBOR_ENCODE', String(typeof v === 'symbol' ? 'symbol' : v))
  }
  const cyc: unknown[] = []
  cyc.push(cyc)
  assert.is(encodeCode(cyc), 'CBOR_ENCODE')
  assert.throws(() => encodeCbor({ header: { time: 1.5 } }), /\$\.header\.time expected a safe integer, got 1\.5/)
})

test('rejects nesting deeper than 64 levels on both sides', () => {
  let deep: unknown = 1
  for (let i = 0; i < 64; i++) deep = [deep]
  assert.ok(encodeCbor(deep).length > 0)
  assert.is(encodeCode([deep]), 'CBOR_ENCODE')
  reject('81'.repeat(65) + '01')
})


test('cborItemEnd finds where each item ends without decoding it, and refuses what the domain has not', () => {
  const values: unknown[] = [0, -25, 2 ** 40, '', 'ü€😀', new Uint8Array(300), [], [1, [2, [3]]], { a: { b: [null, true, false] } }, 'x'.repeat(70_000)]
  for (const v of values) {
    const one = encodeCbor(v)
    const two = new Uint8Array([...encodeCbor('before'), ...one, ...encodeCbor(7)])
    const at = encodeCbor('before').length
    assert.is(cborItemEnd(one, 0), one.length)
    assert.is(cborItemEnd(two, at), at + one.length)
  }
  for (const hex of ['', '82', '8201', '6461', 'c101', 'f93c00', '9f01ff', 'f7', '5b0020000000000000', '9b00000000ffffffff']) {
    assert.throws(() => cborItemEnd(fromHex(hex), 0), (e: unknown) => isNodeError(e) && e.code === 'CBOR_DECODE', hex)
  }
  const deep = fromHex('81'.repeat(70) + '00')
  assert.throws(() => cborItemEnd(deep, 0), /deeper/)
})

test('cborArrayHead is the minimal array head cborg writes', () => {
  for (const n of [0, 23, 24, 255, 256, 65535, 65536, 100_000]) {
    const full = encodeCbor(new Array(n).fill(0))
    assert.is(toHex(cborArrayHead(n)), toHex(full.subarray(0, full.length - n)), String(n))
  }
})

test('encodeCbor writes exactly what cborg writes, on random values of the domain', async () => {
  const { encode } = await import('cborg')
  let seed = 7
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const strings = ['', 'a', 'b', 'aa', 'ab', 'ü', 'é€', '😀', 'x'.repeat(23), 'x'.repeat(24), 'y'.repeat(300), 'z'.repeat(70_000), 'sig', 'items', 'nonce']
  const ints = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -256, -257, -(2 ** 32), -(2 ** 32) - 1, Number.MIN_SAFE_INTEGER]
  const gen = (depth: number): unknown => {
    switch (rnd(depth > 3 ? 5 : 7)) {
      case 0: return ints[rnd(ints.length)]
      case 1: return strings[rnd(strings.length)]
      case 2: return [null, true, false][rnd(3)]
      case 3: return new Uint8Array(rnd(3) === 0 ? 300 : rnd(30)).map(() => rnd(256))
      case 4: return rnd(1000)
      case 5: return Array.from({ length: rnd(30) }, () => gen(depth + 1))
      default: return Object.fromEntries(Array.from({ length: rnd(12) }, () => [strings[rnd(strings.length)]! + (rnd(2) ? String(rnd(100)) : ''), gen(depth + 1)]))
    }
  }
  for (let i = 0; i < 3000; i++) {
    const v = gen(0)
    assert.is(toHex(encodeCbor(v)), toHex(encode(v)), `case ${i}`)
  }
  const big = Array.from({ length: 40_000 }, (_, i) => ({ digests: { sha256: 'ab'.repeat(32) }, meta: { size: i } }))
  assert.is(toHex(encodeCbor(big)), toHex(encode(big)), 'a value larger than the writer\'s initial buffer')
})

// decodeCbor accepts canonical input after a walk over its bytes instead of encoding the decoded
// value again. The reference below is the re-encoding check alone; on random and mutated
// encodings (flipped, inserted and dropped bytes, float and simple heads, non-minimal heads,
// unsorted or "__proto__" keys, bad UTF-8, integers at 2^53, nesting at 64) both must decode the
// same value or refuse with the same error.
test('decodeCbor agrees with decode-then-re-encode on random and mutated encodings', async () => {
  const { decode } = await import('cborg')
  const OPTS = { strict: true, rejectDuplicateMapKeys: true, allowUndefined: false, allowIndefinite: false, allowInfinity: false, allowNaN: false, allowBigInt: false, tags: [] }
  const reference = (b: Uint8Array): string => {
    if (b.length === 0) return 'err CBOR: empty input'
    let v: unknown
    try { v = decode(b, OPTS as never) } catch (e) { return 'err CBOR: ' + (e as Error).message.replace(/^CBOR decode error: /, '') }
    let again: Uint8Array
    try { again = encodeCbor(v) } catch (e) { return 'err CBOR: not in the value domain: ' + (e as Error).message }
    return toHex(again) === toHex(b) ? 'ok ' + toHex(again) : 'err CBOR: not in canonical form (floats, unsorted map keys or invalid UTF-8)'
  }
  const actual = (b: Uint8Array): string => {
    try { return 'ok ' + toHex(encodeCbor(decodeCbor(b, { maxBytes: MAX }))) } catch (e) { return 'err ' + (e as Error).message }
  }
  let seed = 5
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const strings = ['', 'a', 'b', 'ab', 'ü', '€', '😀', 'x'.repeat(24), 'y'.repeat(300), 'sha256', 'sm3', 'meta', '__proto__', 'constructor']
  const ints = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -257, -(2 ** 32) - 1, Number.MIN_SAFE_INTEGER]
  const gen = (depth: number): unknown => {
    switch (rnd(depth > 3 ? 5 : 7)) {
      case 0: return ints[rnd(ints.length)]
      case 1: return strings[rnd(strings.length)]
      case 2: return [null, true, false][rnd(3)]
      case 3: return new Uint8Array(rnd(30)).map(() => rnd(256))
      case 4: return rnd(1000)
      case 5: return Array.from({ length: rnd(8) }, () => gen(depth + 1))
      default: return Object.fromEntries(Array.from({ length: rnd(6) }, () => [strings[rnd(strings.length)]!.replace('__proto__', 'p') + (rnd(2) ? String(rnd(100)) : ''), gen(depth + 1)]))
    }
  }
  const special = [0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xe0, 0xf3, 0x18, 0x19, 0x1a, 0x1b, 0x38, 0x3b, 0x5f, 0x7f, 0x9f, 0xbf, 0xc0, 0xd8, 0x80, 0xa0, 0x60, 0x61, 0xc3, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0xff, 0x00, 0x20]
  const mutate = (b: Uint8Array): Uint8Array => {
    const out = Array.from(b)
    for (let k = 1 + rnd(2); k > 0; k--) {
      const at = rnd(out.length + 1)
      switch (rnd(5)) {
        case 0: out[at] = rnd(256); break
        case 1: out[at] = special[rnd(special.length)]!; break
        case 2: out.splice(at, 0, special[rnd(special.length)]!); break
        case 3: out.splice(at, 1); break
        default: if (at < out.length) out[at] = out[at]! ^ (1 << rnd(8))
      }
    }
    return Uint8Array.from(out.filter((x) => x !== undefined))
  }
  const handmade = [
    'a2616201616101', 'a26161016162', 'a1695f5f70726f746f5f5f01', 'a1695f5f70726f746f5f5f a0', '62c328', '63eda080', '62c080', '64f4908080', '63e08080', '61ff',
    '1b0020000000000000', '1b001fffffffffffff', '3b001fffffffffffff', '3b001ffffffffffffe', '3b0020000000000000', '1b00000000ffffffff', '1a0000ffff', '3800',
    'f93c00', 'fb3ff0000000000000', 'f90000', 'f98000', 'f0', 'f3', 'f820', 'a1016161', 'a1406161', 'a2616101616101', 'c100',
    '81'.repeat(63) + '80', '81'.repeat(64) + '80', '81'.repeat(64) + '01', '81'.repeat(65) + '80', '81'.repeat(63) + 'a0', '81'.repeat(64) + 'a0',
  ].map((h) => fromHex(h.replace(/ /g, '')))
  for (const b of handmade) assert.is(actual(b), reference(b), toHex(b))
  let accepted = 0
  for (let i = 0; i < 6000; i++) {
    const good = encodeCbor(gen(0))
    const b = i % 4 === 0 ? good : mutate(good)
    const want = reference(b)
    assert.is(actual(b), want, toHex(b))
    if (want.startsWith('ok')) accepted++
  }
  assert.ok(accepted > 1500, `${accepted} accepted`)
})
test.run()
