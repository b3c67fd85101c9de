// Clients that asked to wait for a tx's commit (POST /v1/txs?wait=commit).
import type { TxLocation } from '../rpc/index.js'

export class CommitWaiters {
  private readonly waiting = new Map<string, ((loc: TxLocation | null) => void)[]>()

  /** Resolves with the location once `hash` commits, or null after `timeoutMs`. */
  wait(hash: string, timeoutMs: number): Promise<TxLocation | null> {
    return new Promise((resolve) => {
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
    })
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
