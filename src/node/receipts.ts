// Builds receipts (docs/formats.md "Receipt") from the store: the leaf, its inclusion proof in the tree
// certified by its own block's commit certificate, and the depositor's signed tx, bound to that block.
import { assembleReceipt, type Receipt } from '../chain/index.js'
import { formatTlogProof } from '../checkpoint/index.js'
import { fromBase64 } from '../util/index.js'
import type { Ledger } from './ledger.js'

export class Receipts {
  constructor(private readonly ledger: Ledger) {}

  /** The JSON receipt of evidence `id`, or null when unknown. */
  async receipt(id: string): Promise<Receipt | null> {
    const ev = await this.ledger.evidenceById(id)
    if (!ev) return null
    const inclusion = await this.ledger.log.inclusionProof(ev.leafIndex, ev.pb.block.header.logSize)
    return assembleReceipt(ev, inclusion, this.ledger.state.members.get(ev.record.depositor)!.publicKey)
  }

  /** The same receipt as C2SP tlog-proof text, the leaf bytes in its extra line. */
  async receiptText(id: string): Promise<string | null> {
    const r = await this.receipt(id)
    if (!r) return null
    return formatTlogProof({ index: r.leafIndex, extra: fromBase64(r.leaf), proof: r.inclusion.map((h) => fromBase64(h)), checkpointNote: r.checkpoint })
  }
}
