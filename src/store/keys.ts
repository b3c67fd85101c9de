// The on-disk key layout: one LevelDB keyspace cut into numbered buckets by the first byte.
// Integers are big-endian so LevelDB's bytewise order is numeric order and ranges are prefix
// scans. A change here is a format change (docs/internals.md): bump STORE_FORMAT.
import { NodeError, concatBytes, fromHex, readU64be, u64be, utf8 } from '../util/index.js'

/** Version of this layout, kept under META "format"; a store with another version is refused. */
export const STORE_FORMAT = 1

export const BUCKET = {
  /** 0x01 ‖ u64be(height) → encoded block bytes, opaque to the store. */
  block: 0x01,
  /** 0x02 ‖ u64be(height) → commit certificate (the signed checkpoint note, UTF-8). */
  certificate: 0x02,
  /** 0x03 ‖ txHash32 → u64be(height) ‖ u32be(index in block). */
  tx: 0x03,
  /** 0x04 ‖ evidenceId32 (the leaf hash) → u64be(leafIndex). */
  evidenceId: 0x04,
  /** 0x05 ‖ u64be(leafIndex) → leaf bytes (the JCS record; receipts carry it). */
  leaf: 0x05,
  /** 0x06 ‖ alg byte ‖ digest32 ‖ u64be(leafIndex) → empty: digest lookup by prefix scan. */
  digest: 0x06,
  /** 0x07 ‖ u8 level ‖ u64be(index) → hash of a complete Merkle subtree (level 0 = leaf hash). */
  logNode: 0x07,
  /** 0x08 ‖ utf8 name → store meta: "format", "head" (see encodeHead). */
  meta: 0x08,
  /** 0x09 ‖ u64be(seq) → consensus WAL record. */
  wal: 0x09,
  /** 0x0a ‖ u16be(len) ‖ utf8 caseNo ‖ u64be(leafIndex) → empty: a case's evidence and verifications. */
  caseEntry: 0x0a,
  /** 0x0b ‖ utf8 key → application state blob (members, nonces, foreign chains…), opaque here. */
  state: 0x0b,
} as const

/** Digest algorithms of the digest index (0x06), one byte each. */
export const DIGEST_ALG = { sha256: 0x01, sm3: 0x02 } as const
export type DigestAlg = keyof typeof DIGEST_ALG

const one = (b: number): Uint8Array => Uint8Array.of(b)

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

export const blockKey = (height: number): Uint8Array => concatBytes(one(BUCKET.block), u64be(height))
export const certificateKey = (height: number): Uint8Array => concatBytes(one(BUCKET.certificate), u64be(height))
export const txKey = (hash: Uint8Array): Uint8Array => concatBytes(one(BUCKET.tx), hash)
export const evidenceIdKey = (id: Uint8Array): Uint8Array => concatBytes(one(BUCKET.evidenceId), id)
export const leafKey = (leafIndex: number): Uint8Array => concatBytes(one(BUCKET.leaf), u64be(leafIndex))
export const logNodeKey = (level: number, index: number): Uint8Array =>
  concatBytes(one(BUCKET.logNode), one(level), u64be(index))
export const metaKey = (name: string): Uint8Array => concatBytes(one(BUCKET.meta), utf8(name))
export const walKey = (seq: number): Uint8Array => concatBytes(one(BUCKET.wal), u64be(seq))
export const stateKey = (key: string): Uint8Array => concatBytes(one(BUCKET.state), utf8(key))

/** Prefix of the digest index for one (alg, digest); entries append u64be(leafIndex). */
export function digestPrefix(alg: DigestAlg, digest: Uint8Array): Uint8Array {
  const code = DIGEST_ALG[alg]
  if (code === undefined) throw new NodeError({ code: 'STORE_BAD_DIGEST_ALG', alg }, `unknown digest algorithm "${alg}"`)
  return concatBytes(one(BUCKET.digest), one(code), digest)
}

/** Prefix of the case index for one case number; length-prefixed so "A-1" never matches "A-12". */
export function casePrefix(caseNo: string): Uint8Array {
  const name = utf8(caseNo)
  if (name.length === 0 || name.length > 0xffff) {
    throw new NodeError({ code: 'STORE_BAD_CASE_NO', length: name.length }, 'case number must be 1..65535 UTF-8 bytes')
  }
  return concatBytes(one(BUCKET.caseEntry), Uint8Array.of(name.length >> 8, name.length & 0xff), name)
}

/** Exclusive upper bound of every key starting with `prefix` (prefixes here never end in 0xff…). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice()
  let i = end.length - 1
  while (i >= 0 && end[i] === 0xff) i--
  if (i < 0) throw new NodeError({ code: 'ASSERTION_FAILED' }, 'prefix has no upper bound')
  end[i]! += 1
  return end.subarray(0, i + 1)
}

/** Reads the u64be leaf index that ends a digest or case index key. */
export const trailingIndex = (key: Uint8Array): number => readU64be(key, key.length - 8)

/** The chain head as the store records it, in one META record updated with each block. */
export interface StoreHead {
  height: number
  hash: Uint8Array
  logSize: number
  logRoot: Uint8Array
}

/** head = u64be(height) ‖ blockHash32 ‖ u64be(logSize) ‖ logRoot32. */
export function encodeHead(h: StoreHead): Uint8Array {
  return concatBytes(u64be(h.height), h.hash, u64be(h.logSize), h.logRoot)
}

export function decodeHead(b: Uint8Array): StoreHead {
  if (b.length !== 80) throw new NodeError({ code: 'STORE_CORRUPT', what: 'head', length: b.length }, 'head record is not 80 bytes')
  return { height: readU64be(b, 0), hash: b.slice(8, 40), logSize: readU64be(b, 40), logRoot: b.slice(48, 80) }
}

/** A 32-byte hash given as bytes or lowercase hex, checked at the boundary. */
export function hash32(x: Uint8Array | string, label: string): Uint8Array {
  if (typeof x === 'string') return fromHex(x, label, 32)
  if (!(x instanceof Uint8Array) || x.length !== 32) {
    throw new NodeError({ code: 'BAD_LENGTH', field: label, expected: 32, actual: (x as Uint8Array)?.length },
      `"${label}" expected 32 bytes`)
  }
  return x
}
