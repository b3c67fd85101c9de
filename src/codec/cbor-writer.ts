// Canonical CBOR writer for the value domain of cbor.ts (null, booleans, safe integers, strings,
// byte strings, arrays, plain objects). It writes exactly what cborg's encode writes (minimal
// heads, map keys shorter-first then bytewise: RFC 8949 §4.2.3's "length-first" order), but
// straight into one buffer: cborg builds and sorts a token list first, an object per value, and
// that list was most of the cost of encoding a tx.
// The caller has checked the value is inside the domain.
import { utf8 } from '../util/index.js'

let buf = new Uint8Array(64 * 1024)
let pos = 0

function ensure(n: number): void {
  if (pos + n <= buf.length) return
  const next = new Uint8Array(Math.max(buf.length * 2, pos + n))
  next.set(buf.subarray(0, pos))
  buf = next
}

function head(major: number, n: number): void {
  ensure(9)
  const m = major << 5
  if (n < 24) buf[pos++] = m | n
  else if (n < 0x100) { buf[pos++] = m | 24; buf[pos++] = n }
  else if (n < 0x10000) { buf[pos++] = m | 25; buf[pos++] = n >> 8; buf[pos++] = n & 0xff }
  else if (n < 0x1_0000_0000) {
    buf[pos++] = m | 26
    buf[pos++] = n >>> 24; buf[pos++] = (n >>> 16) & 0xff; buf[pos++] = (n >>> 8) & 0xff; buf[pos++] = n & 0xff
  } else {
    buf[pos++] = m | 27
    const hi = Math.floor(n / 0x1_0000_0000), lo = n >>> 0
    buf[pos++] = hi >>> 24; buf[pos++] = (hi >>> 16) & 0xff; buf[pos++] = (hi >>> 8) & 0xff; buf[pos++] = hi & 0xff
    buf[pos++] = lo >>> 24; buf[pos++] = (lo >>> 16) & 0xff; buf[pos++] = (lo >>> 8) & 0xff; buf[pos++] = lo & 0xff
  }
}

function bytes(major: number, b: Uint8Array): void {
  head(major, b.length)
  ensure(b.length)
  buf.set(b, pos)
  pos += b.length
}

function text(s: string): void {
  // Short ASCII strings (keys, ids, hex digests) are copied char by char; the rest via UTF-8.
  if (s.length < 256) {
    let ascii = true
    for (let i = 0; i < s.length && ascii; i++) ascii = s.charCodeAt(i) < 0x80
    if (ascii) {
      head(3, s.length)
      ensure(s.length)
      for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i)
      return
    }
  }
  bytes(3, utf8(s))
}

// Encoded keys by name: objects of one shape repeat the same few keys.
const keyCache = new Map<string, Uint8Array>()
function keyBytes(k: string): Uint8Array {
  let b = keyCache.get(k)
  if (b === undefined) {
    b = utf8(k)
    if (keyCache.size >= 4096) keyCache.clear()
    keyCache.set(k, b)
  }
  return b
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

function value(v: unknown): void {
  switch (typeof v) {
    case 'string': text(v); return
    case 'number': if (v >= 0) head(0, v); else head(1, -1 - v); return
    case 'boolean': ensure(1); buf[pos++] = v ? 0xf5 : 0xf4; return
    default: break
  }
  if (v === null) { ensure(1); buf[pos++] = 0xf6; return }
  if (v instanceof Uint8Array) { bytes(2, v); return }
  if (Array.isArray(v)) {
    head(4, v.length)
    for (const x of v) value(x)
    return
  }
  const obj = v as Record<string, unknown>
  const keys = Object.keys(obj).map((k) => ({ k, b: keyBytes(k) })).sort((x, y) => compareKeys(x.b, y.b))
  head(5, keys.length)
  for (const { k, b } of keys) { bytes(3, b); value(obj[k]) }
}

/** Canonical CBOR of an in-domain value. */
export function writeCbor(v: unknown): Uint8Array {
  pos = 0
  value(v)
  const out = buf.slice(0, pos)
  if (buf.length > 1 << 20) buf = new Uint8Array(64 * 1024) // a big block does not pin its buffer
  return out
}
