// The on-disk key layout: one LevelDB keyspace cut into numbered buckets by the first byte.
// Integers are big-endian so LevelDB's bytewise order is numeric order and ranges are prefix
// scans. A change here is a format change (docs/internals.md "Store"): bump STORE_FORMAT.
import { HEX_VALUE, NodeError, concatBytes, fromHex, readU64be, utf8 } from '../util/index.js'

/**
 * Version of what the store holds, kept under META "format"; a store with another version is
 * refused. It moves with this key layout and with the block format the stored blocks follow.
 */
export const STORE_FORMAT = 3

/** What each format changed from the one before: the reason an older store is refused. */
export const STORE_FORMAT_CHANGES: Readonly<Record<number, string>> = {
  2: 'leaf bytes are no longer stored; each record follows from its block',
  3: "a block's tx root commits to each tx's signature (signed tx hashes); tx and vote signatures are bound to the genesis hash",
}

export const BUCKET = {
  /** 0x01 ‖ u64be(height) → encoded block bytes, opaque to the store. */
  block: 0x01,
  /** 0x02 ‖ u64be(height) → commit certificate (the signed checkpoint note, UTF-8). */
  certificate: 0x02,
  /** 0x03 ‖ txHash32 → u64be(height) ‖ u32be(index in block). */
  tx: 0x03,
  /** 0x04 ‖ evidenceId32 (the leaf hash) → u64be(leafIndex). */
  evidenceId: 0x04,
  /**
   * 0x05 ‖ u64be(log size after the block) → u64be(height), one per block that added evidence:
   * the block holding leaf i is the first entry above i. Leaf bytes (the JCS records) are not
   * stored: they follow from the block (chain/evidence.ts), and were half of the disk per item.
   */
  blockByLogEnd: 0x05,
  /** 0x06 ‖ alg byte ‖ digest32 ‖ u64be(leafIndex) → empty: digest lookup by prefix scan. */
  digest: 0x06,
  /** 0x07 ‖ u8 level ‖ u64be(index) → hash of a complete Merkle subtree (level 0 = leaf hash). */
  logNode: 0x07,
  /**
   * 0x08 ‖ utf8 name → store meta: "format", "head" (see encodeHead), and "voteFence" on a
   * restored store (empty until the node knows its fence height, then u64be(height)).
   */
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

// Keys are built into one allocation each, without BigInt: commitBlock writes ~6 keys per
// evidence item, and intermediate arrays were most of its CPU and GC time.
function putU64(out: Uint8Array, off: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new NodeError({ code: 'BAD_INTEGER' }, `expected a safe unsigned integer, got ${n}`)
  putU32(out, off, Math.floor(n / 0x1_0000_0000))
  putU32(out, off + 4, n >>> 0)
}

function putU32(out: Uint8Array, off: number, n: number): void {
  out[off] = n >>> 24
  out[off + 1] = (n >>> 16) & 0xff
  out[off + 2] = (n >>> 8) & 0xff
  out[off + 3] = n & 0xff
}

/** u64be(n), as util's, without the BigInt round trip. */
export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8)
  putU64(out, 0, n)
  return out
}

/** u64be(height) ‖ u32be(index), the tx index value. */
export function txLocation(height: number, index: number): Uint8Array {
  const out = new Uint8Array(12)
  putU64(out, 0, height)
  putU32(out, 8, index)
  return out
}

/** bucket ‖ head ‖ u64be(n) in one allocation. */
function keyU64(bucket: number, head: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(1 + head.length + 8)
  out[0] = bucket
  out.set(head, 1)
  putU64(out, 1 + head.length, n)
  return out
}

function keyBytes(bucket: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length)
  out[0] = bucket
  out.set(body, 1)
  return out
}

const NONE = new Uint8Array(0)
export const blockKey = (height: number): Uint8Array => keyU64(BUCKET.block, NONE, height)
export const certificateKey = (height: number): Uint8Array => keyU64(BUCKET.certificate, NONE, height)
export const txKey = (hash: Uint8Array): Uint8Array => keyBytes(BUCKET.tx, hash)
export const evidenceIdKey = (id: Uint8Array): Uint8Array => keyBytes(BUCKET.evidenceId, id)
export const blockByLogEndKey = (logSize: number): Uint8Array => keyU64(BUCKET.blockByLogEnd, NONE, logSize)
export function logNodeKey(level: number, index: number): Uint8Array {
  const out = new Uint8Array(10)
  out[0] = BUCKET.logNode
  out[1] = level
  putU64(out, 2, index)
  return out
}
export const metaKey = (name: string): Uint8Array => keyBytes(BUCKET.meta, utf8(name))
export const walKey = (seq: number): Uint8Array => keyU64(BUCKET.wal, NONE, seq)
export const stateKey = (key: string): Uint8Array => keyBytes(BUCKET.state, utf8(key))

function algCode(alg: DigestAlg): number {
  const code = DIGEST_ALG[alg]
  if (code === undefined) throw new NodeError({ code: 'STORE_BAD_DIGEST_ALG', alg }, `unknown digest algorithm "${alg}"`)
  return code
}

/** Prefix of the digest index for one (alg, digest); entries append u64be(leafIndex). */
export function digestPrefix(alg: DigestAlg, digest: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(BUCKET.digest, algCode(alg)), digest)
}

/** Digest index entry 0x06 ‖ alg ‖ digest32 (from lowercase hex) ‖ u64be(leafIndex), one allocation. */
export function digestKey(alg: DigestAlg, hex: string, leafIndex: number): Uint8Array {
  const out = new Uint8Array(42)
  out[0] = BUCKET.digest
  out[1] = algCode(alg)
  putHex32(out, 2, hex, `digests.${alg}`)
  putU64(out, 34, leafIndex)
  return out
}

/** Strict lowercase hex of exactly 32 bytes into `out` at `off` (fromHex's rules, no regex). */
function putHex32(out: Uint8Array, off: number, hex: string, label: string): void {
  if (typeof hex !== 'string' || hex.length !== 64) {
    fromHex(hex, label, 32) // throws the labelled BAD_HEX / BAD_LENGTH error
  }
  for (let i = 0; i < 32; i++) {
    const a = HEX_VALUE[hex.charCodeAt(2 * i)] ?? -1
    const b = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? -1
    if (a < 0 || b < 0) throw new NodeError({ code: 'BAD_HEX', field: label }, `"${label}" expected lowercase hex`)
    out[off + i] = (a << 4) | b
  }
}

/** Prefix of the case index for one case number; length-prefixed so "A-1" never matches "A-12". */
export function casePrefix(caseNo: string): Uint8Array {
  const name = utf8(caseNo)
  if (name.length === 0 || name.length > 0xffff) {
    throw new NodeError({ code: 'STORE_BAD_CASE_NO', length: name.length }, 'case number must be 1..65535 UTF-8 bytes')
  }
  return concatBytes(Uint8Array.of(BUCKET.caseEntry, name.length >> 8, name.length & 0xff), name)
}

/** Case index entry: casePrefix(caseNo) ‖ u64be(leafIndex). */
export const caseKey = (caseNo: string, leafIndex: number): Uint8Array => {
  const prefix = casePrefix(caseNo)
  return keyU64(prefix[0]!, prefix.subarray(1), leafIndex)
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
  return concatBytes(u64(h.height), h.hash, u64(h.logSize), h.logRoot)
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
