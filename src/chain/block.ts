// Blocks (docs/formats.md "Block"): the header commits to the txs and to the evidence log after
// them; the checkpoint of a block is what validators sign as their PBFT commit vote.
import { sha256 } from '../crypto/portable.js'
import { cborArrayHead, cborItemEnd, decodeCbor, encodeCbor } from '../codec/index.js'
import { checkpointOrigin, formatCheckpoint } from '../checkpoint/index.js'
import { hashLeaf, rootFromLeafHashes } from '../merkle/index.js'
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, ID_RE, record } from './schema.js'
import { parseTx, type PreparedTx, type Tx } from './tx.js'
import type { BlockHeader } from './header.js'

export type { BlockHeader }

export interface Block { header: BlockHeader; txs: Tx[] }
/**
 * A block with its hash and prepared txs computed once. `evidenceLeafHashes`: the leaf hashes of
 * its evidence records end to end (32 bytes each, in log order), when found ahead (ahead.ts).
 */
export interface PreparedBlock { block: Block; hash: string; txs: PreparedTx[]; bytes: Uint8Array; evidenceLeafHashes?: Uint8Array }

const BLOCK_TAG = utf8('courtchain/block/v1\n')
const C = checks(ChainErrorCode.BLOCK_BAD_FORMAT)

export function blockHash(header: BlockHeader): string {
  return toHex(sha256(concatBytes(BLOCK_TAG, encodeCbor(header))))
}

/**
 * RFC 6962 root over the txs' signed hashes (signedTxHash) in block order: the header, and so the
 * commit certificate, fixes each tx's signature, not only what it signs.
 */
export function txRoot(signedTxHashes: string[]): string {
  return toHex(rootFromLeafHashes(signedTxHashes.map((h) => hashLeaf(fromHex(h, 'signedTxHash', 32)))))
}

/** Assembles a block from prepared txs and the log state after them; `txBytes[i]`, when given, is tx i's CBOR. */
export function makeBlock(fields: { chain: string; height: number; time: number; parent: string; logSize: number; logRoot: string; handover?: string }, txs: PreparedTx[], txBytes?: Uint8Array[]): PreparedBlock {
  const header: BlockHeader = {
    v: 1, chain: fields.chain, height: fields.height, time: fields.time, parent: fields.parent,
    txRoot: txRoot(txs.map((t) => t.signedHash)), txCount: txs.length, logSize: fields.logSize, logRoot: fields.logRoot,
    ...(fields.handover !== undefined ? { handover: fields.handover } : {}),
  }
  const block: Block = { header, txs: txs.map((t) => t.tx) }
  const bytes = assembleBlock(encodeCbor(header), txs.map((t, i) => txBytes?.[i] ?? encodeCbor(t.tx)))
  return { block, hash: blockHash(header), txs, bytes }
}

// A block's CBOR is the map {"txs": [tx…], "header": {…}} in canonical key order (shorter key
// first), so it can be put together from txs encoded once and split again without decoding them.
const TXS_KEY = Uint8Array.of(0x63, 0x74, 0x78, 0x73) // text(3) "txs"
const HEADER_KEY = Uint8Array.of(0x66, 0x68, 0x65, 0x61, 0x64, 0x65, 0x72) // text(6) "header"

function assembleBlock(header: Uint8Array, txs: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(0xa2), TXS_KEY, cborArrayHead(txs.length), ...txs, HEADER_KEY, header)
}

/** The tx and header byte ranges of a block's CBOR; BLOCK_BAD_FORMAT unless framed exactly as assembleBlock frames it. */
function splitBlock(bytes: Uint8Array, maxTxs: number): { header: Uint8Array; txs: Uint8Array[] } {
  const bad = (why: string): never => { throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `block: ${why}`) }
  const startsWith = (at: number, prefix: Uint8Array): boolean => equalBytes(bytes.subarray(at, at + prefix.length), prefix)
  if (bytes[0] !== 0xa2 || !startsWith(1, TXS_KEY)) bad('expected the map {txs, header}')
  let p = 1 + TXS_KEY.length
  const head = bytes[p]
  if (head === undefined || head >> 5 !== 4) bad('"txs" is not an array')
  const { count, headLen } = arrayHead(bytes, p, bad)
  if (count > maxTxs) bad(`more than ${maxTxs} txs`)
  if (!equalBytes(bytes.subarray(p, p + headLen), cborArrayHead(count))) bad('"txs" length is not minimally encoded')
  p += headLen
  const txs: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const end = itemEnd(bytes, p, bad)
    txs.push(bytes.subarray(p, end))
    p = end
  }
  if (!startsWith(p, HEADER_KEY)) bad('expected "header" after the txs')
  p += HEADER_KEY.length
  return { header: bytes.subarray(p), txs }
}

