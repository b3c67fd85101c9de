// The simulator's event queue: a binary heap ordered by (virtual time, insertion order).

export interface SimEvent { time: number; seq: number; run: () => void }

/** Min-heap of events; ties keep insertion order, so runs are deterministic. */
export class EventQueue {
  private heap: SimEvent[] = []
  private seq = 0
  now = 0
  get size(): number { return this.heap.length }
  at(time: number, run: () => void): void {
    const e = { time: Math.max(time, this.now), seq: this.seq++, run }
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }
  /** Runs the next event; false when empty or past `until`. */
  runNext(until: number): boolean {
    const h = this.heap
    if (h.length === 0 || h[0]!.time > until) return false
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < h.length && less(h[l]!, h[m]!)) m = l
        if (r < h.length && less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    this.now = top.time
    top.run()
    return true
  }
}

function less(a: SimEvent, b: SimEvent): boolean { return a.time < b.time || (a.time === b.time && a.seq < b.seq) }
