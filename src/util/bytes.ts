// Portable byte helpers (no Buffer, no node:*): the offline verifier and the web page use them too.
import { NodeError } from './errors.js'

export type Bytes = Uint8Array

const HEX_RE = /^(?:[0-9a-f]{2})*$/

// Inside Node, the global Buffer converts hex and UTF-8 much faster than the portable loops
// below (tx ids, evidence ids and leaf bytes are converted once per item per validator). It is
// read from globalThis, not imported, so this module still loads in a browser.
interface BufferLike { toString(enc: 'hex'): string; write(s: string, enc: 'hex' | 'utf8'): number }
const NodeBuffer = (globalThis as { Buffer?: { from(ab: ArrayBufferLike, off: number, len: number): BufferLike; byteLength(s: string, enc: 'utf8'): number } }).Buffer

// Typed arrays of up to 64 bytes live on V8's heap; reading `.buffer` moves one off it (a
// malloc, later swept), so hashes and keys are converted with plain loops instead of Buffer.
const SMALL = 64

/** The two hex char codes of each byte value, at 2b and 2b+1. */
const HEX_CODES = new Uint8Array(512).map((_, i) => '0123456789abcdef'.charCodeAt(i & 1 ? (i >> 1) & 15 : i >> 5))
const hexCodes: number[] = []

/** Lowercase hex of `b`. */
export function toHex(b: Uint8Array): string {
  if (NodeBuffer && b.length > SMALL) return NodeBuffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
  // One flat string from char codes: `s += pair` left a 32-deep rope per hash, which lived on
  // (copied by every scavenge) as long as the id did, and took longer to build.
  hexCodes.length = 2 * b.length
  for (let i = 0; i < b.length; i++) {
    hexCodes[2 * i] = HEX_CODES[2 * b[i]!]!
    hexCodes[2 * i + 1] = HEX_CODES[2 * b[i]! + 1]!
  }
  return String.fromCharCode.apply(null, hexCodes)
}

/** Value of each lowercase hex digit by char code, -1 for anything else (fromHex, and keys built in place). */
export const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i

/** Strict lowercase hex to bytes; `label` names the field in the error, `len` pins the byte length. */
export function fromHex(hex: string, label = 'hex', len?: number): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new NodeError({ code: 'BAD_HEX', field: label }, `"${label}" expected lowercase hex`)
  }
  if (len !== undefined && hex.length !== len * 2) {
    throw new NodeError({ code: 'BAD_LENGTH', field: label, expected: len, actual: hex.length / 2 },
      `"${label}" expected ${len} bytes, got ${hex.length / 2}`)
  }
  const out = new Uint8Array(hex.length / 2)
  if (NodeBuffer && out.length > SMALL) NodeBuffer.from(out.buffer, 0, out.length).write(hex, 'hex')
  else for (let i = 0; i < out.length; i++) out[i] = (HEX_VALUE[hex.charCodeAt(2 * i)]! << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1)]!
  return out
}

/** Checks that `b` is a Uint8Array (of `len` bytes when given), as noble's `abytes` does. */
export function abytes(b: unknown, label: string, len?: number): Uint8Array {
  if (!(b instanceof Uint8Array)) {
    throw new NodeError({ code: 'BAD_BYTES', field: label }, `"${label}" expected Uint8Array`)
  }
  if (len !== undefined && b.length !== len) {
    throw new NodeError({ code: 'BAD_LENGTH', field: label, expected: len, actual: b.length },
      `"${label}" expected ${len} bytes, got ${b.length}`)
  }
  return b
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })
export function utf8(s: string): Uint8Array {
  if (!NodeBuffer || s.length <= SMALL) return enc.encode(s)
  // Lone surrogates become U+FFFD, as TextEncoder does.
  const out = new Uint8Array(NodeBuffer.byteLength(s, 'utf8'))
  NodeBuffer.from(out.buffer, 0, out.length).write(s, 'utf8')
  return out
}
/** Strict UTF-8 decode: invalid sequences throw. */
export function fromUtf8(b: Uint8Array, label = 'text'): string {
  try { return dec.decode(b) } catch {
    throw new NodeError({ code: 'BAD_UTF8', field: label }, `"${label}" is not valid UTF-8`)
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Standard base64 with padding (RFC 4648 §4), as signed notes use. */
export function toBase64(b: Uint8Array): string {
  let s = ''
  let i = 0
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8)
    s += B64[n >> 18]! + B64[(n >> 12) & 63]!
    s += i + 1 < b.length ? B64[(n >> 6) & 63]! + '=' : '=='
  }
  return s
}

/** Strict base64: canonical padding only, and the unused bits of the last symbol must be zero. */
export function fromBase64(s: string, label = 'base64'): Uint8Array {
  if (typeof s !== 'string' || !B64_RE.test(s)) {
    throw new NodeError({ code: 'BAD_BASE64', field: label }, `"${label}" expected padded base64`)
  }
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  const out = new Uint8Array((s.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    const c = [0, 1, 2, 3].map((k) => (s[i + k] === '=' ? 0 : B64.indexOf(s[i + k]!)))
    const n = (c[0]! << 18) | (c[1]! << 12) | (c[2]! << 6) | c[3]!
    if (o < out.length) out[o++] = n >> 16
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  if (toBase64(out) !== s) {
    throw new NodeError({ code: 'BAD_BASE64', field: label }, `"${label}" is not canonical base64`)
  }
  return out
}

/** Big-endian fixed-width encodings, for keys and hashed layouts. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new NodeError({ code: 'BAD_INTEGER' }, `expected a safe unsigned integer, got ${n}`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}
export function readU64be(b: Uint8Array, offset = 0): number {
  const v = new DataView(b.buffer, b.byteOffset + offset, 8).getBigUint64(0)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NodeError({ code: 'BAD_INTEGER' }, 'u64 beyond safe integer range')
  return Number(v)
}
