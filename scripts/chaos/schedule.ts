// The perturbation schedule of a chaos run: drawn from the seed up front and printed, so a
// failing run can be replayed with the same --seed.
import { Prng } from './prng.js'

export const PERTURBATION_KINDS = [
  'kill', 'kill-primary', 'pause', 'wipe', 'partition-minority', 'partition-split', 'delay', 'loss', 'byzantine', 'quorum-loss',
] as const
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number]
export const BYZANTINE_RUN_MODES = ['equivocate', 'conflicting-votes', 'forge', 'mutate', 'huge-view', 'replay', 'withhold', 'withhold-some', 'swap-sig', 'mixed'] as const

export interface Perturbation {
  /** seconds after the load started */
  at: number
  /** seconds the fault lasts before it is healed */
  duration: number
  kind: PerturbationKind
  /** node indexes; for kill-primary and byzantine-on-primary resolved when it fires */
  targets: number[]
  /** the other side of a partition */
  others?: number[]
  /** byzantine mode, delay or loss parameters */
  mode?: string
  onPrimary?: boolean
  delayMs?: number
  jitterMs?: number
  loss?: number
}

export interface ScheduleOptions {
  seed: number; durationS: number; nodes: number; kinds: readonly PerturbationKind[]
  /** fault length and healing gap bounds in seconds (defaults 4..10 and 4..8) */
  faultS?: [number, number]; gapS?: [number, number]
}

/** Sequential faults with healing gaps between them, from `seed`; the last 10 s stay quiet. */
export function makeSchedule(o: ScheduleOptions): Perturbation[] {
  const rng = new Prng(o.seed)
  const f = Math.floor((o.nodes - 1) / 3)
  const all = Array.from({ length: o.nodes }, (_, i) => i)
  const out: Perturbation[] = []
  let t = 4
  while (o.kinds.length > 0) {
    const kind = rng.pick(o.kinds)
    const duration = rng.int(...(o.faultS ?? [4, 10]))
    if (t + duration > o.durationS - 10) break
    const p: Perturbation = { at: t, duration, kind, targets: [] }
    switch (kind) {
      case 'kill': case 'pause': case 'wipe':
        p.targets = rng.shuffle(all).slice(0, rng.int(1, Math.max(1, f)))
        break
      case 'kill-primary': break
      case 'partition-minority': {
        const s = rng.shuffle(all)
        p.targets = s.slice(0, Math.max(1, f)); p.others = s.slice(Math.max(1, f))
        break
      }
      case 'partition-split': {
        const s = rng.shuffle(all)
        p.targets = s.slice(0, Math.floor(o.nodes / 2)); p.others = s.slice(Math.floor(o.nodes / 2))
        break
      }
      case 'delay': p.targets = all; p.delayMs = rng.int(20, 250); p.jitterMs = rng.int(0, 150); break
      case 'loss': p.targets = all; p.loss = rng.int(3, 20) / 100; break
      case 'byzantine':
        p.mode = rng.pick(BYZANTINE_RUN_MODES)
        p.onPrimary = rng.next() < 0.6
        p.targets = p.onPrimary ? [] : [rng.int(0, o.nodes - 1)]
        break
      case 'quorum-loss': p.targets = rng.shuffle(all).slice(0, f + 1); break
    }
    out.push(p)
    t += duration + rng.int(...(o.gapS ?? [4, 8]))
  }
  return out
}

export function describe(p: Perturbation, ids: string[]): string {
  const names = (xs: number[] | undefined): string => (xs ?? []).map((i) => ids[i]).join(',')
  const base = `t=${String(p.at).padStart(4)}s  ${String(p.duration).padStart(2)}s  ${p.kind}`
  switch (p.kind) {
    case 'kill-primary': return `${base} (the primary at that time)`
    case 'partition-minority': case 'partition-split': return `${base} ${names(p.targets)} | ${names(p.others)}`
    case 'delay': return `${base} all links +${p.delayMs}ms ±${p.jitterMs}ms`
    case 'loss': return `${base} all links ${Math.round((p.loss ?? 0) * 100)}% loss`
    case 'byzantine': return `${base} ${p.mode} on ${p.onPrimary ? 'the primary' : names(p.targets)}`
    default: return `${base} ${names(p.targets)}`
  }
}
