// The node half of crypto: node:crypto (OpenSSL) on the hot path. Same names as portable.ts
// where both exist; the Ed25519 verdicts agree because both apply the shared precheck first.
import * as nodeCrypto from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { abytes, BoundedMap, toHex, NodeError } from '../util/index.js'
import { ed25519Precheck, type HashAlg } from './portable.js'

const asBytes = (b: Uint8Array): Uint8Array => new Uint8Array(b) // a plain copy, not a pooled Buffer view

/** SHA-256 of `data` via OpenSSL. */
export function sha256(data: Uint8Array): Uint8Array {
  return asBytes(nodeCrypto.hash('sha256', abytes(data, 'data'), 'buffer'))
}

/** SM3 of `data` via OpenSSL (GB/T 32905-2016). */
export function sm3(data: Uint8Array): Uint8Array {
  return asBytes(nodeCrypto.hash('sm3', abytes(data, 'data'), 'buffer'))
}

export interface FileDigests {
  size: number
  digests: Partial<Record<HashAlg, Uint8Array>>
}

/** Files up to this size are read in one call; larger ones are streamed in chunks of this size. */
const HASH_CHUNK = 1 << 20

/**
 * Streams the file at `path` once through every hash in `algs` (never more than a chunk in
 * memory); `onProgress(read, total)`. A file of at most one chunk is read in one call: a stream
 * allocates a whole chunk-sized buffer per file, which made a folder of small files slow.
 */
export async function hashFile(path: string, algs: HashAlg[], onProgress?: (read: number, total: number) => void): Promise<FileDigests> {
  if (algs.length === 0 || algs.some((a) => a !== 'sha256' && a !== 'sm3')) {
    throw new NodeError({ code: 'BAD_HASH_ALG', algs }, `"algs" expected a non-empty list of sha256/sm3, got ${JSON.stringify(algs)}`)
  }
  const total = (await stat(path)).size
  const hashers = [...new Set(algs)].map((alg) => ({ alg, h: nodeCrypto.createHash(alg) }))
  let read = 0
  const chunks = total <= HASH_CHUNK ? [await readFile(path)] : createReadStream(path, { highWaterMark: HASH_CHUNK })
  for await (const chunk of chunks) {
    const b = chunk as Buffer
    for (const { h } of hashers) h.update(b)
    read += b.length
    onProgress?.(read, total)
  }
  const digests: FileDigests['digests'] = {}
  for (const { alg, h } of hashers) digests[alg] = asBytes(h.digest())
  return { size: read, digests }
}

// DER prefixes that wrap a raw 32-byte Ed25519 key as SPKI (public) or PKCS#8 (private), RFC 8410.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

// Bounded caches of KeyObjects by hex key: building one costs more than a verify.
const publicKeys = new BoundedMap<string, nodeCrypto.KeyObject | null>(4096) // every member, with room to spare
const privateKeys = new BoundedMap<string, nodeCrypto.KeyObject>(64)

/** The cached KeyObject for a raw 32-byte public key, or null when OpenSSL refuses it. */
function publicKeyObject(publicKey: Uint8Array): nodeCrypto.KeyObject | null {
  const hex = toHex(publicKey)
  const hit = publicKeys.get(hex)
  if (hit !== undefined) return hit
  let key: nodeCrypto.KeyObject | null = null
  try {
    key = nodeCrypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
  } catch { key = null }
  publicKeys.set(hex, key)
  return key
}

function privateKeyObject(seed: Uint8Array): nodeCrypto.KeyObject {
  abytes(seed, 'seed', 32)
  const hex = toHex(seed)
  let key = privateKeys.get(hex)
  if (!key) privateKeys.set(hex, key = nodeCrypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }))
  return key
}

/** Ed25519 verification under the pinned rule: the shared precheck, then OpenSSL (cofactorless, compares R bytes). */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  abytes(message, 'message')
  if (!ed25519Precheck(publicKey, signature)) return false
  const key = publicKeyObject(publicKey)
  if (key === null) return false
  try { return nodeCrypto.verify(null, message, key, signature) } catch { return false }
}

/** As ed25519Verify, but OpenSSL runs on the libuv thread pool, so verifies use every core. */
export function ed25519VerifyAsync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  abytes(message, 'message')
  if (!ed25519Precheck(publicKey, signature)) return Promise.resolve(false)
  const key = publicKeyObject(publicKey)
  if (key === null) return Promise.resolve(false)
  return new Promise((resolve) => {
    nodeCrypto.verify(null, message, key, signature, (err, ok) => resolve(err === null && ok))
  })
}

/** Verifies many signatures in parallel on the thread pool; one verdict per item, in order. */
export function ed25519VerifyBatch(items: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[]): Promise<boolean[]> {
  return Promise.all(items.map((i) => ed25519VerifyAsync(i.publicKey, i.message, i.signature)))
}

/** A deterministic Ed25519 signature of `message` with a 32-byte seed (RFC 8032 §5.1.6). */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  abytes(message, 'message')
  return asBytes(nodeCrypto.sign(null, message, privateKeyObject(seed)))
}

/** The raw 32-byte Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const spki = nodeCrypto.createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' })
  return asBytes(spki.subarray(SPKI_PREFIX.length))
}

/** Same as ed25519PublicKey (the name the key-file code reads best with). */
export const publicKeyFromSeed = ed25519PublicKey

/** A fresh key pair from the OS random source. */
export function generateKeyPair(): { seed: Uint8Array; publicKey: Uint8Array } {
  const seed = asBytes(nodeCrypto.randomBytes(32))
  return { seed, publicKey: ed25519PublicKey(seed) }
}
