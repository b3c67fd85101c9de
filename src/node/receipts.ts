// Builds receipts (DESIGN.md "Receipt") from the store: the leaf, its inclusion proof in the tree
// certified by its own block's commit certificate, and the depositor's signed tx header.
import { RECEIPT_FORMAT, genesisHash, txEvidence, type PlacedEvidence, type PreparedBlock, type PreparedTx, type Receipt } from '../chain/index.js'
import { formatTlogProof } from '../checkpoint/index.js'
import { inclusionProofFromLevels, treeLevels } from '../merkle/index.js'
import { fromBase64, toBase64 } from '../util/index.js'
import type { Ledger } from './ledger.js'

type Placed = PlacedEvidence & { leafBytes: Uint8Array }

export class Receipts {
  private readonly genesisHash: string
  constructor(private readonly ledger: Ledger) {
    this.genesisHash = genesisHash(ledger.genesis)
  }

  /** The JSON receipt of evidence `id`, or null when unknown. */
  async receipt(id: string): Promise<Receipt | null> {
    const ev = await this.ledger.evidenceById(id)
    if (!ev) return null
    const p = ev.pb.txs.find((t) => t.hash === ev.record.tx)!
    const inclusion = await this.ledger.log.inclusionProof(ev.leafIndex, ev.pb.block.header.logSize)
    return this.build(ev, ev.pb, ev.certificate, p, treeLevels(p.itemLeafHashes), inclusion)
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
    const levels = placed.length > 0 ? treeLevels(p.itemLeafHashes) : []
    const proofs = await this.ledger.log.inclusionProofs(placed.map((ev) => ev.leafIndex), b.pb.block.header.logSize)
    const receipts = placed.map((ev, i) => this.build(ev, b.pb, b.certificate, p, levels, proofs[i]!))
    return { height: loc.height, index: loc.index, blockHash: b.pb.hash, receipts }
  }

  private build(ev: Placed, pb: PreparedBlock, certificate: string, p: PreparedTx, itemLevels: Uint8Array[][], inclusion: Uint8Array[]): Receipt {
    const { record } = ev
    const treeSize = pb.block.header.logSize
    const member = this.ledger.state.members.get(record.depositor)!
    return {
      format: RECEIPT_FORMAT,
      chain: record.chain,
      genesisHash: this.genesisHash,
      id: ev.id,
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
        itemProof: inclusionProofFromLevels(record.item, itemLevels).map(toBase64),
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
