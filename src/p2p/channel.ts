// One long-lived libp2p stream carrying length-prefixed frames both ways, with a bounded
// outbound queue. Small frames queued in the same tick leave as one batch: every stream.send
// costs a yamux header and a noise seal, so coalescing is what makes 1 KiB messages cheap.
import type { Stream } from '@libp2p/interface'
import { FrameDecoder, LENGTH_BYTES } from './frames.js'
import type { Logger } from './options.js'

/** Frames up to this size are coalesced into one write; larger ones go alone. */
const BATCH_BYTES = 128 * 1024
/** A missed 'drain' must not wedge the channel: re-check the stream this often. */
const DRAIN_POLL_MS = 1000
/** Queue-full refusals are logged at most this often. */
const REFUSAL_LOG_MS = 5000

interface QueuedFrame { head: Uint8Array | null; body: Uint8Array }
const frameSize = (f: QueuedFrame): number => LENGTH_BYTES + (f.head?.length ?? 0) + f.body.length

export interface FrameChannelInit {
  /** Log bindings naming the peer and protocol. */
  bindings: Record<string, unknown>
  log: Logger
  /** Largest body accepted from the remote; above it the stream is aborted. */
  maxBodyBytes: number
  maxQueueFrames: number
  maxQueueBytes: number
  /** Called for each received body; must not throw for handler errors (the caller catches them). */
  onFrame: (body: Uint8Array) => void
  /** Called once per attached stream when it closes, with the error when it was not graceful. */
  onClosed?: (err?: Error) => void
}

export class FrameChannel {
  stream: Stream | null = null
  private queue: QueuedFrame[] = []
  private qHead = 0
  private queuedBytes = 0
  private flushScheduled = false
  private flushing = false
  private refused = 0
  private refusedLoggedAt = 0
  private readonly init: FrameChannelInit

  constructor(init: FrameChannelInit) {
    this.init = init
  }

  /** Frames waiting to be written. */
  get queuedFrames(): number { return this.queue.length - this.qHead }

  /** Starts reading `stream` and writing the queue to it. */
  attach(stream: Stream): void {
    this.stream = stream
    const decoder = new FrameDecoder(this.init.maxBodyBytes)
    stream.addEventListener('message', (evt) => {
      try {
        decoder.push(evt.data, this.init.onFrame)
      } catch (err) {
        // An oversized or malformed frame costs the sender its stream, nothing more.
        this.init.log.warn({ ...this.init.bindings, err: errInfo(err) }, 'closing stream after a bad frame')
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    })
    // The remote finished writing: close our half too, or the stream lingers half-closed and
    // keeps counting against the per-protocol stream limit.
    stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => stream.abort(new Error('close failed'))) })
    stream.addEventListener('close', (evt) => {
      if (this.stream !== stream) return
      this.stream = null
      this.init.onClosed?.(evt.error)
    })
    this.scheduleFlush()
  }

  /** Queues one frame; false (and a log line) when the queue is full. */
  enqueue(head: Uint8Array | null, body: Uint8Array): boolean {
    const f = { head, body }
    const size = frameSize(f)
    if (this.queuedFrames >= this.init.maxQueueFrames || this.queuedBytes + size > this.init.maxQueueBytes) {
      // At most one line per REFUSAL_LOG_MS with the count since the last, so a flood does not flood the log.
      this.refused++
      const now = Date.now()
      if (now - this.refusedLoggedAt >= REFUSAL_LOG_MS) {
        this.refusedLoggedAt = now
        this.init.log.warn({ ...this.init.bindings, queuedFrames: this.queuedFrames, queuedBytes: this.queuedBytes, refused: this.refused }, 'outbound queue full, message refused')
        this.refused = 0
      }
      return false
    }
    this.queue.push(f)
    this.queuedBytes += size
    this.scheduleFlush()
    return true
  }

  /** Drops every queued frame. */
  clear(): void {
    this.queue = []
    this.qHead = 0
    this.queuedBytes = 0
  }

  /** Aborts the stream (if any) and drops the queue. */
  abort(err: Error): void {
    this.clear()
    const s = this.stream
    this.stream = null
    s?.abort(err)
  }

  /** Closes the stream gracefully (our write half); queued frames are dropped. */
  close(): void {
    this.clear()
    const s = this.stream
    this.stream = null
    s?.close().catch(() => s.abort(new Error('close failed')))
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.stream == null || this.queuedFrames === 0) return
    this.flushScheduled = true
    // A microtask, so a burst of sends in one tick is coalesced into one write.
    queueMicrotask(() => { this.flushScheduled = false; void this.flush() })
  }

  private async flush(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.queuedFrames > 0) {
        const s = this.stream
        if (s == null || s.status !== 'open' || s.writeStatus !== 'writable') return
        if (s.writableNeedsDrain) {
          await waitForDrain(s)
          continue
        }
        s.send(this.takeBatch())
      }
    } catch (err) {
      this.init.log.debug({ ...this.init.bindings, err: errInfo(err) }, 'write failed')
    } finally {
      this.flushing = false
      const s = this.stream
      if (s != null && s.status === 'open' && !s.writableNeedsDrain) this.scheduleFlush()
    }
  }

  // Takes frames off the queue: one big frame alone, or as many small ones as fit in a batch.
  private takeBatch(): Uint8Array {
    let end = this.qHead
    let total = 0
    while (end < this.queue.length) {
      const size = frameSize(this.queue[end]!)
      if (end > this.qHead && total + size > BATCH_BYTES) break
      total += size
      end++
      if (total >= BATCH_BYTES) break
    }
    const out = new Uint8Array(total)
    const view = new DataView(out.buffer)
    let o = 0
    for (let i = this.qHead; i < end; i++) {
      const f = this.queue[i]!
      const bodyLen = (f.head?.length ?? 0) + f.body.length
      view.setUint32(o, bodyLen)
      o += LENGTH_BYTES
      if (f.head) { out.set(f.head, o); o += f.head.length }
      out.set(f.body, o)
      o += f.body.length
    }
    this.queuedBytes -= total
    // Release references as we go; compact the array now and then instead of shift()ing.
    for (let i = this.qHead; i < end; i++) this.queue[i] = undefined as unknown as QueuedFrame
    this.qHead = end
    if (this.qHead === this.queue.length) { this.queue = []; this.qHead = 0 }
    else if (this.qHead > 4096) { this.queue = this.queue.slice(this.qHead); this.qHead = 0 }
    return out
  }
}

// stream.onDrain() in @libp2p/utils keeps its first (resolved) promise forever, so a second call
// resolves at once and a writer loop would spin; listen for the events instead.
function waitForDrain(s: Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t)
      s.removeEventListener('drain', done)
      s.removeEventListener('close', done)
      resolve()
    }
    const t = setTimeout(done, DRAIN_POLL_MS)
    s.addEventListener('drain', done)
    s.addEventListener('close', done)
  })
}

/** A loggable summary of an unknown error. */
export function errInfo(err: unknown): { code?: string; message: string } {
  if (err instanceof Error) return { code: (err as { code?: string }).code ?? err.name, message: err.message }
  return { message: String(err) }
}
