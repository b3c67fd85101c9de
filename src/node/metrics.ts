// The node's Prometheus metrics (names carry units: _seconds, _total).
import type { PlacedEvidence, PreparedBlock } from '../chain/index.js'
import type { StatusView } from '../rpc/index.js'
import type { MetricsRegistry } from '../util/index.js'

export class NodeMetrics {
  private readonly admittedAt = new Map<string, number>()
  private readonly commitLatency
  private readonly txs
  private readonly evidence
  private readonly blocks
  private last: StatusView | null = null

  constructor(private readonly registry: MetricsRegistry) {
    this.commitLatency = registry.histogram('courtchain_commit_latency_seconds', 'time from tx admission on this node to its commit', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    this.txs = registry.counter('courtchain_txs_committed_total', 'txs committed')
    this.evidence = registry.counter('courtchain_evidence_committed_total', 'evidence items committed')
    this.blocks = registry.counter('courtchain_blocks_committed_total', 'blocks committed')
    registry.gauge('courtchain_height', 'height of the committed head', () => this.last?.height ?? 0)
    registry.gauge('courtchain_view', 'current PBFT view', () => this.last?.view ?? 0)
    registry.gauge('courtchain_mempool_txs', 'txs waiting in the mempool', () => this.last?.mempool ?? 0)
    registry.gauge('courtchain_peers_connected', 'connected peers', () => this.last?.peers.filter((p) => p.connected).length ?? 0)
    registry.gauge('courtchain_log_size', 'leaves in the evidence log', () => this.last?.logSize ?? 0)
  }

  /** Heights the consensus engine has in flight (pipelining), read when scraped. */
  watchInFlight(read: () => number): void {
    this.registry.gauge('courtchain_consensus_in_flight', 'heights above the committed head at which this validator accepted a block', read)
  }

  admitted(hash: string): void {
    if (this.admittedAt.size < 500_000) this.admittedAt.set(hash, performance.now())
  }

  committed(pb: PreparedBlock, placed: PlacedEvidence[]): void {
    const now = performance.now()
    for (const t of pb.txs) {
      const at = this.admittedAt.get(t.hash)
      if (at !== undefined) { this.commitLatency.observe((now - at) / 1000); this.admittedAt.delete(t.hash) }
    }
    this.blocks.inc()
    this.txs.inc(pb.txs.length)
    this.evidence.inc(placed.length)
  }

  render(status: StatusView): string {
    this.last = status
    return this.registry.render()
  }
}
