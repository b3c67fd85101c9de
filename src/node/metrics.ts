// The node's Prometheus metrics (names carry units: _seconds, _total, _bytes).
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { PlacedEvidence, PreparedBlock } from '../chain/index.js'
import type { StatusView } from '../rpc/index.js'
import type { MetricsRegistry } from '../util/index.js'
import type { HealthFigures } from './health.js'

export class NodeMetrics {
  private readonly admittedAt = new Map<string, number>()
  private readonly commitLatency
  private readonly txs
  private readonly evidence
  private readonly blocks
  private last: StatusView | null = null
  private lastHealth: HealthFigures | null = null

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

  /**
   * The process's own figures, named as Prometheus client libraries name them, so the usual
   * dashboards and alerts apply: memory (resident, peak, V8 heap, buffers), CPU time, start time,
   * and how late the event loop ran timers since the last scrape (a busy main thread shows there
   * first). Call once; the event-loop sampling stops when `stop` aborts.
   */
  watchProcess(stop: AbortSignal): void {
    const r = this.registry
    const mem = (): NodeJS.MemoryUsage => process.memoryUsage()
    r.gauge('process_resident_memory_bytes', 'resident set size', () => process.memoryUsage.rss())
    r.gauge('process_peak_resident_memory_bytes', 'highest resident set size since start', () => process.resourceUsage().maxRSS * 1024)
    r.gauge('nodejs_heap_size_used_bytes', 'V8 heap in use', () => mem().heapUsed)
    r.gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved', () => mem().heapTotal)
    r.gauge('nodejs_external_memory_bytes', 'memory of objects outside the V8 heap (buffers, LevelDB handles)', () => mem().external)
    r.gauge('nodejs_array_buffers_bytes', 'memory of ArrayBuffers and Buffers', () => mem().arrayBuffers)
    r.counter('process_cpu_user_seconds_total', 'user CPU time, all threads', () => process.cpuUsage().user / 1e6)
    r.counter('process_cpu_system_seconds_total', 'system CPU time, all threads', () => process.cpuUsage().system / 1e6)
    const started = Date.now() / 1000 - process.uptime()
    r.gauge('process_start_time_seconds', 'start time of the process, Unix seconds', () => Math.round(started))
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const sinceScrape = (read: () => number): (() => number) => () => (delay.count === 0 ? 0 : read() / 1e9)
    r.gauge('nodejs_eventloop_delay_max_seconds', 'largest event-loop delay since the last scrape', sinceScrape(() => delay.max))
    // After the max, as rendered: reading the p99 starts the next interval.
    r.gauge('nodejs_eventloop_delay_p99_seconds', 'p99 event-loop delay since the last scrape', () => {
      const v = sinceScrape(() => delay.percentile(99))()
      delay.reset()
      return v
    })
    stop.addEventListener('abort', () => delay.disable(), { once: true })
  }

  /** Heights the consensus engine has in flight (pipelining), read when scraped. */
  watchInFlight(read: () => number): void {
    this.registry.gauge('courtchain_consensus_in_flight', 'heights above the committed head at which this validator accepted a block', read)
  }

  /** The health figures (render's second argument); deploy/prometheus-alerts.yml alerts on them. */
  watchHealth(): void {
    const r = this.registry
    const h = (): HealthFigures | null => this.lastHealth
    r.gauge('courtchain_healthy', '1 when /healthz answers 200, else 0', () => (h()?.healthy ? 1 : 0))
    r.gauge('courtchain_blocks_behind', 'blocks below the highest head at least one honest validator peer reported', () => h()?.blocksBehind ?? 0)
    r.gauge('courtchain_validators_reachable', 'validators connected, counting this one (validators only; NaN on a member node)', () => h()?.validatorsReachable ?? NaN)
    r.gauge('courtchain_quorum_size', 'validators needed to commit a block (2f+1)', () => h()?.quorumSize ?? 0)
    r.counter('courtchain_store_write_errors_total', 'store writes that failed (a full or failing disk)', () => h()?.storeWriteErrors ?? 0)
    r.gauge('courtchain_data_dir_size_bytes', 'size of the file system holding the data dir', () => h()?.disk?.size ?? NaN)
    r.gauge('courtchain_clock_offset_seconds', "this clock minus the validators' (median of their head announcements; NaN until enough are heard)", () => (h()?.clockOffsetMs ?? NaN) / 1000)
    r.gauge('courtchain_data_dir_free_bytes', 'bytes free to this node on the file system holding the data dir', () => h()?.disk?.free ?? NaN)
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

  render(status: StatusView, health?: HealthFigures): string {
    this.last = status
    this.lastHealth = health ?? null
    return this.registry.render()
  }
}
