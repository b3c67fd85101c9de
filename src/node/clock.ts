// How far this node's clock is from its peers'. Block validity depends on the clock (a block
// more than maxClockSkewMs ahead of it is refused), so a validator two hours off refused every
// proposal, followed by block sync only, and nothing said why. Each head announcement carries
// the sender's clock; the validators' readings give this node an estimate of its own offset.
import { faultsTolerated } from '../chain/index.js'

export interface ClockWatchDeps {
  now(): number
  /** validator ids of the epoch in force (only their readings count) */
  validators(): readonly string[]
  self: string
  /** The largest offset that is still fine (ms). */
  maxOffsetMs(): number
  log: { error(o: object, m: string): void; info(o: object, m: string): void }
}

/** Readings older than this are dropped: a peer that stopped announcing says nothing about now. */
export const CLOCK_SAMPLE_TTL_MS = 30_000

/**
 * Our clock minus theirs, from one reading per peer (ms; a reading includes the one-way delay,
 * milliseconds on a LAN). The median, and of the two middle values the one nearer zero: a node
 * is called off only when at least half the validators that answered disagree with it, so f
 * faulty peers cannot make an honest node look off. Null with fewer than f+1 readings.
 */
export function clockOffset(readings: readonly number[], f: number): number | null {
  if (readings.length === 0 || readings.length < f + 1) return null
  const v = [...readings].sort((a, b) => a - b)
  const lo = v[Math.floor((v.length - 1) / 2)]!, hi = v[Math.ceil((v.length - 1) / 2)]!
  return Math.abs(lo) <= Math.abs(hi) ? lo : hi
}

export class ClockWatch {
  private readonly readings = new Map<string, { offsetMs: number; at: number }>()
  private off = false
  private loggedAt = 0

  constructor(private readonly d: ClockWatchDeps, private readonly relogMs = 60_000) {}

  /** Peer `from` said its clock read `peerTime` when it sent what arrived now. */
  reading(from: string, peerTime: number): void {
    if (from === this.d.self || !this.d.validators().includes(from)) return
    const now = this.d.now()
    this.readings.set(from, { offsetMs: now - peerTime, at: now })
    this.check(now)
  }

  /** This clock minus the validators' (ms), or null when too few of them were heard from lately. */
  offsetMs(): number | null {
    const now = this.d.now()
    const validators = this.d.validators()
    const fresh: number[] = []
    for (const [from, r] of this.readings) {
      if (now - r.at > CLOCK_SAMPLE_TTL_MS || !validators.includes(from)) this.readings.delete(from)
      else fresh.push(r.offsetMs)
    }
    return clockOffset(fresh, faultsTolerated(validators.length))
  }

  /** An error log when the clock goes off, again every relogMs while it stays off, one info line when it is back. */
  private check(now: number): void {
    const offset = this.offsetMs()
    if (offset === null) return
    const max = this.d.maxOffsetMs()
    const off = Math.abs(offset) > max
    const data = { offsetSeconds: offset / 1000, maxSeconds: max / 1000 }
    if (off && (!this.off || now - this.loggedAt >= this.relogMs)) {
      this.loggedAt = now
      this.d.log.error(data, `this clock is ${Math.abs(offset / 1000).toFixed(1)} s ${offset > 0 ? 'ahead of' : 'behind'} the validators': ` +
        (offset > 0 ? 'the blocks it proposes are refused as from the future' : 'it refuses their blocks as from the future and votes in none') + '; fix its time sync (NTP)')
    } else if (!off && this.off) this.d.log.info(data, 'this clock agrees with the validators\' again')
    this.off = off
  }
}
