// Encoding of the write-ahead-log records: own votes and view changes, persisted before they are
// sent. Committed blocks are not logged here: the store's atomic block batch is their record.
import { encode, decode } from 'cborg'
import { NodeError } from '../util/index.js'
import { decodeMessage, encodeMessage, type DecodeLimits } from './messages.js'
import type { ConsensusRecord, Prepare, PrePrepare, ProposalLike, Mode, Commit } from './types.js'

type BlockCodec<B> = { encodeBlock(b: B): Uint8Array; decodeBlock(bytes: Uint8Array): B }

/** Bytes of a WAL record ('committed' records are the store's and are refused here). */
export function encodeRecord<B extends ProposalLike>(r: ConsensusRecord<B>, codec: BlockCodec<B>): Uint8Array {
  const m = (msg: Parameters<typeof encodeMessage<B>>[0]): Uint8Array => encodeMessage(msg, codec.encodeBlock)
  switch (r.kind) {
    case 'view': return encode(['view', r.view, r.mode])
    case 'pre-prepare': return encode(['pre-prepare', m(r.msg)])
    case 'prepare': return encode(['prepare', m(r.msg)])
    case 'commit': return encode(['commit', m(r.msg), m(r.prepared.prePrepare), r.prepared.prepares.map(m)])
    case 'committed': throw new NodeError({ code: 'WAL_COMMITTED_RECORD' }, 'committed blocks are persisted by the store, not the WAL')
  }
}

/** Decodes a WAL record written by encodeRecord (our own disk: malformed means corrupt). */
export function decodeRecord<B extends ProposalLike>(bytes: Uint8Array, limits: DecodeLimits, codec: BlockCodec<B>): ConsensusRecord<B> {
  const a = decode(bytes, { strict: true }) as unknown[]
  const msg = <T>(b: unknown): T => decodeMessage(b as Uint8Array, limits, codec.decodeBlock) as T
  switch (a[0]) {
    case 'view': return { kind: 'view', view: a[1] as number, mode: a[2] as Mode }
    case 'pre-prepare': return { kind: 'pre-prepare', msg: msg<PrePrepare<B>>(a[1]) }
    case 'prepare': return { kind: 'prepare', msg: msg<Prepare>(a[1]) }
    case 'commit': return { kind: 'commit', msg: msg<Commit>(a[1]), prepared: { prePrepare: msg<PrePrepare<B>>(a[2]), prepares: (a[3] as unknown[]).map((p) => msg<Prepare>(p)) } }
    default: throw new NodeError({ code: 'WAL_CORRUPT', kind: String(a[0]) }, `unknown WAL record ${String(a[0])}`)
  }
}
