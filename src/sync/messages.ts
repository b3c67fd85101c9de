// Wire messages of block sync: a range request, its answer, and head announcements.
import { decodeCbor, encodeCbor, expectRecord, expectArray } from '../codec/index.js'

/** Most blocks one answer carries; the byte bound is the transport's message limit. */
export const MAX_BLOCKS_PER_ANSWER = 256

export interface RangeRequest { from: number; to: number }
export interface RangeAnswer { head: number; blocks: { block: Uint8Array; certificate: string }[] }
/**
 * A node's committed head, and its clock (ms since epoch) when it sent it: peers compare clocks
 * with it (node/clock.ts). `time` is optional on the wire so nodes of the previous version, which
 * send none, still announce their heads during a rolling upgrade.
 */
export interface HeadAnnouncement { height: number; hash: string; time?: number }

export const encodeRangeRequest = (r: RangeRequest): Uint8Array => encodeCbor(r)
export function decodeRangeRequest(bytes: Uint8Array): RangeRequest {
  const r = expectRecord(decodeCbor(bytes, { maxBytes: 256 }), 'rangeRequest', { from: 'uint', to: 'uint' })
  return { from: r.from, to: r.to }
}

export const encodeRangeAnswer = (a: RangeAnswer): Uint8Array => encodeCbor(a)
export function decodeRangeAnswer(bytes: Uint8Array, maxBytes: number): RangeAnswer {
  const r = expectRecord(decodeCbor(bytes, { maxBytes }), 'rangeAnswer', { head: 'uint', blocks: 'array' })
  const blocks = expectArray(r.blocks, 'rangeAnswer.blocks', 0, MAX_BLOCKS_PER_ANSWER).map((b, i) => {
    const x = expectRecord(b, `rangeAnswer.blocks[${i}]`, { block: 'bytes', certificate: 'string' })
    return { block: x.block, certificate: x.certificate }
  })
  return { head: r.head, blocks }
}

export const encodeHead = (h: HeadAnnouncement): Uint8Array => encodeCbor(h)
export function decodeHeadAnnouncement(bytes: Uint8Array): HeadAnnouncement {
  const r = expectRecord(decodeCbor(bytes, { maxBytes: 256 }), 'head', { height: 'uint', hash: 'hex32', time: 'uint?' })
  return { height: r.height, hash: r.hash, ...(r.time !== undefined ? { time: r.time } : {}) }
}
