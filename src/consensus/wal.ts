// Encoding of the write-ahead-log records: own votes and view changes, persisted before they are
// sent. Committed blocks are not logged here: the store's atomic block batch is their record.
import { encode, decode } from 'cborg'
import { NodeError } from '../util/index.js'
import { decodeMessage, encodeMessage, type DecodeLimits } from './messages.js'
import type { ConsensusRecord, ConsensusState, Prepare, PrePrepare, ProposalLike, Mode, Commit } from './types.js'

/** A record of the replica's WAL with its sequence number (ascending in the log). */
export interface WalEntry<R> { seq: number; record: R }

/**
 * What the WAL gets for a `persist` action. A `committed` record is the store's (its block batch
 * is the commit's durable record), so the WAL gets the replica's current view instead: the newest
 * view record then lets walRetained drop everything older than the votes still needed.
 */
export function walRecordFor<B>(record: ConsensusRecord<B>, state: Pick<ConsensusState<B>, 'view' | 'mode' | 'fixedHeight'>): ConsensusRecord<B> {
  return record.kind === 'committed' ? { kind: 'view', view: state.view, mode: state.mode, fixed: state.fixedHeight } : record
}

/**
 * The one rule for compacting the WAL, used by the node's engine and by the simulator alike:
 * after the store committed `height`, the entries still needed are the newest view record and
 * every own pre-prepare, prepare and commit above `height`. With pipelining those votes were
 * already sent for heights not committed yet; a replica that forgot them on restart could vote
 * for a second block at the same (view, height), or propose one as primary (PBFT §4.5: a replica
 * logs what it sent before sending it and keeps it until a stable checkpoint covers it).
 * Returns a suffix of `entries`, so a log truncated below its first seq holds exactly these
 * (older entries inside the suffix are harmless: restore() drops what the head covers).
 */
export function walRetained<B>(entries: readonly WalEntry<ConsensusRecord<B>>[], height: number): WalEntry<ConsensusRecord<B>>[] {
  let from = entries.length
  for (let i = entries.length - 1; i >= 0; i--) {
    const r = entries[i]!.record
    if (r.kind === 'view') { from = Math.min(from, i); break }
  }
  for (let i = 0; i < from; i++) {
    const r = entries[i]!.record
    if ((r.kind === 'pre-prepare' || r.kind === 'prepare' || r.kind === 'commit') && r.msg.height > height) { from = i; break }
  }
  return entries.slice(from)
}

type BlockCodec<B> = { encodeBlock(b: B): Uint8Array; decodeBlock(bytes: Uint8Array): B }

/** Bytes of a WAL record ('committed' records are the store's and are refused here). */
export function encodeRecord<B extends ProposalLike>(r: ConsensusRecord<B>, codec: BlockCodec<B>): Uint8Array {
  const m = (msg: Parameters<typeof encodeMessage<B>>[0]): Uint8Array => encodeMessage(msg, codec.encodeBlock)
  switch (r.kind) {
    case 'view': return encode(r.fixed ? ['view', r.view, r.mode, r.fixed] : ['view', r.view, r.mode])
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
    case 'view': return { kind: 'view', view: a[1] as number, mode: a[2] as Mode, ...(a.length > 3 ? { fixed: a[3] as number } : {}) }
    case 'pre-prepare': return { kind: 'pre-prepare', msg: msg<PrePrepare<B>>(a[1]) }
    case 'prepare': return { kind: 'prepare', msg: msg<Prepare>(a[1]) }
    case 'commit': return { kind: 'commit', msg: msg<Commit>(a[1]), prepared: { prePrepare: msg<PrePrepare<B>>(a[2]), prepares: (a[3] as unknown[]).map((p) => msg<Prepare>(p)) } }
    default: throw new NodeError({ code: 'WAL_CORRUPT', kind: String(a[0]) }, `unknown WAL record ${String(a[0])}`)
  }
}
