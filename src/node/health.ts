// What /healthz reports, and the watch on the store's writes. A node that cannot write its
// store, lags its peers, cannot be part of a quorum or runs on a wrong clock used to answer 200,
// keep taking txs it could never confirm, and log a warning per failed write: a load balancer or
// an operator had no way to tell. Now each of those fails /healthz with its reason.
import { open, statfs, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { faultsTolerated, quorumSize } from '../chain/index.js'
import { NodeError } from '../util/index.js'

export type HealthCode = 'STORE_WRITE_FAILED' | 'BEHIND_PEERS' | 'TOO_FEW_PEERS' | 'CLOCK_OFFSET'
export interface HealthReason { code: HealthCode; message: string }
export interface HealthView { ok: boolean; height: number; reasons: HealthReason[] }

/** What the node observes, as the pure rule below reads it. */
export interface HealthInputs {
  height: number
  /** A head at least one honest validator peer has reached (peersHeight), or null when unknown. */
  peersHeight: number | null
  maxBlocksBehind: number
  /** Validators this node can reach (itself included) and the quorum; null for a member node, which votes in none. */
  quorum: { reachable: number; size: number } | null
  /** This clock minus its peers' (ClockWatch), or null when not measured. */
  clockOffsetMs: number | null
  maxClockOffsetMs: number
  /** The last store write error while the store cannot write, else null. */
  storeError: string | null
}

/** Why a node with these inputs is unhealthy; empty when healthy. */
export function healthReasons(i: HealthInputs): HealthReason[] {
  const out: HealthReason[] = []
  if (i.storeError !== null) out.push({ code: 'STORE_WRITE_FAILED', message: `the store cannot write (${i.storeError}): this node commits nothing and takes no txs` })
  if (i.peersHeight !== null && i.peersHeight - i.height > i.maxBlocksBehind) {
    out.push({ code: 'BEHIND_PEERS', message: `at height ${i.height}, ${i.peersHeight - i.height} blocks behind its peers (at most ${i.maxBlocksBehind})` })
  }
  if (i.quorum && i.quorum.reachable < i.quorum.size) {
    out.push({ code: 'TOO_FEW_PEERS', message: `reaches ${i.quorum.reachable} validators counting itself, fewer than the quorum of ${i.quorum.size}` })
  }
  if (i.clockOffsetMs !== null && Math.abs(i.clockOffsetMs) > i.maxClockOffsetMs) {
    out.push({ code: 'CLOCK_OFFSET', message: `clock is ${(i.clockOffsetMs / 1000).toFixed(1)} s off its peers' (at most ±${i.maxClockOffsetMs / 1000} s)` })
  }
  return out
}

/**
 * The (f+1)-th highest head the other validators reported: at least one honest validator has
 * reached it, so one peer claiming a height far ahead cannot make this node look behind.
 */
export function peersHeight(heads: ReadonlyMap<string, number>, validators: readonly string[], self: string): number | null {
  const f = faultsTolerated(validators.length)
  const sorted = validators.filter((v) => v !== self && heads.has(v)).map((v) => heads.get(v)!).sort((a, b) => b - a)
  return sorted.length > f ? sorted[f]! : null
}

/**
 * The exit code of a node whose store failed and can write again (EX_TEMPFAIL): the service
 * manager starts it again (systemd Restart=on-failure), on a store reopened from what is on disk.
 * LevelDB refuses every write after a failed sync until the database is reopened, and a restart
 * rebuilds consensus from the WAL and the store exactly as after a crash.
 */
export const EXIT_STORE_RECOVERED = 75

/** Bytes the write probe writes: what LevelDB needs to take a block and roll its log (a write buffer). */
export const PROBE_BYTES = 4 << 20

/** Whether `dir` takes a PROBE_BYTES file written with fsync (the file is removed again). */
export async function probeWrite(dir: string): Promise<void> {
  const file = join(dir, '.write-probe')
  const fh = await open(file, 'w')
  try {
    await fh.write(new Uint8Array(PROBE_BYTES))
    await fh.sync()
  } finally {
    await fh.close()
    await unlink(file).catch(() => undefined)
  }
}

export interface StoreWatchDeps {
  log: { error(o: object, m: string): void; warn(o: object, m: string): void }
  probeWrite(): Promise<void>
  /** Called once, at the first failed write: stop what writes (consensus, sync). */
  onFailure(): void
  /** Called once, when the probe writes again. */
  onWritable(): void
  probeIntervalMs?: number
  /** How often a failure that lasts is logged again. */
  relogMs?: number
}

/** Watches the store's writes: one error log at the first failure, then periodic ones; a probe finds when writing works again. */
export class StoreWatch {
  private since: number | null = null
  private last = ''
  private failures = 0
  private loggedAt = 0
  private probe: ReturnType<typeof setInterval> | null = null
  private probing = false

  constructor(private readonly d: StoreWatchDeps) {}

  /** The last error while the store cannot write, else null. */
  get error(): string | null { return this.since === null ? null : this.last }
  /** Failed writes since start. */
  get failedWrites(): number { return this.failures }

  /** A store write failed with `e`. */
  failed(e: Error): void {
    this.failures++
    this.last = (e as { code?: string }).code ? `${(e as { code?: string }).code}: ${e.message}` : e.message
    if (this.since !== null) return
    this.since = this.loggedAt = Date.now()
    this.d.log.error({ err: this.last }, `the store cannot write: consensus stopped, txs refused with 503 NODE_UNHEALTHY; once the disk takes writes again the node exits with code ${EXIT_STORE_RECOVERED} for its service manager to restart it`)
    this.d.onFailure()
    this.probe = setInterval(() => { void this.tryProbe() }, this.d.probeIntervalMs ?? 2000)
    this.probe.unref()
  }

  /** Refuses a tx while the store cannot write: the node could never confirm it. */
  assertWritable(): void {
    if (this.since === null) return
    throw new NodeError({ code: 'NODE_UNHEALTHY', reason: 'STORE_WRITE_FAILED' }, `this node cannot write its store (${this.last}) and takes no txs: send them to another node`)
  }

  close(): void { if (this.probe) clearInterval(this.probe) }

  private async tryProbe(): Promise<void> {
    if (this.probing || this.probe === null) return
    this.probing = true
    try {
      await this.d.probeWrite()
    } catch (e) {
      if (Date.now() - this.loggedAt >= (this.d.relogMs ?? 60_000)) {
        this.loggedAt = Date.now()
        this.d.log.error({ err: this.last, probe: (e as Error).message, failingForS: Math.round((Date.now() - this.since!) / 1000) }, 'the store still cannot write')
      }
      return
    } finally { this.probing = false }
    this.close()
    this.probe = null
    this.d.log.warn({ failingForS: Math.round((Date.now() - this.since!) / 1000) }, `the disk takes writes again: exiting with code ${EXIT_STORE_RECOVERED} to reopen the store`)
    this.d.onWritable()
  }
}

/** Size and free space of the file system holding `dir` (bytes), or null when unknown. */
export async function diskSpace(dir: string): Promise<{ size: number; free: number } | null> {
  try {
    const s = await statfs(dir)
    return { size: s.blocks * s.bsize, free: s.bavail * s.bsize }
  } catch { return null }
}

/** The figures /metrics shows next to the health verdict. */
export interface HealthFigures {
  healthy: boolean
  blocksBehind: number
  /** null for a member node */
  validatorsReachable: number | null
  quorumSize: number
  storeWriteErrors: number
  disk: { size: number; free: number } | null
  /** this clock minus the validators' (ms), null when not measured */
  clockOffsetMs: number | null
}

export interface NodeHealthDeps {
  self: string
  height(): number
  /** the latest head each peer reported (block sync) */
  peerHeads(): ReadonlyMap<string, number>
  validators(): readonly string[]
  isValidator(): boolean
  /** member ids of the connected peers */
  connected(): ReadonlySet<string>
  store: StoreWatch
  /** the clock watch (clock.ts) and the offset beyond which the clock counts as off (ms) */
  clock: { offsetMs(): number | null; maxOffsetMs(): number }
  maxBlocksBehind: number
  dataDir: string
}

/** The node's health: the verdict /healthz gives and the figures /metrics shows. */
export class NodeHealth {
  private disk: { size: number; free: number } | null = null
  private readonly timer: ReturnType<typeof setInterval>

  constructor(private readonly d: NodeHealthDeps) {
    const refresh = (): void => { void diskSpace(d.dataDir).then((s) => { this.disk = s }) }
    refresh()
    this.timer = setInterval(refresh, 10_000)
    this.timer.unref()
  }

  /** True once a store write failed (until the restart). */
  get storeFailed(): boolean { return this.d.store.error !== null }

  view(): HealthView {
    const reasons = healthReasons(this.inputs())
    return { ok: reasons.length === 0, height: this.d.height(), reasons }
  }

  figures(): HealthFigures {
    const i = this.inputs()
    return {
      healthy: healthReasons(i).length === 0, blocksBehind: Math.max(0, (i.peersHeight ?? 0) - i.height),
      validatorsReachable: i.quorum?.reachable ?? null, quorumSize: quorumSize(this.d.validators().length),
      storeWriteErrors: this.d.store.failedWrites, disk: this.disk, clockOffsetMs: i.clockOffsetMs,
    }
  }

  close(): void {
    clearInterval(this.timer)
    this.d.store.close()
  }

  private inputs(): HealthInputs {
    const { d } = this
    const validators = d.validators()
    const connected = d.connected()
    const size = quorumSize(validators.length)
    return {
      height: d.height(), peersHeight: peersHeight(d.peerHeads(), validators, d.self), maxBlocksBehind: d.maxBlocksBehind,
      quorum: d.isValidator() ? { reachable: 1 + validators.filter((v) => v !== d.self && connected.has(v)).length, size } : null,
      clockOffsetMs: d.clock.offsetMs(), maxClockOffsetMs: d.clock.maxOffsetMs(), storeError: d.store.error,
    }
  }
}
