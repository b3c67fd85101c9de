// Tx forwarding: txs admitted here are sent to the validators in small batches (one frame per
// few ms instead of one per tx), so the primary and the request timers of every replica see them.
import { decodeCbor, encodeCbor, expectArray } from '../codec/index.js'

export const TX_PROTOCOL = 'txs'
const FLUSH_MS = 5
const MAX_BATCH_BYTES = 4 * 1024 * 1024

export interface GossipDeps {
  broadcastTo(peers: string[], name: string, bytes: Uint8Array): void
  targets(): string[]
}

export class TxGossip {
  private batch: Uint8Array[] = []
  private bytes = 0
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly deps: GossipDeps) {}

  /** Queues one encoded tx for the next batch. */
  push(txBytes: Uint8Array): void {
    this.batch.push(txBytes)
    this.bytes += txBytes.length
    if (this.bytes >= MAX_BATCH_BYTES) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null }
    if (this.batch.length === 0) return
    const frame = encodeCbor(this.batch)
    this.batch = []
    this.bytes = 0
    this.deps.broadcastTo(this.deps.targets(), TX_PROTOCOL, frame)
  }

  close(): void { if (this.timer) clearTimeout(this.timer) }
}

/** The encoded txs of a gossip frame (each still to be parsed strictly). */
export function decodeTxBatch(frame: Uint8Array, maxBytes: number): Uint8Array[] {
  return expectArray(decodeCbor(frame, { maxBytes }), 'txBatch', 1, 100_000).map((b) => {
    if (!(b instanceof Uint8Array)) throw new Error('tx batch entry is not bytes')
    return b
  })
}
