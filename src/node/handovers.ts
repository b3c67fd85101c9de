// The signed validator-set history served in the trust root: one handover per epoch
// after genesis, made of the epoch record and the header and commit certificate of the outgoing
// epoch's last block. Kept in memory (a few entries), rebuilt from the store on start.
import type { Handover, PreparedBlock } from '../chain/index.js'
import type { Ledger } from './ledger.js'

export class HandoverHistory {
  private constructor(private readonly ledger: Ledger, private readonly handovers: Handover[]) {
    ledger.onCommit((pb: PreparedBlock, _placed: unknown, certificate: string) => {
      if (pb.block.header.handover !== undefined) this.handovers.push(this.handoverOf(pb, certificate))
    })
  }

  static async load(ledger: Ledger): Promise<HandoverHistory> {
    const list: Handover[] = []
    const epochs = ledger.state.epochs
    for (let i = 1; i < epochs.length; i++) {
      const b = await ledger.block(epochs[i]!.start - 1)
      if (!b) throw new Error(`block ${epochs[i]!.start - 1} (handover to epoch ${i}) is missing from the store`)
      list.push(toHandover(ledger, i, b.pb, b.certificate))
    }
    return new HandoverHistory(ledger, list)
  }

  /** Oldest first; each is certified by the set before it. */
  list(): Handover[] { return [...this.handovers] }

  private handoverOf(pb: PreparedBlock, certificate: string): Handover {
    return toHandover(this.ledger, this.ledger.state.epochs.length - 1, pb, certificate)
  }
}

function toHandover(ledger: Ledger, i: number, pb: PreparedBlock, certificate: string): Handover {
  const e = ledger.state.epochs[i]!
  return { epoch: e.epoch, start: e.start, validators: e.validators, prev: ledger.state.epochs[i - 1]!.hash, header: pb.block.header, certificate }
}
