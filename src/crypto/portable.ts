// The browser-safe half of crypto: only util and @noble/*, no node:*. The offline verifier
// (src/verify) and the web page use it; node code takes the fast native twins from index.ts.
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js'
import { abytes, concatBytes, equalBytes } from '../util/index.js'
import { ED25519_L, _leToBigint, ed25519Precheck } from './ed25519-rule.js'
import { createSm3, type Hasher } from './sm3.js'

export { ed25519Precheck, isSmallOrderEncoding, isCanonicalY, isScalarBelowL, smallOrderEncodings } from './ed25519-rule.js'
export { createSm3, type Hasher } from './sm3.js'

export type HashAlg = 'sha256' | 'sm3'

// Inside Node (20.16+), the runtime's own OpenSSL hash is reached without importing node:*, so
// this module stays loadable in a browser while the node's hot paths (tx ids, Merkle nodes,
// evidence ids) hash natively, much faster than noble for short inputs.
const nativeHash = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  ?.getBuiltinModule?.('node:crypto') as { hash?: (alg: string, data: Uint8Array, enc: 'latin1') => string } | undefined

/** SHA-256 of `data` (FIPS 180-4). */
export function sha256(data: Uint8Array): Uint8Array {
  abytes(data, 'data')
  if (!nativeHash?.hash) return nobleSha256(data)
  // The digest as a latin1 string, one char per byte, copied into a 32-byte array on V8's heap:
  // cheaper than a Buffer digest, which costs a malloc'ed backing store per hash.
  const s = nativeHash.hash('sha256', data, 'latin1')
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i)
  return out
}

/** SM3 of `data` (GB/T 32905-2016). */
export function sm3(data: Uint8Array): Uint8Array {
  return createSm3().update(abytes(data, 'data')).digest()
}

/** A fresh incremental SHA-256 hasher, for hashing big files chunk by chunk in a browser. */
export function createSha256(): Hasher {
  const h = nobleSha256.create()
  const hasher: Hasher = {
    update(chunk) { h.update(abytes(chunk, 'chunk')); return hasher },
    digest: () => h.digest(),
  }
  return hasher
}

/** A fresh incremental hasher for `alg`. */
export function createHasher(alg: HashAlg): Hasher {
  return alg === 'sha256' ? createSha256() : createSm3()
}

const Point = ed25519.Point

/**
 * Ed25519 verification under the pinned rule (docs/formats.md "Hashes, signatures and domains"):
 * the shared precheck, then the cofactorless equation compared as bytes,
 * encode([S]B − [k]A) == R, k = SHA-512(R‖A‖M) mod L.
 * noble's own verify is cofactored, so the equation is computed here with its Point API.
 * Bad signatures, keys of the wrong length and points off the curve return false.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  abytes(message, 'message')
  if (!ed25519Precheck(publicKey, signature)) return false
  const rBytes = signature.subarray(0, 32)
  let A
  try { A = Point.fromBytes(publicKey, false) } catch { return false }
  const s = _leToBigint(signature.subarray(32))
  const k = _leToBigint(sha512(concatBytes(rBytes, publicKey, message))) % ED25519_L
  const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k))
  // Comparing encodings (not points) also rejects a non-canonical R, as OpenSSL does.
  return equalBytes(check.toBytes(), rBytes)
}

/** The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(abytes(seed, 'seed', 32))
}

/** A deterministic Ed25519 signature of `message` with a 32-byte seed (RFC 8032 §5.1.6). */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519.sign(abytes(message, 'message'), abytes(seed, 'seed', 32))
}
