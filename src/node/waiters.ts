// Clients that asked to wait for a tx's commit (POST /v1/txs?wait=commit).
import type { TxLocation } from '../rpc/index.js'

export class CommitWaiters {
  private readonly waiting = new Map<string, ((loc: TxLocation | null) => void)[]>()
  private count = 0

  /** At most `max` requests wait at once; beyond it a waiter is answered "pending" at once (the tx is admitted either way). */
  constructor(private readonly max = 20_000) {}

  get size(): number { return this.count }

  /** Resolves with the location once `hash` commits, or null after `timeoutMs` (or at once when `max` already wait). */
  wait(hash: string, timeoutMs: number): Promise<TxLocation | null> {
    if (this.count >= this.max) return Promise.resolve(null)
    this.count++
    return new Promise<TxLocation | null>((resolve) => {
      const list = this.waiting.get(hash) ?? []
      const done = (loc: TxLocation | null): void => { clearTimeout(timer); resolve(loc) }
      const timer = setTimeout(() => {
        const l = this.waiting.get(hash)
        const i = l?.indexOf(done) ?? -1
        if (l && i >= 0) l.splice(i, 1)
        if (l?.length === 0) this.waiting.delete(hash)
        resolve(null)
      }, timeoutMs)
      list.push(done)
      this.waiting.set(hash, list)
    }).finally(() => { this.count-- })
  }

  /** Wakes the waiters of one committed tx. */
  committed(hash: string, loc: TxLocation): void {
    const l = this.waiting.get(hash)
    if (!l) return
    this.waiting.delete(hash)
    for (const w of l) w(loc)
  }

  /** Releases everyone (shutdown): they answer "pending". */
  closeAll(): void {
    for (const l of this.waiting.values()) for (const w of l) w(null)
    this.waiting.clear()
  }
}
