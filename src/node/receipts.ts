// Builds receipts (docs/formats.md "Receipt") from the store: the leaf, its inclusion proof in the
// tree certified by its own block's commit certificate, and the depositor's signed tx header.
import { RECEIPT_FORMAT, type Receipt } from '../chain/index.js'
import { formatTlogProof } from '../checkpoint/index.js'
import { inclusionProof } from '../merkle/index.js'
import { fromBase64, toBase64 } from '../util/index.js'
import type { Ledger } from './ledger.js'

export class Receipts {
  constructor(private readonly ledger: Ledger) {}

  /** The JSON receipt of evidence `id`, or null when unknown. */
  async receipt(id: string): Promise<Receipt | null> {
    const ev = await this.ledger.evidenceById(id)
    if (!ev) return null
    const { record, pb, certificate } = ev
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
