// Block sync's second core. A node far behind spends most of each block hashing (items roots and
// evidence leaves, chain/ahead.ts); a worker thread does that, block by block, just ahead of the
// main thread, which commits each block as soon as its hashes are in. If the thread cannot start
// or dies, blocks are hashed inline as before: the thread only ever saves work, it is never needed
// for a result.
//
// Only a node far behind starts the thread (a restarted or wiped one, a new member). A validator
// a few blocks behind under load is one of four sharing the machine: a second busy thread there
// takes CPU from the primary and the others, and starting one per short sync (a new isolate that
// loads the chain code) costs more than it saves.
import { Worker } from 'node:worker_threads'
import type { BlockHashes, BlockLimits } from '../chain/index.js'

/** Ranges smaller than this are hashed inline: a validator a block or two behind does not start a thread. */
export const AHEAD_MIN_BYTES = 2 * 1024 * 1024

type Settle = (hashes: BlockHashes | null) => void

export class AheadHasher {
  private worker: Worker | null = null
  private failed = false
  private nextId = 0
  private readonly pending = new Map<number, Settle>()

  constructor(private readonly limits: BlockLimits, private readonly onFailure: (err: Error) => void, private readonly minBytes = AHEAD_MIN_BYTES) {}

  /**
   * For each block, its hashes once the thread has them: null when it could not hash it, or is not
   * used. `farBehind`: more blocks are known to follow this range (only then is the thread started).
   */
  hash(blocks: Uint8Array[], farBehind: boolean): Promise<BlockHashes | null>[] {
    let bytes = 0
    for (const b of blocks) bytes += b.length
    const worker = this.worker ?? (farBehind && bytes >= this.minBytes ? this.start() : null)
    return blocks.map((block) => !worker ? Promise.resolve(null) : new Promise<BlockHashes | null>((resolve) => {
      const id = this.nextId++
      this.pending.set(id, resolve)
      // A copy of just this block, moved, not cloned: a view would clone the whole range's buffer.
      const own = block.slice()
      try { worker.postMessage({ id, block: own }, [own.buffer]) } catch { this.pending.delete(id); resolve(null) }
    }))
  }

  /** Stops the thread (a later hash() starts a new one); blocks still pending get no hashes. */
  stop(): void {
    const w = this.worker
    this.worker = null
    this.settleAll()
    if (w) void w.terminate()
  }

  private start(): Worker | null {
    if (this.worker || this.failed) return this.worker
    try {
      const w = new Worker(new URL('./ahead-thread.js', import.meta.url), { workerData: this.limits })
      w.unref() // never what keeps a node's process alive
      w.on('message', ({ id, hashes }: { id: number; hashes: BlockHashes | null }) => {
        const settle = this.pending.get(id)
        this.pending.delete(id)
        settle?.(hashes)
      })
      w.on('error', (e) => this.fail(w, e))
      w.on('exit', (code) => { if (this.worker === w) this.fail(w, new Error(`hashing thread exited with code ${code}`)) })
      this.worker = w
      return w
    } catch (e) {
      this.fail(null, e as Error)
      return null
    }
  }

  private fail(w: Worker | null, err: Error): void {
    if (w !== this.worker) return
    this.failed = true
    this.worker = null
    this.settleAll()
    this.onFailure(err)
  }

  private settleAll(): void {
    for (const settle of this.pending.values()) settle(null)
    this.pending.clear()
  }
}
