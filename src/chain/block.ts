// Blocks (docs/internals.md "Block"): the header commits to the txs and to the evidence log after
// them; the checkpoint of a block is what validators sign as their PBFT commit vote.
import { sha256 } from '../crypto/portable.js'
import { decodeCbor, encodeCbor } from '../codec/index.js'
import { checkpointOrigin, formatCheckpoint } from '../checkpoint/index.js'
import { hashLeaf, rootFromLeafHashes } from '../merkle/index.js'
import { concatBytes, fromHex, toHex, utf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, ID_RE, record } from './schema.js'
import { parseTx, type PreparedTx, type Tx } from './tx.js'

export interface BlockHeader {
  v: 1
  chain: string
  height: number
  time: number
  parent: string
  txRoot: string
  txCount: number
  logSize: number
  logRoot: string
  /** Only in the last block of an epoch: the hash of the validator-set handover (epoch.ts). */
  handover?: string
}
export interface Block { header: BlockHeader; txs: Tx[] }
/** A block with its hash and prepared txs computed once. */
export interface PreparedBlock { block: Block; hash: string; txs: PreparedTx[]; bytes: Uint8Array }

const BLOCK_TAG = utf8('courtchain/block/v1\n')
const C = checks(ChainErrorCode.BLOCK_BAD_FORMAT)

export function blockHash(header: BlockHeader): string {
  return toHex(sha256(concatBytes(BLOCK_TAG, encodeCbor(header))))
}

/** RFC 6962 root over the tx hashes in block order. */
export function txRoot(txHashes: string[]): string {
  return toHex(rootFromLeafHashes(txHashes.map((h) => hashLeaf(fromHex(h, 'txHash', 32)))))
}

/** Assembles a block from prepared txs and the log state after them. */
export function makeBlock(fields: { chain: string; height: number; time: number; parent: string; logSize: number; logRoot: string; handover?: string }, txs: PreparedTx[]): PreparedBlock {
  const header: BlockHeader = {
    v: 1, chain: fields.chain, height: fields.height, time: fields.time, parent: fields.parent,
    txRoot: txRoot(txs.map((t) => t.hash)), txCount: txs.length, logSize: fields.logSize, logRoot: fields.logRoot,
    ...(fields.handover !== undefined ? { handover: fields.handover } : {}),
  }
  const block: Block = { header, txs: txs.map((t) => t.tx) }
  return { block, hash: blockHash(header), txs, bytes: encodeCbor(block) }
}

export function encodeBlock(block: Block): Uint8Array {
  return encodeCbor(block)
}

/** Strictly decodes a block: size bound, exact fields, every tx parsed, tx root and count checked. */
export function decodeBlock(bytes: Uint8Array, limits: { chainId: string; maxBlockBytes: number; maxBlockTxs: number; maxTxItems: number }): PreparedBlock {
  if (bytes.length > limits.maxBlockBytes) {
    throw chainError(ChainErrorCode.BLOCK_TOO_LARGE, `block is ${bytes.length} bytes, at most ${limits.maxBlockBytes}`)
  }
  let value: unknown
  try { value = decodeCbor(bytes, { maxBytes: limits.maxBlockBytes }) } catch (e) {
    throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `block: ${(e as Error).message}`)
  }
  const obj = record(value, 'block', {
    header: { check: C.object({
      v: { check: C.literal(1) }, chain: { check: C.string(64, ID_RE) }, height: { check: C.uint() },
      time: { check: C.uint() }, parent: { check: C.string(64, HEX32_RE) }, txRoot: { check: C.string(64, HEX32_RE) },
      txCount: { check: C.uint() }, logSize: { check: C.uint() }, logRoot: { check: C.string(64, HEX32_RE) },
      handover: { check: C.string(64, HEX32_RE), optional: true },
    }) },
    txs: { check: C.array(0, limits.maxBlockTxs, C.any()) },
  }, ChainErrorCode.BLOCK_BAD_FORMAT) as unknown as Block
  if (obj.header.chain !== limits.chainId) throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `block of chain "${obj.header.chain}", expected "${limits.chainId}"`)
  const txs = obj.txs.map((t) => parseTx(t, limits))
  const pb: PreparedBlock = { block: { header: obj.header, txs: txs.map((t) => t.tx) }, hash: blockHash(obj.header), txs, bytes }
  checkTxRoot(pb)
  return pb
}

/** The header's txRoot and txCount must match the txs it carries. */
export function checkTxRoot(pb: PreparedBlock): void {
  const { header } = pb.block
  if (header.txCount !== pb.txs.length) {
    throw chainError(ChainErrorCode.BLOCK_BAD_TX_ROOT, `header says ${header.txCount} txs, block has ${pb.txs.length}`)
  }
  const root = txRoot(pb.txs.map((t) => t.hash))
  if (root !== header.txRoot) throw chainError(ChainErrorCode.BLOCK_BAD_TX_ROOT, 'txRoot does not match the txs', { expected: header.txRoot, actual: root })
}

/** The checkpoint note body of a block (DESIGN.md "Checkpoint"): what a commit vote signs. */
export function blockCheckpointBody(pb: PreparedBlock): string {
  const h = pb.block.header
  return formatCheckpoint({
    origin: checkpointOrigin(h.chain), size: h.logSize, root: fromHex(h.logRoot, 'logRoot', 32),
    height: h.height, block: pb.hash, time: h.time,
  })
}

