// The evidence record, the leaf of the chain's single log (docs/formats.md "Evidence record").
import { canonicalJson } from '../codec/index.js'
import { hashLeaf } from '../merkle/index.js'
import { toHex, utf8 } from '../util/index.js'
import { digestsJson, metaJson, type Digests, type EvidenceMeta } from './items.js'
import type { BlockHeader, PreparedBlock } from './block.js'
import { isEvidenceTx, type EvidenceTx, type PreparedTx } from './tx.js'

export interface EvidenceRecord {
  v: 1
  chain: string
  height: number
  time: number
  tx: string
  item: number
  depositor: string
  digests: Digests
  meta?: EvidenceMeta
}

/**
 * One evidence item placed in the log: its record, leaf index and id. The leaf bytes are hashed
 * and dropped: a block holds thousands of these until its commit is written, and the bytes
 * (a receipt's `leaf`) are rebuilt by evidenceAt when asked for.
 */
export interface PlacedEvidence { leafIndex: number; id: string; leafHash: Uint8Array; record: EvidenceRecord; type: string }

/** What the records of a block depend on: not its hash or log root, so a primary can place them first. */
export type EvidenceSource = Pick<PreparedBlock, 'txs' | 'evidenceLeafHashes'> & { block: { header: Pick<BlockHeader, 'chain' | 'height' | 'time'> } }

/**
 * The records a block adds to the log, in commit order, numbered from `firstLeafIndex`. Their
 * leaf hashes are taken from `pb.evidenceLeafHashes` when it has one for each record.
 */
export function blockEvidence(pb: EvidenceSource, firstLeafIndex: number): PlacedEvidence[] {
  const ahead = pb.evidenceLeafHashes?.length === 32 * evidenceCount(pb) ? pb.evidenceLeafHashes : undefined
  const out: PlacedEvidence[] = []
  for (const p of pb.txs) {
    if (!isEvidenceTx(p.tx)) continue
    for (let item = 0; item < p.tx.items.length; item++) {
      const record = recordOf(pb, p, item)
      const leafHash = ahead ? ahead.subarray(32 * out.length, 32 * out.length + 32) : hashLeaf(utf8(recordJson(record)))
      out.push(placedOf(record, leafHash, firstLeafIndex + out.length, p.tx.type))
    }
  }
  return out
}

/** Number of leaves a block adds to the log. */
export function evidenceCount(pb: Pick<PreparedBlock, 'txs'>): number {
  let n = 0
  for (const p of pb.txs) if (isEvidenceTx(p.tx)) n += p.tx.items.length
  return n
}

/** The one record of a committed block at `leafIndex`, with its leaf bytes (the store keeps none: receipts rebuild them here). */
export function evidenceAt(pb: PreparedBlock, leafIndex: number): (PlacedEvidence & { leafBytes: Uint8Array }) | undefined {
  const first = pb.block.header.logSize - evidenceCount(pb)
  let offset = leafIndex - first
  if (offset < 0) return undefined
  for (const p of pb.txs) {
    if (!isEvidenceTx(p.tx)) continue
    if (offset < p.tx.items.length) return placedWithLeaf(pb, p, offset, leafIndex)
    offset -= p.tx.items.length
  }
  return undefined
}

/** Every record of the tx at `txIndex` of a committed block, with its leaf bytes, in item order ([] for a tx without evidence). */
export function txEvidence(pb: PreparedBlock, txIndex: number): (PlacedEvidence & { leafBytes: Uint8Array })[] {
  const p = pb.txs[txIndex]
  if (!p || !isEvidenceTx(p.tx)) return []
  let first = pb.block.header.logSize - evidenceCount(pb)
  for (const before of pb.txs.slice(0, txIndex)) if (isEvidenceTx(before.tx)) first += before.tx.items.length
  return p.tx.items.map((_, item) => placedWithLeaf(pb, p, item, first + item))
}

function placedWithLeaf(pb: PreparedBlock, p: PreparedTx, item: number, leafIndex: number): PlacedEvidence & { leafBytes: Uint8Array } {
  const record = recordOf(pb, p, item)
  const leafBytes = utf8(recordJson(record))
  return { ...placedOf(record, hashLeaf(leafBytes), leafIndex, p.tx.type), leafBytes }
}

function recordOf(pb: EvidenceSource, p: PreparedTx, item: number): EvidenceRecord {
  const { header } = pb.block
  const it = (p.tx as EvidenceTx).items[item]!
  return {
    v: 1, chain: header.chain, height: header.height, time: header.time,
    tx: p.hash, item, depositor: p.tx.from, digests: it.digests,
    ...(it.meta ? { meta: it.meta } : {}),
  }
}

function placedOf(record: EvidenceRecord, leafHash: Uint8Array, leafIndex: number, type: string): PlacedEvidence {
  return { leafIndex, id: toHex(leafHash), leafHash, record, type }
}

/**
 * canonicalJson(record) (RFC 8785) written out for the record's fixed keys, in their sorted order:
 * the generic encoder's key sort and object walk were most of the cost of placing a leaf; each
 * value still goes through canonicalJson. Precondition: `r` has exactly the EvidenceRecord fields.
 */
export function recordJson(r: EvidenceRecord): string {
  return '{"chain":' + canonicalJson(r.chain) + ',"depositor":' + canonicalJson(r.depositor) +
    ',"digests":' + digestsJson(r.digests) + ',"height":' + canonicalJson(r.height) + ',"item":' + canonicalJson(r.item) +
    (r.meta !== undefined ? ',"meta":' + metaJson(r.meta) : '') +
    ',"time":' + canonicalJson(r.time) + ',"tx":' + canonicalJson(r.tx) + ',"v":' + canonicalJson(r.v) + '}'
}
