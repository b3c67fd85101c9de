import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isNodeError } from '../../src/util/index.js'
// Internal module: the framing is a wire format, so it is tested directly.
import { FrameDecoder, FrameKind, parseRequestBody, requestHeader } from '../../src/p2p/frames.js'

const frame = (body: number[]): number[] => [(body.length >>> 24) & 255, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255, ...body]

test('decodes frames split at every byte boundary', () => {
  const wire = [...frame([1, 2, 3]), ...frame([]), ...frame([9])]
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new FrameDecoder(10)
    const got: number[][] = []
    d.push(new Uint8Array(wire.slice(0, cut)), (b) => got.push([...b]))
    d.push([new Uint8Array(wire.slice(cut, cut + 1)), new Uint8Array(wire.slice(cut + 1))], (b) => got.push([...b]))
    assert.equal(got, [[1, 2, 3], [], [9]], `cut at ${cut}`)
    assert.is(d.pendingBytes, 0)
  }
})

test('rejects a declared length above the limit before buffering the body', () => {
  const d = new FrameDecoder(4)
  assert.throws(() => d.push(new Uint8Array([0, 0, 0, 5, 1]), () => {}), (e: unknown) => isNodeError(e, 'FRAME_TOO_LARGE'))
  const d2 = new FrameDecoder(16 * 1024 * 1024)
  assert.throws(() => d2.push(new Uint8Array([255, 255, 255, 255]), () => {}), (e: unknown) => isNodeError(e, 'FRAME_TOO_LARGE'))
})

test('accepts a frame of exactly the limit', () => {
  const d = new FrameDecoder(3)
  const got: number[][] = []
  d.push(new Uint8Array(frame([7, 7, 7])), (b) => got.push([...b]))
  assert.equal(got, [[7, 7, 7]])
})

test('request bodies: header round-trips, short or unknown-kind bodies are BAD_FRAME', () => {
  const body = new Uint8Array([...requestHeader(FrameKind.Response, 0xfffffffe), 42])
  assert.equal(parseRequestBody(body).id, 0xfffffffe)
  assert.is(parseRequestBody(body).kind, FrameKind.Response)
  assert.equal([...parseRequestBody(body).payload], [42])
  assert.throws(() => parseRequestBody(new Uint8Array([0, 0, 0])), (e: unknown) => isNodeError(e, 'BAD_FRAME'))
  assert.throws(() => parseRequestBody(new Uint8Array([3, 0, 0, 0, 1])), (e: unknown) => isNodeError(e, 'BAD_FRAME'))
})

test.run()
