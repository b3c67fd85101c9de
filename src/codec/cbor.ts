// Deterministic CBOR (cborg) for blocks and wire messages. One value domain, both ways: null,
// booleans, safe integers, strings, byte strings, arrays, plain objects with string keys. No
// floats, tags, undefined or bigints, so "decode then encode gives the same bytes" is the whole
// canonical-form rule (RFC 8949 §4.2), and decodeCbor enforces exactly that.
import { encode, decode } from 'cborg'
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

/** Deterministic CBOR of `value` (cborg defaults: minimal integers, sorted map keys); throws CBOR_ENCODE outside the value domain. */
export function encodeCbor(value: unknown): Uint8Array {
  check(value, '$', [])
  return encode(value)
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
