// A small seeded PRNG (mulberry32), so a chaos schedule is reproducible from its seed.
export class Prng {
  private s: number
  constructor(seed: number) { this.s = seed >>> 0 }
  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]! }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs]
    for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(this.next() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!] }
    return a
  }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256); return b }
}
