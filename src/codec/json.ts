// Canonical JSON (RFC 8785, JCS) for public records (evidence leaves, tx signing bytes, genesis),
// and a strict JSON parser for untrusted input. Browser-safe: util only.
import { NodeError, utf8, fromUtf8 } from '../util/index.js'

const MAX_DEPTH = 64

const encodeError = (path: string, reason: string): NodeError =>
  new NodeError({ code: 'JSON_ENCODE', path, reason }, `canonical JSON: ${path} ${reason}`)

// RFC 8785 §3.2.2.2 strings are serialized as ECMAScript JSON.stringify does; I-JSON (RFC 7493
// §2.1, required by §3.1) forbids lone surrogates, which would not survive a UTF-8 round trip.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function serialize(value: unknown, path: string, stack: object[]): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw encodeError(path, 'contains a lone surrogate')
      return JSON.stringify(value)
    case 'number':
      // §3.2.2.3: ECMAScript Number serialization; NaN and ±Infinity have no JSON form.
      if (!Number.isFinite(value)) throw encodeError(path, `expected a finite number, got ${value}`)
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (stack.includes(value)) throw encodeError(path, 'is a cycle')
      if (stack.length >= MAX_DEPTH) throw encodeError(path, `nests deeper than ${MAX_DEPTH}`)
      stack.push(value)
      try {
        if (Array.isArray(value)) {
          const parts: string[] = []
          for (let i = 0; i < value.length; i++) parts.push(serialize(value[i], `${path}[${i}]`, stack))
          return '[' + parts.join(',') + ']'
        }
        const proto = Object.getPrototypeOf(value)
        if (proto !== Object.prototype && proto !== null) {
          throw encodeError(path, `expected a plain object, got ${proto?.constructor?.name ?? 'an exotic object'}`)
        }
        // §3.2.3: properties sorted by their names as arrays of UTF-16 code units, which is
        // exactly what the default Array.prototype.sort does for strings.
        const keys = Object.keys(value).sort()
        const parts: string[] = []
        for (const k of keys) {
          if (LONE_SURROGATE.test(k)) throw encodeError(`${path}.${k}`, 'key contains a lone surrogate')
          parts.push(JSON.stringify(k) + ':' + serialize((value as Record<string, unknown>)[k], `${path}.${k}`, stack))
        }
        return '{' + parts.join(',') + '}'
      } finally {
        stack.pop()
      }
    }
    default:
      // undefined, functions, symbols and bigints have no JSON form; JSON.stringify would drop
      // or throw inconsistently, so they are refused everywhere, also as property values.
      throw encodeError(path, `has no JSON form (${typeof value})`)
  }
}

// The same rules without building a path per value (the paths were most of the cost of hashing
// an evidence record): null on any problem, and `serialize` then says where and why.
function fast(value: unknown, stack: object[]): string | null {
  switch (typeof value) {
    case 'string': return value.isWellFormed() ? JSON.stringify(value) : null
    case 'number': return Number.isFinite(value) ? JSON.stringify(value) : null
    case 'boolean': return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (stack.length >= MAX_DEPTH || stack.includes(value)) return null
      stack.push(value)
      let out: string | null
      if (Array.isArray(value)) {
        out = '['
        for (let i = 0; i < value.length; i++) {
          const v = fast(value[i], stack)
          if (v === null) { out = null; break }
          out += (i ? ',' : '') + v
        }
        if (out !== null) out += ']'
      } else {
        const proto = Object.getPrototypeOf(value)
        out = proto === Object.prototype || proto === null ? '{' : null
        const keys = Object.keys(value).sort()
        for (let i = 0; out !== null && i < keys.length; i++) {
          const k = keys[i]!
          const v = k.isWellFormed() ? fast((value as Record<string, unknown>)[k], stack) : null
          out = v === null ? null : out + (i ? ',' : '') + JSON.stringify(k) + ':' + v
        }
        if (out !== null) out += '}'
      }
      stack.pop()
      return out
    }
    default: return null
  }
}

/** RFC 8785 canonical JSON of `value`; throws JSON_ENCODE on non-finite numbers, undefined, functions, cycles. */
export function canonicalJson(value: unknown): string {
  return fast(value, []) ?? serialize(value, '$', [])
}

/** UTF-8 bytes of canonicalJson(value): what gets hashed and signed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value))
}

const decodeError = (reason: string, data: Record<string, unknown> = {}): NodeError =>
  new NodeError({ code: 'JSON_DECODE', reason, ...data }, `JSON: ${reason}`)

/**
 * Parses untrusted JSON: at most `maxBytes` of UTF-8 (checked before parsing), strict UTF-8,
 * no duplicate object keys (RFC 8259 §4 leaves them undefined; RFC 7493 §2.3 forbids them),
 * at most 64 levels deep. Errors: JSON_TOO_LARGE, JSON_DECODE with the reason.
 */
export function parseJsonStrict(input: string | Uint8Array, maxBytes: number): unknown {
  const size = typeof input === 'string' ? byteLengthAtLeast(input, maxBytes) : input.length
  if (size > maxBytes) {
    throw new NodeError({ code: 'JSON_TOO_LARGE', maxBytes, actual: size }, `JSON: expected at most ${maxBytes} bytes, got ${size}`)
  }
  const text = typeof input === 'string' ? input : fromUtf8(input, 'json')
  let value: unknown
  try { value = JSON.parse(text) } catch (e) { throw decodeError((e as Error).message) }
  checkKeys(text)
  return value
}

// UTF-8 length of `s`, stopping early once it exceeds `limit` (a huge string costs nothing more).
function byteLengthAtLeast(s: string, limit: number): number {
  if (s.length > limit) return s.length // every UTF-16 unit is at least one byte
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? (i++, 4) : 3
  }
  return n
}

// A second pass over text JSON.parse already accepted: finds each object's keys (decoded, so
// "a" and "\u0061" collide) and the nesting depth. Syntax is known good, so it stays small.
function checkKeys(text: string): void {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack[stack.length - 1]
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (top.keys.has(key)) throw decodeError(`duplicate key ${JSON.stringify(key)}`, { key })
        top.keys.add(key)
        top.expectKey = false
      }
      i = j
    } else if (ch === '{' || ch === '[') {
      if (stack.length >= MAX_DEPTH) throw decodeError(`nests deeper than ${MAX_DEPTH}`)
      stack.push({ keys: ch === '{' ? new Set() : null, expectKey: ch === '{' })
    } else if (ch === '}' || ch === ']') {
      stack.pop()
    } else if (ch === ',') {
      const top = stack[stack.length - 1]
      if (top?.keys) top.expectKey = true
    }
  }
}
