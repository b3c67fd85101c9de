// Wire framing shared by every courtchain protocol: a u32 big-endian length, then the body.
// Request/response protocols put a 5-byte header (kind, u32 request id) at the front of the body.
import { NodeError } from '../util/index.js'

export const LENGTH_BYTES = 4
export const REQ_HEADER_BYTES = 5

export const FrameKind = { Request: 0, Response: 1, ErrorResponse: 2 } as const
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind]

/** Writes the 5-byte request/response header. */
export function requestHeader(kind: FrameKind, id: number): Uint8Array {
  const h = new Uint8Array(REQ_HEADER_BYTES)
  h[0] = kind
  new DataView(h.buffer).setUint32(1, id >>> 0)
  return h
}

/** Splits a request/response body into kind, id and payload; throws BAD_FRAME when too short or of unknown kind. */
export function parseRequestBody(body: Uint8Array): { kind: FrameKind; id: number; payload: Uint8Array } {
  if (body.length < REQ_HEADER_BYTES) {
    throw new NodeError({ code: 'BAD_FRAME', expected: REQ_HEADER_BYTES, actual: body.length }, `request frame expected at least ${REQ_HEADER_BYTES} bytes, got ${body.length}`)
  }
  const kind = body[0]!
  if (kind > FrameKind.ErrorResponse) throw new NodeError({ code: 'BAD_FRAME', kind }, `unknown frame kind ${kind}`)
  const id = new DataView(body.buffer, body.byteOffset + 1, 4).getUint32(0)
  return { kind: kind as FrameKind, id, payload: body.subarray(REQ_HEADER_BYTES) }
}

/**
 * Incremental decoder of length-prefixed frames. A declared length above `maxBodyBytes` throws
 * FRAME_TOO_LARGE as soon as the prefix is read, before anything of the body is buffered.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = []
  private buffered = 0
  private bodyLength = -1

  constructor(private readonly maxBodyBytes: number) {}

  /** Feeds received bytes; calls `onFrame` for each complete body, in order. */
  push(data: Uint8Array | Iterable<Uint8Array>, onFrame: (body: Uint8Array) => void): void {
    if (data instanceof Uint8Array) this.append(data)
    else for (const c of data) this.append(c)
    for (;;) {
      if (this.bodyLength < 0) {
        if (this.buffered < LENGTH_BYTES) return
        const p = this.take(LENGTH_BYTES)
        const len = ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!
        if (len > this.maxBodyBytes) {
          throw new NodeError({ code: 'FRAME_TOO_LARGE', max: this.maxBodyBytes, actual: len }, `frame of ${len} bytes exceeds the limit of ${this.maxBodyBytes}`)
        }
        this.bodyLength = len
      }
      if (this.buffered < this.bodyLength) return
      let body = this.take(this.bodyLength)
      // A small view must not pin the whole received chunk (a 200-byte tx kept in a mempool
      // would hold a 64 KiB buffer): copy when the frame is less than half its buffer.
      if (body.byteLength * 2 < body.buffer.byteLength) body = body.slice()
      this.bodyLength = -1
      onFrame(body)
    }
  }

  /** Bytes held that do not yet form a whole frame. */
  get pendingBytes(): number { return this.buffered }

  private append(c: Uint8Array): void {
    if (c.length === 0) return
    this.chunks.push(c)
    this.buffered += c.length
  }

  // Takes n bytes from the front: a view when they sit in one chunk, else one copy.
  private take(n: number): Uint8Array {
    this.buffered -= n
    const first = this.chunks[0]
    if (n === 0) return new Uint8Array(0)
    if (first!.length >= n) {
      if (first!.length === n) this.chunks.shift()
      else this.chunks[0] = first!.subarray(n)
      return first!.subarray(0, n)
    }
    const out = new Uint8Array(n)
    let o = 0
    while (o < n) {
      const c = this.chunks[0]!
      const k = Math.min(c.length, n - o)
      out.set(c.subarray(0, k), o)
      o += k
      if (k === c.length) this.chunks.shift()
      else this.chunks[0] = c.subarray(k)
    }
    return out
  }
}
