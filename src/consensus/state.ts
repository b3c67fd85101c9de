// Replica state: creation, rebuilding from the write-ahead log, watermarks and garbage collection.
import type { BlockRef, CommittedBlock, ConsensusOptions, ConsensusRecord, ConsensusState, Slot } from './types.js'
import { defaultConsensusOptions } from './options.js'

/** A fresh replica at `genesis` in view 0. */
export function initialState<B>(genesis: BlockRef, opts: Partial<ConsensusOptions> = {}): ConsensusState<B> {
  return {
    opts: { ...defaultConsensusOptions, ...opts },
    view: 0, mode: 'normal', viewChangeAttempts: 0,
    head: { ...genesis }, headCert: null, stableHeight: genesis.height, fixedHeight: genesis.height,
    slots: new Map(), prepared: new Map(), votes: new Map(), viewChanges: new Map(), viewsSeen: new Map(), newViewDone: 0, lastNewView: null,
    pending: new Map(), requestSeq: 0, timers: new Map(), timerSeq: 0, proposalAsked: null,
    ahead: new Map(), syncAskedAt: -1, checkpointSent: new Map(),
  }
}

export const voteKey = (phase: 'pp' | 'p' | 'c', view: number, height: number): string => `${phase}:${view}:${height}`

/**
 * Rebuilds the state from WAL records (PBFT §4.5 safety across restarts): own votes, the highest
 * view and its mode, the prepared certificate and the last committed block are all restored, so
 * the replica never votes for a second block at a (view, height) nor goes back in view.
 */
export function restore<B extends { hash: string; height: number; time: number }>(genesis: BlockRef, records: ConsensusRecord<B>[], opts: Partial<ConsensusOptions> = {}): ConsensusState<B> {
  const s = initialState<B>(genesis, opts)
  for (const r of records) {
    switch (r.kind) {
      case 'view':
        if (r.view > s.view || (r.view === s.view && r.mode === 'normal')) { s.view = r.view; s.mode = r.mode }
        if (r.mode === 'normal') s.newViewDone = Math.max(s.newViewDone, r.view)
        if (r.fixed !== undefined) s.fixedHeight = Math.max(s.fixedHeight, r.fixed)
        break
      case 'pre-prepare': s.votes.set(voteKey('pp', r.msg.view, r.msg.height), r.msg.digest); break
      case 'prepare': s.votes.set(voteKey('p', r.msg.view, r.msg.height), r.msg.digest); break
      case 'commit': {
        s.votes.set(voteKey('c', r.msg.view, r.msg.height), r.msg.digest)
        const have = s.prepared.get(r.msg.height)
        if (!have || r.prepared.prePrepare.view > have.prePrepare.view) s.prepared.set(r.msg.height, r.prepared)
        break
      }
      case 'committed':
        if (r.head.block.height > s.head.height) setHead(s, r.head)
        break
    }
  }
  gc(s)
  return s
}

/** Moves the committed head; every K-th height becomes the stable checkpoint (low watermark). */
export function setHead<B extends { hash: string; height: number; time: number }>(s: ConsensusState<B>, head: CommittedBlock<B>): void {
  s.head = { hash: head.block.hash, height: head.block.height, time: head.block.time }
  s.headCert = head
  const k = s.opts.checkpointInterval
  s.stableHeight = Math.max(s.stableHeight, head.block.height - (head.block.height % k))
  for (const h of s.prepared.keys()) if (h <= s.head.height) s.prepared.delete(h)
}

/** PBFT §4.3 garbage collection: drop messages and votes at or below the committed head, and old views. */
export function gc<B>(s: ConsensusState<B>): void {
  for (const h of s.slots.keys()) if (h <= s.stableHeight || h <= s.head.height) s.slots.delete(h)
  for (const [k] of s.votes) if (Number(k.split(':')[2]) <= s.head.height) s.votes.delete(k)
  for (const slot of s.slots.values()) {
    for (const v of slot.prePrepares.keys()) if (v < s.view) slot.prePrepares.delete(v)
    for (const v of slot.prepares.keys()) if (v < s.view) slot.prepares.delete(v)
    for (const v of slot.commits.keys()) if (v < s.view) slot.commits.delete(v)
    for (const v of slot.rejected) if (v < s.view) slot.rejected.delete(v)
  }
  for (const [from, vc] of s.viewChanges) if (vc.view < s.view) s.viewChanges.delete(from)
  for (const [from, v] of s.viewsSeen) if (v <= s.view) s.viewsSeen.delete(from)
  for (const [from, h] of s.ahead) if (h <= s.head.height + 1) s.ahead.delete(from)
  for (const h of s.prepared.keys()) if (h <= s.head.height) s.prepared.delete(h)
}

/** The message log of `height`, created on demand. */
export function slotOf<B>(s: ConsensusState<B>, height: number): Slot<B> {
  let slot = s.slots.get(height)
  if (!slot) {
    slot = { prePrepares: new Map(), rejected: new Set(), prepares: new Map(), commits: new Map() }
    s.slots.set(height, slot)
  }
  return slot
}

/** Number of stored messages: what the memory bound is measured on. */
export function messageStoreSize<B>(s: ConsensusState<B>): number {
  let n = s.prepared.size + s.viewChanges.size + s.viewsSeen.size + s.votes.size + s.pending.size + s.ahead.size + s.checkpointSent.size
  for (const slot of s.slots.values()) {
    n += slot.prePrepares.size + slot.rejected.size
    for (const m of slot.prepares.values()) n += m.size
    for (const m of slot.commits.values()) n += m.size
  }
  return n
}

/** Heights above the head at which this replica accepted a block in its view (pre-prepared or prepared it). */
export function heightsInFlight<B extends { hash: string }>(s: ConsensusState<B>): number {
  let n = 0
  for (let h = s.head.height + 1; ; h++) {
    const pp = s.slots.get(h)?.prePrepares.get(s.view)
    if (!pp || (s.votes.get(voteKey('p', s.view, h)) ?? s.votes.get(voteKey('pp', s.view, h))) !== pp.digest) return n
    n++
  }
}
