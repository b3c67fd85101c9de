// What one committed block writes, as a pure function of the previous head and the block's
// parts: commitBlock and the bulk path share it, so the benchmark measures the real layout.
import type { LogNodeWrite } from '../merkle/index.js'
import { NodeError, equalBytes, utf8 } from '../util/index.js'
import {
  type DigestAlg, type StoreHead, blockKey, caseKey, certificateKey, digestKey, encodeHead, evidenceIdKey,
  blockByLogEndKey, hash32, logNodeKey, metaKey, stateKey, txKey, txLocation, u64,
} from './keys.js'

/** One evidence leaf of a block, with the indexes the store keeps for it. */
export interface EvidenceEntry {
  leafIndex: number
  /** Evidence id = the leaf hash, as bytes or lowercase hex. */
  id: Uint8Array | string
  digests: { alg: DigestAlg; hex: string }[]
  caseNo?: string
}

/** Everything one committed block puts on disk, written in one atomic batch. */
export interface CommitBlockInput {
  height: number
  hash: Uint8Array | string
  blockBytes: Uint8Array
  /** The commit certificate: the checkpoint note with ≥ 2f+1 signatures (text or UTF-8 bytes). */
  certificate: Uint8Array | string
  txs: { hash: Uint8Array | string; index: number }[]
  evidence: EvidenceEntry[]
  /** From EvidenceLog.append: the complete-subtree nodes, the log size and root after the block. */
  logWrites: LogNodeWrite[]
  logSize: number
  logRoot: Uint8Array
  /** Application state changes; a null value deletes the key. */
  state: { key: string; value: Uint8Array | null }[]
}

/** A batch operation: a null value deletes the key. */
export type StoreOp = [key: Uint8Array, value: Uint8Array | null]

const EMPTY = new Uint8Array(0)

function mismatch(what: string, data: Record<string, unknown>, message: string): NodeError {
  return new NodeError({ code: 'STORE_LOG_MISMATCH', what, ...data }, message)
}

/**
 * The batch of one block on top of `prev` (undefined: empty store, first block is height 1 —
 * height 0 is the genesis file, docs/formats.md "Block"). Refuses gaps and a log that does not
 * continue the stored one, so the indexes can never disagree with the Merkle log.
 */
export function blockOps(prev: StoreHead | undefined, b: CommitBlockInput, ops: StoreOp[] = []): { ops: StoreOp[]; head: StoreHead } {
  const expected = (prev?.height ?? 0) + 1
  if (b.height !== expected) {
    throw new NodeError({ code: 'STORE_HEIGHT_GAP', expected, actual: b.height },
      `block height ${b.height} does not follow the stored head (expected ${expected})`)
  }
  const hash = hash32(b.hash, 'hash')
  const logRoot = hash32(b.logRoot, 'logRoot')
  const from = prev?.logSize ?? 0
  if (b.logSize !== from + b.evidence.length) {
    throw mismatch('logSize', { expected: from + b.evidence.length, actual: b.logSize },
      `log size ${b.logSize} ≠ stored ${from} + ${b.evidence.length} evidence items`)
  }
  ops.push([blockKey(b.height), b.blockBytes])
  ops.push([certificateKey(b.height), typeof b.certificate === 'string' ? utf8(b.certificate) : b.certificate])
  for (const tx of b.txs) {
    ops.push([txKey(hash32(tx.hash, 'tx.hash')), txLocation(b.height, tx.index)])
  }
  const ids: Uint8Array[] = []
  for (const [i, ev] of b.evidence.entries()) {
    if (ev.leafIndex !== from + i) {
      throw mismatch('leafIndex', { expected: from + i, actual: ev.leafIndex }, `evidence ${i} has leaf index ${ev.leafIndex}, expected ${from + i}`)
    }
    const id = hash32(ev.id, 'evidence.id')
    ids.push(id)
    ops.push([evidenceIdKey(id), u64(ev.leafIndex)])
    for (const d of ev.digests) ops.push([digestKey(d.alg, d.hex, ev.leafIndex), EMPTY])
    if (ev.caseNo !== undefined) ops.push([caseKey(ev.caseNo, ev.leafIndex), EMPTY])
  }
  // The log's leaves must be exactly this block's evidence ids, in order (docs/formats.md "Evidence
  // record": id = leaf hash).
  let leaves = 0
  for (const w of b.logWrites) {
    if (w.level === 0) {
      const id = ids[w.index - from]
      if (id === undefined || !equalBytes(id, w.hash)) {
        throw mismatch('leaf', { index: w.index }, `log leaf ${w.index} is not the evidence id of that leaf index`)
      }
      leaves++
    }
    ops.push([logNodeKey(w.level, w.index), w.hash])
  }
  if (leaves !== ids.length) {
    throw mismatch('leaves', { expected: ids.length, actual: leaves }, `log writes carry ${leaves} leaves for ${ids.length} evidence items`)
  }
  if (b.evidence.length > 0) ops.push([blockByLogEndKey(b.logSize), u64(b.height)])
  for (const s of b.state) ops.push([stateKey(s.key), s.value])
  const head: StoreHead = { height: b.height, hash, logSize: b.logSize, logRoot }
  ops.push([metaKey('head'), encodeHead(head)])
  return { ops, head }
}
