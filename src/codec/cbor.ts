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
  let again: Uint8Array
  try {
    again = encodeCbor(value)
  } catch (e) {
    throw decodeError(`not in the value domain: ${(e as NodeError).message}`)
  }
  if (!equalBytes(again, bytes)) throw decodeError('not in canonical form (floats, unsorted map keys or invalid UTF-8)')
  return value
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
