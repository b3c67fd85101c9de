// The pinned Ed25519 acceptance rule (docs/formats.md "Hashes, signatures and domains"), shared by
// the native and the portable verifier so validators never split on a signature. Libraries disagree
// on the edge cases (ed25519-speccheck), so everything beyond the equation is checked here, on
// bytes, before any library sees the signature.
import { equalBytes } from '../util/index.js'

const P = 2n ** 255n - 19n
const L = 2n ** 252n + 27742317777372353535851937790883648493n

const leToBigint = (b: Uint8Array): bigint => {
  let n = 0n
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!)
  return n
}
const bigintToLe = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) { out[i] = Number(n & 0xffn); n >>= 8n }
  return out
}

// The y coordinates of the 8 points of order dividing 8: identity (y=1), order 2 (y=-1),
// order 4 (y=0), order 8 (y=±Y8). A 32-byte string decodes (leniently: y mod p, either sign bit)
// to a small-order point exactly when its y field is one of these values, or y+p < 2^255 for
// y ∈ {0, 1}; the sign bit does not matter, since negation keeps the order.
const Y8 = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n
const SMALL_ORDER_Y = [1n, P - 1n, 0n, Y8, P - Y8, P, P + 1n]
const SMALL_ORDER_ENCODINGS: Uint8Array[] = SMALL_ORDER_Y.flatMap((y) => {
  const lo = bigintToLe(y)
  const hi = bigintToLe(y | (1n << 255n))
  return [lo, hi]
})

/** The 14 byte strings that decode, leniently, to a point of small order (exported for tests). */
export function smallOrderEncodings(): Uint8Array[] {
  return SMALL_ORDER_ENCODINGS.map((e) => e.slice())
}

/** True when the 32-byte encoding `point` decodes, even leniently, to a point of order 1, 2, 4 or 8. */
export function isSmallOrderEncoding(point: Uint8Array): boolean {
  if (point.length !== 32) return false
  for (const e of SMALL_ORDER_ENCODINGS) if (equalBytes(e, point)) return true
  return false
}

// Little-endian a < b on 32 bytes, most significant byte first; `topMask` drops the sign bit.
// Plain byte compares: the precheck runs before every native verify, so it avoids BigInt.
const P_LE = bigintToLe(P)
const L_LE = bigintToLe(L)
function lessLe(a: Uint8Array, b: Uint8Array, topMask: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 ? a[i]! & topMask : a[i]!
    if (x !== b[i]!) return x < b[i]!
  }
  return false
}

/** True when the y field of a 32-byte point encoding (sign bit cleared) is below p (RFC 8032 §5.1.3 step 1). */
export function isCanonicalY(point: Uint8Array): boolean {
  return point.length === 32 && lessLe(point, P_LE, 0x7f)
}

/** True when the 32-byte little-endian scalar is below the group order L (RFC 8032 §5.1.7 step 1). */
export function isScalarBelowL(s: Uint8Array): boolean {
  return s.length === 32 && lessLe(s, L_LE, 0xff)
}

/**
 * The byte-level half of the pinned rule: lengths, S < L, A canonical and not small-order,
 * R not small-order. Points off the curve are left to the equation step, which rejects them.
 * Returns false, never throws, on any bad input.
 */
export function ed25519Precheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false
  if (publicKey.length !== 32 || signature.length !== 64) return false
  if (!isScalarBelowL(signature.subarray(32))) return false
  // A: y < p; the other non-canonical form (x = 0 with the sign bit set) only exists for
  // y = ±1, which are small-order and rejected just below.
  if (!isCanonicalY(publicKey) || isSmallOrderEncoding(publicKey)) return false
  if (isSmallOrderEncoding(signature.subarray(0, 32))) return false
  return true
}

export { leToBigint as _leToBigint, L as ED25519_L }
