// Deterministic CBOR (cborg) for blocks and wire messages. One value domain, both ways: null,
// booleans, safe integers, strings, byte strings, arrays, plain objects with string keys. No
// floats, tags, undefined or bigints, so "decode then encode gives the same bytes" is the whole
// canonical-form rule (RFC 8949 §4.2), and decodeCbor enforces exactly that.
import { decode } from 'cborg'
import { writeCbor } from './cbor-writer.js'
import { NodeError, equalBytes } from '../util/index.js'

const MAX_DEPTH = 64

const encodeError = (path: string, reason: string): NodeError =>
  new NodeError({ code: 'CBOR_ENCODE', path, reason }, `CBOR: ${path} ${reason}`)

// Checks `value` is inside the value domain, with a labelled path in the error.
function check(value: unknown, path: string, stack: object[]): void {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw encodeError(path, 'contains a lone surrogate')
      return
    case 'boolean':
      return
    case 'number':
      if (!Number.isSafeInteger(value)) throw encodeError(path, `expected a safe integer, got ${value}`)
      if (Object.is(value, -0)) throw encodeError(path, 'is negative zero')
      return
    case 'object': {
      if (value === null || value instanceof Uint8Array) return
      if (stack.includes(value)) throw encodeError(path, 'is a cycle')
      if (stack.length >= MAX_DEPTH) throw encodeError(path, `nests deeper than ${MAX_DEPTH}`)
      stack.push(value)
      if (Array.isArray(value)) {
        value.forEach((v, i) => check(v, `${path}[${i}]`, stack))
      } else {
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          throw encodeError(path, `expected a plain object, got ${proto?.constructor?.name ?? 'an exotic object'}`)
        }
        for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`, stack)
      }
      stack.pop()
      return
    }
    default:
      throw encodeError(path, `is not encodable (${typeof value})`)
  }
}

// `check` without a path per value (those strings were most of the cost of encoding a block):
// false on any problem, and `check` then says where and why.
function inDomain(value: unknown, stack: object[]): boolean {
  switch (typeof value) {
    case 'string': return value.isWellFormed()
    case 'boolean': return true
    case 'number': return Number.isSafeInteger(value) && !Object.is(value, -0)
    case 'object': {
      if (value === null || value instanceof Uint8Array) return true
      if (stack.length >= MAX_DEPTH || stack.includes(value)) return false
      stack.push(value)
      let ok = true
      if (Array.isArray(value)) {
        for (let i = 0; ok && i < value.length; i++) ok = inDomain(value[i], stack)
      } else {
        const proto = Object.getPrototypeOf(value)
        ok = proto === Object.prototype || proto === null
        for (const k in value) if (ok && Object.hasOwn(value, k)) ok = inDomain((value as Record<string, unknown>)[k], stack)
      }
      stack.pop()
      return ok
    }
    default: return false
  }
}

/** Deterministic CBOR of `value` (cborg defaults: minimal integers, sorted map keys); throws CBOR_ENCODE outside the value domain. */
export function encodeCbor(value: unknown): Uint8Array {
  if (!inDomain(value, [])) check(value, '$', [])
  return writeCbor(value)
}

const DECODE_OPTIONS = {
  strict: true, // minimal integer and length encodings
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowIndefinite: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  tags: [], // no tags at all
} as const

const decodeError = (reason: string): NodeError =>
  new NodeError({ code: 'CBOR_DECODE', reason }, `CBOR: ${reason}`)

/**
 * Strictly decodes one CBOR item filling all of `bytes` (at most `maxBytes`, checked first):
 * CBOR_TOO_LARGE, or CBOR_DECODE with the reason (trailing bytes, non-minimal, duplicate keys,
 * indefinite lengths, undefined, floats, unsorted keys, invalid UTF-8: anything not canonical).
 */
export function decodeCbor(bytes: Uint8Array, opts: { maxBytes: number }): unknown {
  if (!(bytes instanceof Uint8Array)) throw decodeError('expected Uint8Array input')
  if (bytes.length > opts.maxBytes) {
    throw new NodeError({ code: 'CBOR_TOO_LARGE', maxBytes: opts.maxBytes, actual: bytes.length },
      `CBOR: expected at most ${opts.maxBytes} bytes, got ${bytes.length}`)
  }
  if (bytes.length === 0) throw decodeError('empty input')
  let value: unknown
  try {
    value = decode(bytes, DECODE_OPTIONS)
  } catch (e) {
    throw decodeError((e as Error).message.replace(/^CBOR decode error: /, ''))
  }
  // Canonical form: the bytes must be exactly what encodeCbor makes of the value. This catches
  // what cborg's strict mode lets through: floats (also integral ones), unsorted map keys,
  // invalid UTF-8 (decoded to U+FFFD) and a "__proto__" key (lost when set on an object).
  // A walk over the bytes says so for canonical input without encoding the value again; for
  // anything else, the re-encoding below decides and gives the reason.
  if (canonicalEnd(bytes, 0, 0) === bytes.length) return value
  let again: Uint8Array
  try {
    again = encodeCbor(value)
  } catch (e) {
    throw decodeError(`not in the value domain: ${(e as NodeError).message}`)
  }
  if (!equalBytes(again, bytes)) throw decodeError('not in canonical form (floats, unsorted map keys or invalid UTF-8)')
  return value
}

// End offset of the item at `p` if it is written exactly as encodeCbor would write what cborg
// decodes it to, else -1 (never a false "yes": the caller then re-encodes to be sure): minimal
// heads; safe integers; strict UTF-8 text; maps with text keys in length-first bytewise order and
// no "__proto__"; false, true and null as the only simple values; containers < MAX_DEPTH deep.
function canonicalEnd(bytes: Uint8Array, p: number, depth: number): number {
  if (p >= bytes.length) return -1
  const major = bytes[p]! >> 5
  const info = bytes[p]! & 0x1f
  p++
  let arg: number
  if (info < 24) arg = info
  else if (info === 24) { if (p + 1 > bytes.length) return -1; arg = bytes[p]!; p += 1; if (arg < 24) return -1 }
  else if (info === 25) { if (p + 2 > bytes.length) return -1; arg = bytes[p]! << 8 | bytes[p + 1]!; p += 2; if (arg < 0x100) return -1 }
  else if (info === 26) { if (p + 4 > bytes.length) return -1; arg = (bytes[p]! << 24 >>> 0) + (bytes[p + 1]! << 16 | bytes[p + 2]! << 8 | bytes[p + 3]!); p += 4; if (arg < 0x10000) return -1 }
  else if (info === 27) {
    if (p + 8 > bytes.length) return -1
    const hi = (bytes[p]! << 24 >>> 0) + (bytes[p + 1]! << 16 | bytes[p + 2]! << 8 | bytes[p + 3]!)
    const lo = (bytes[p + 4]! << 24 >>> 0) + (bytes[p + 5]! << 16 | bytes[p + 6]! << 8 | bytes[p + 7]!)
    if (hi === 0 || hi > 0x1fffff) return -1 // below 2^32 is not minimal; 2^53 and above is not a safe integer
    arg = hi * 0x1_0000_0000 + lo
    p += 8
  } else return -1
  switch (major) {
    case 0: return arg <= Number.MAX_SAFE_INTEGER ? p : -1
    case 1: return arg <= Number.MAX_SAFE_INTEGER - 1 ? p : -1 // -1 - arg must be a safe integer
    case 2: return p + arg <= bytes.length ? p + arg : -1
    case 3: return p + arg <= bytes.length && isUtf8(bytes, p, p + arg) ? p + arg : -1
    case 4:
      if (depth >= MAX_DEPTH) return -1
      for (let i = 0; i < arg && p >= 0; i++) p = canonicalEnd(bytes, p, depth + 1)
      return p
    case 5: {
      if (depth >= MAX_DEPTH) return -1
      let prevStart = -1, prevEnd = -1
      for (let i = 0; i < arg; i++) {
        // A key: a text string in minimal form (the head is checked by the recursive call).
        if (p >= bytes.length || bytes[p]! >> 5 !== 3) return -1
        const keyEnd = canonicalEnd(bytes, p, depth + 1)
        if (keyEnd < 0) return -1
        const start = keyEnd - textLength(bytes, p)
        if (prevStart >= 0 && compareRanges(bytes, prevStart, prevEnd, start, keyEnd) >= 0) return -1
        if (isProtoKey(bytes, start, keyEnd)) return -1
        prevStart = start
        prevEnd = keyEnd
        p = canonicalEnd(bytes, keyEnd, depth + 1)
        if (p < 0) return -1
      }
      return p
    }
    case 7: return info >= 20 && info <= 22 ? p : -1
    default: return -1
  }
}

// Length of the text string whose (well-formed) head is at `p`.
function textLength(bytes: Uint8Array, p: number): number {
  const info = bytes[p]! & 0x1f
  if (info < 24) return info
  if (info === 24) return bytes[p + 1]!
  if (info === 25) return bytes[p + 1]! << 8 | bytes[p + 2]!
  return (bytes[p + 1]! << 24 >>> 0) + (bytes[p + 2]! << 16 | bytes[p + 3]! << 8 | bytes[p + 4]!)
}

// cbor-writer's key order: shorter first, then bytewise.
function compareRanges(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): number {
  if (e1 - s1 !== e2 - s2) return (e1 - s1) - (e2 - s2)
  for (let i = 0; i < e1 - s1; i++) if (b[s1 + i] !== b[s2 + i]) return b[s1 + i]! - b[s2 + i]!
  return 0
}

const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f] // "__proto__"
function isProtoKey(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== PROTO.length) return false
  for (let i = 0; i < PROTO.length; i++) if (b[s + i] !== PROTO[i]) return false
  return true
}

// Strict UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, nothing above U+10FFFF.
function isUtf8(b: Uint8Array, p: number, end: number): boolean {
  while (p < end) {
    const c = b[p]!
    if (c < 0x80) { p++; continue }
    let n: number, min: number, cp: number
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = c & 0x1f }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = c & 0x0f }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = c & 0x07 }
    else return false
    if (p + n >= end) return false // the sequence runs past the string
    for (let i = 1; i <= n; i++) {
      const d = b[p + i]!
      if ((d & 0xc0) !== 0x80) return false
      cp = (cp << 6) | (d & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false
    p += 1 + n
  }
  return true
}

/**
 * End offset of the one CBOR item starting at `offset`, without decoding it: the framing walk
 * that lets a block's txs be matched byte for byte against txs already decoded once. It checks
 * structure and bounds only (value domain: ints, strings, arrays, maps, false/true/null; no tags,
 * floats or indefinite lengths); canonical form is for decodeCbor on the pieces.
 */
export function cborItemEnd(bytes: Uint8Array, offset: number, depth = 0): number {
  if (depth > MAX_DEPTH) throw decodeError(`nests deeper than ${MAX_DEPTH}`)
  if (offset >= bytes.length) throw decodeError('unexpected end of input')
  const major = bytes[offset]! >> 5
  const info = bytes[offset]! & 0x1f
  let p = offset + 1
  let arg: number
  if (info < 24) arg = info
  else if (info <= 27) {
    const n = 1 << (info - 24)
    if (p + n > bytes.length) throw decodeError('unexpected end of input')
    arg = 0
    for (let i = 0; i < n; i++) arg = arg * 256 + bytes[p + i]!
    if (!Number.isSafeInteger(arg)) throw decodeError('length or integer beyond 2^53')
    p += n
  } else throw decodeError(`unsupported additional info ${info}`)
  switch (major) {
    case 0: case 1: return p
    case 2: case 3:
      if (p + arg > bytes.length) throw decodeError('unexpected end of input')
      return p + arg
    case 4: case 5: {
      const count = major === 5 ? arg * 2 : arg
      if (count > bytes.length - p) throw decodeError('unexpected end of input') // every item takes a byte
      for (let i = 0; i < count; i++) p = cborItemEnd(bytes, p, depth + 1)
      return p
    }
    case 7:
      if (info >= 20 && info <= 22) return p
      throw decodeError(`unsupported simple value or float (${info})`)
    default: throw decodeError('tags are not allowed')
  }
}

/** The head of a CBOR array of `n` items (major type 4, minimal length encoding). */
export function cborArrayHead(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw encodeError('$', `array length ${n} out of range`)
  if (n < 24) return Uint8Array.of(0x80 | n)
  if (n < 0x100) return Uint8Array.of(0x98, n)
  if (n < 0x10000) return Uint8Array.of(0x99, n >> 8, n & 0xff)
  return Uint8Array.of(0x9a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}