function arrayHead(bytes: Uint8Array, p: number, bad: (why: string) => never): { count: number; headLen: number } {
  const info = bytes[p]! & 0x1f
  if (info < 24) return { count: info, headLen: 1 }
  if (info > 26) bad('"txs" length out of range')
  const n = 1 << (info - 24)
  if (p + 1 + n > bytes.length) bad('truncated')
  let count = 0
  for (let i = 0; i < n; i++) count = count * 256 + bytes[p + 1 + i]!
  return { count, headLen: 1 + n }
}

function itemEnd(bytes: Uint8Array, p: number, bad: (why: string) => never): number {
  try { return cborItemEnd(bytes, p) } catch (e) { return bad((e as Error).message) }
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeCbor(block)
}

const HEADER_FIELDS = {
  v: { check: C.literal(1) }, chain: { check: C.string(64, ID_RE) }, height: { check: C.uint() },
  time: { check: C.uint() }, parent: { check: C.string(64, HEX32_RE) }, txRoot: { check: C.string(64, HEX32_RE) },
  txCount: { check: C.uint() }, logSize: { check: C.uint() }, logRoot: { check: C.string(64, HEX32_RE) },
  handover: { check: C.string(64, HEX32_RE), optional: true },
}

/** A tx already decoded and checked once (the mempool's), found by its exact CBOR bytes. */
export type KnownTx = (txBytes: Uint8Array) => PreparedTx | undefined

/** The hashes of a block found before it is decoded for good (ahead.ts); each one is checked against the header. */
export interface BlockHashes { itemsRoots: string[]; evidenceLeafHashes: Uint8Array }

/** What decoding a block of one chain needs: its id and genesis hash (tx headers name both), and the size bounds. */
export interface BlockLimits { chainId: string; genesisHash: string; maxBlockBytes: number; maxBlockTxs: number; maxTxItems: number }

/**
 * Strictly decodes a block: size bound, exact framing and fields, every tx parsed, tx root and
 * count checked. A tx whose bytes `known` recognises is taken as it was parsed before (the same
 * bytes decode to the same tx), so a validator does not parse and hash a proposal's txs twice.
 * With `ahead`, its items roots and evidence leaf hashes are taken instead of hashing every item.
 */
export function decodeBlock(bytes: Uint8Array, limits: BlockLimits, known?: KnownTx, ahead?: BlockHashes): PreparedBlock {
  if (bytes.length > limits.maxBlockBytes) {
    throw chainError(ChainErrorCode.BLOCK_TOO_LARGE, `block is ${bytes.length} bytes, at most ${limits.maxBlockBytes}`)
  }
  const parts = splitBlock(bytes, limits.maxBlockTxs)
  const cbor = (b: Uint8Array, what: string): unknown => {
    try { return decodeCbor(b, { maxBytes: limits.maxBlockBytes }) } catch (e) {
      throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `${what}: ${(e as Error).message}`)
    }
  }
  const header = record(cbor(parts.header, 'block.header'), 'block.header', HEADER_FIELDS, ChainErrorCode.BLOCK_BAD_FORMAT) as unknown as BlockHeader
  if (header.chain !== limits.chainId) throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `block of chain "${header.chain}", expected "${limits.chainId}"`)
  const roots = ahead?.itemsRoots.length === parts.txs.length ? ahead.itemsRoots : undefined
  const txs = parts.txs.map((b, i) => known?.(b) ?? parseTx(cbor(b, `block.txs[${i}]`), limits, roots?.[i]))
  const pb: PreparedBlock = { block: { header, txs: txs.map((t) => t.tx) }, hash: blockHash(header), txs, bytes }
  checkTxRoot(pb)
  // A wrong leaf hash changes the log root, which commit checks against the header's.
  if (roots) pb.evidenceLeafHashes = ahead!.evidenceLeafHashes
  return pb
}

/** The header's txRoot and txCount must match the txs it carries. */
export function checkTxRoot(pb: PreparedBlock): void {
  const { header } = pb.block
  if (header.txCount !== pb.txs.length) {
    throw chainError(ChainErrorCode.BLOCK_BAD_TX_ROOT, `header says ${header.txCount} txs, block has ${pb.txs.length}`)
  }
  const root = txRoot(pb.txs.map((t) => t.signedHash))
  if (root !== header.txRoot) throw chainError(ChainErrorCode.BLOCK_BAD_TX_ROOT, 'txRoot does not match the txs', { expected: header.txRoot, actual: root })
}

/**
 * The checkpoint note body of a block: what a commit vote signs (docs/formats.md "Checkpoint and
 * commit certificate").
 */
export function blockCheckpointBody(pb: PreparedBlock): string {
  const h = pb.block.header
  return formatCheckpoint({
    origin: checkpointOrigin(h.chain), size: h.logSize, root: fromHex(h.logRoot, 'logRoot', 32),
    height: h.height, block: pb.hash, time: h.time,
  })
}

