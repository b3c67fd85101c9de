// Builds receipts (DESIGN.md "Receipt") from the store: the leaf, its inclusion proof in the tree
// certified by its own block's commit certificate, and the depositor's signed tx header.
import { RECEIPT_FORMAT, type EvidenceRecord, type PreparedBlock, type Receipt } from '../chain/index.js'
import { formatTlogProof } from '../checkpoint/index.js'
import { inclusionProof } from '../merkle/index.js'
import { fromBase64, fromUtf8, toBase64 } from '../util/index.js'
import type { Ledger } from './ledger.js'

/** A few recently decoded blocks: receipts of one block's items come in bursts. */
class BlockCache {
  private readonly map = new Map<number, { pb: PreparedBlock; certificate: string }>()
  constructor(private readonly max = 16) {}
  async get(ledger: Ledger, height: number): Promise<{ pb: PreparedBlock; certificate: string } | null> {
    const hit = this.map.get(height)
    if (hit) return hit
    const b = await ledger.block(height)
    if (b) {
      this.map.set(height, b)
      if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
    }
    return b
  }
}

export class Receipts {
  private readonly blocks = new BlockCache()
  constructor(private readonly ledger: Ledger) {}

  /** The JSON receipt of evidence `id`, or null when unknown. */
  async receipt(id: string): Promise<Receipt | null> {
    const ev = await this.ledger.store.getEvidenceById(id)
    if (!ev) return null
    const record = JSON.parse(fromUtf8(ev.leafBytes, 'leaf')) as EvidenceRecord
    const b = await this.blocks.get(this.ledger, record.height)
    if (!b) return null
    const { pb, certificate } = b
    const treeSize = pb.block.header.logSize
    const txIndex = pb.txs.findIndex((t) => t.hash === record.tx)
    const p = pb.txs[txIndex]!
    const member = this.ledger.state.members.get(record.depositor)!
    const inclusion = await this.ledger.log.inclusionProof(ev.leafIndex, treeSize)
    return {
      format: RECEIPT_FORMAT,
      chain: record.chain,
      id,
      leaf: toBase64(ev.leafBytes),
      leafIndex: ev.leafIndex,
      treeSize,
      inclusion: inclusion.map(toBase64),
      checkpoint: certificate,
      depositor: {
        id: record.depositor,
        publicKey: member.publicKey,
        tx: p.header,
        sig: p.tx.sig,
        item: record.item,
        itemProof: inclusionProof(record.item, p.itemLeafHashes).map(toBase64),
      },
    }
  }

  /** The same receipt as C2SP tlog-proof text, the leaf bytes in its extra line. */
  async receiptText(id: string): Promise<string | null> {
    const r = await this.receipt(id)
    if (!r) return null
    return formatTlogProof({ index: r.leafIndex, extra: fromBase64(r.leaf), proof: r.inclusion.map((h) => fromBase64(h)), checkpointNote: r.checkpoint })
  }
}
