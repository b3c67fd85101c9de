// Builds receipts (docs/formats.md "Receipt") from the store: the leaf, its inclusion proof in the
// tree certified by its own block's commit certificate, and the depositor's signed tx, bound to
// that block. One receipt, or every receipt of a tx from one block read.
import { assembleReceipt, txEvidence, txRootLevels, type Receipt } from '../chain/index.js'
import { formatTlogProof } from '../checkpoint/index.js'
import { treeLevels } from '../merkle/index.js'
import { fromBase64 } from '../util/index.js'
import type { Ledger } from './ledger.js'

export class Receipts {
  constructor(private readonly ledger: Ledger) {}

  private get genesisHash(): string { return this.ledger.limits.genesisHash }

  /** The JSON receipt of evidence `id`, or null when unknown. */
  async receipt(id: string): Promise<Receipt | null> {
    const ev = await this.ledger.evidenceById(id)
    if (!ev) return null
    const inclusion = await this.ledger.log.inclusionProof(ev.leafIndex, ev.pb.block.header.logSize)
    return assembleReceipt(ev, inclusion, { publicKey: this.keyOf(ev.record.depositor), genesisHash: this.genesisHash })
  }

  /**
   * The receipts of every evidence item of committed tx `hash`, in item order, from one block
   * read; null when the tx is not committed here.
   */
  async txReceipts(hash: string): Promise<{ height: number; index: number; blockHash: string; receipts: Receipt[] } | null> {
    const loc = await this.ledger.store.getTx(hash)
    if (!loc) return null
    const b = await this.ledger.block(loc.height)
    if (!b) return null
    const p = b.pb.txs[loc.index]!
    const placed = txEvidence(b.pb, loc.index)
    if (placed.length === 0) return { height: loc.height, index: loc.index, blockHash: b.pb.hash, receipts: [] }
    // the levels of the tx's items and of the block's tx root are shared by all its receipts
    const c = { publicKey: this.keyOf(p.tx.from), genesisHash: this.genesisHash, itemLevels: treeLevels(p.itemLeafHashes), txLevels: txRootLevels(b.pb) }
    const proofs = await this.ledger.log.inclusionProofs(placed.map((ev) => ev.leafIndex), b.pb.block.header.logSize)
    const receipts = placed.map((ev, i) => assembleReceipt({ ...ev, pb: b.pb, certificate: b.certificate }, proofs[i]!, c))
    return { height: loc.height, index: loc.index, blockHash: b.pb.hash, receipts }
  }

  /** The same receipt as C2SP tlog-proof text, the leaf bytes in its extra line. */
  async receiptText(id: string): Promise<string | null> {
    const r = await this.receipt(id)
    if (!r) return null
    return formatTlogProof({ index: r.leafIndex, extra: fromBase64(r.leaf), proof: r.inclusion.map((h) => fromBase64(h)), checkpointNote: r.checkpoint })
  }

  private keyOf(member: string): string {
    return this.ledger.state.members.get(member)!.publicKey
  }
}
