// Request/response over one long-lived stream per (peer, protocol): requests and responses carry
// a u32 id, so many requests share the stream and none pays for a stream negotiation.
import { NodeError, fromUtf8, utf8 } from '../util/index.js'
import { FrameChannel, errInfo, type FrameChannelInit } from './channel.js'
import { FrameKind, REQ_HEADER_BYTES, parseRequestBody, requestHeader } from './frames.js'
import type { Logger, RequestHandler } from './options.js'

/** Longest error text sent back to a requester. */
const MAX_ERROR_TEXT = 200

interface Pending { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void; timer: ReturnType<typeof setTimeout> }

type ChannelLimits = Omit<FrameChannelInit, 'onFrame' | 'onClosed'>

/** The requester's end: an outbound stream, a table of pending requests. */
export class RequestClient {
  readonly channel: FrameChannel
  private pending = new Map<number, Pending>()
  private nextId = 1
  private readonly peer: string

  constructor(init: ChannelLimits & { peer: string; onClosed: () => void }) {
    this.peer = init.peer
    this.channel = new FrameChannel({
      ...init,
      maxBodyBytes: init.maxBodyBytes + REQ_HEADER_BYTES,
      onFrame: (body) => this.onFrame(body),
      onClosed: () => {
        // Frames already handed to the dead stream will never be answered.
        this.failAll(new NodeError({ code: 'STREAM_CLOSED', peer: this.peer }, `request stream to ${this.peer} closed`))
        init.onClosed()
      },
    })
  }

  /** Number of requests awaiting an answer. */
  get inFlight(): number { return this.pending.size }

  /**
   * Registers a request and hands its frame to `transmit` (which may delay or drop it: fault
   * injection); rejects with TIMEOUT after `timeoutMs`, QUEUE_FULL when the queue refuses it.
   */
  request(bytes: Uint8Array, timeoutMs: number, transmit: (head: Uint8Array, body: Uint8Array) => boolean): Promise<Uint8Array> {
    const id = this.nextId
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new NodeError({ code: 'TIMEOUT', what: 'request', peer: this.peer, ms: timeoutMs }, `request to ${this.peer} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      if (!transmit(requestHeader(FrameKind.Request, id), bytes)) {
        this.settle(id, undefined, new NodeError({ code: 'QUEUE_FULL', peer: this.peer }, `outbound queue to ${this.peer} is full`))
      }
    })
  }

  /** Rejects every pending request with `err` and drops queued frames. */
  failAll(err: Error): void {
    this.channel.clear()
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, err)
  }

  private onFrame(body: Uint8Array): void {
    const { kind, id, payload } = parseRequestBody(body)
    if (kind === FrameKind.Request) {
      throw new NodeError({ code: 'BAD_FRAME', kind }, 'request frame on a requester stream')
    }
    if (kind === FrameKind.Response) return this.settle(id, payload)
    let text: string
    try { text = fromUtf8(payload, 'error') } catch { text = '(unreadable)' }
    this.settle(id, undefined, new NodeError({ code: 'REMOTE_ERROR', peer: this.peer, remote: text }, `${this.peer} answered: ${text}`))
  }

  // Unknown ids are answers to requests that already timed out: ignored.
  private settle(id: number, value?: Uint8Array, err?: unknown): void {
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    if (err !== undefined) p.reject(err)
    else p.resolve(value!)
  }
}

/** The responder's end of an inbound request stream: runs `handler` per request, answers by id. */
export function createResponder(init: ChannelLimits & {
  from: string
  handler: RequestHandler
  maxResponseBytes: number
  maxConcurrent: number
  log: Logger
  onClosed: () => void
}): FrameChannel {
  let inFlight = 0
  const answerError = (id: number, message: string): void => {
    channel.enqueue(requestHeader(FrameKind.ErrorResponse, id), utf8(message.slice(0, MAX_ERROR_TEXT)))
  }
  const channel: FrameChannel = new FrameChannel({
    ...init,
    maxBodyBytes: init.maxBodyBytes + REQ_HEADER_BYTES,
    onClosed: init.onClosed,
    onFrame: (body) => {
      const { kind, id, payload } = parseRequestBody(body)
      if (kind !== FrameKind.Request) throw new NodeError({ code: 'BAD_FRAME', kind }, 'response frame on a responder stream')
      if (inFlight >= init.maxConcurrent) return answerError(id, 'BUSY')
      inFlight++
      // The handler runs detached: a throw or rejection becomes an error answer, never a crash.
      Promise.resolve()
        .then(() => init.handler(init.from, payload))
        .then((resp) => {
          if (!(resp instanceof Uint8Array)) throw new NodeError({ code: 'BAD_RESPONSE' }, 'handler returned no bytes')
          if (resp.length > init.maxResponseBytes) {
            throw new NodeError({ code: 'RESPONSE_TOO_LARGE', max: init.maxResponseBytes, actual: resp.length }, 'response too large')
          }
          channel.enqueue(requestHeader(FrameKind.Response, id), resp)
        })
        .catch((err: unknown) => {
          init.log.warn({ ...init.bindings, from: init.from, err: errInfo(err) }, 'request handler failed')
          answerError(id, err instanceof NodeError ? err.code : 'HANDLER_ERROR')
        })
        .finally(() => { inFlight-- })
    },
  })
  return channel
}
