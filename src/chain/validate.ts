// Block validity rules that need no storage: height, parent, time, limits, senders, duplicates.
// The evidence log root is checked by the node, which owns the log.
import { chainError, ChainErrorCode } from './errors.js'
import type { ConsensusParams } from './genesis.js'
import type { PreparedBlock } from './block.js'
import type { ChainState, VerifiedBefore, VerifySignature } from './state.js'
import { executeBlock } from './execute.js'
import { expectedHandover } from './epoch.js'

export interface ParentInfo { hash: string; height: number; time: number }

export interface BlockContext {
  parent: ParentInfo
  params: ConsensusParams
  state: ChainState
  verify: VerifySignature
  /** Signed txs this node already verified under a key (mempool): skipped while that is still the sender's key. */
  alreadyVerified?: VerifiedBefore
  /** Tx hashes already committed in an earlier block (replays). */
  isCommitted: (txHash: string) => boolean
}

/**
 * Throws a ChainError naming the first rule `pb` breaks; returns the state after the block when
 * valid (its txs executed in order on ctx.state).
 */
export function validateBlock(pb: PreparedBlock, ctx: BlockContext): ChainState {
  const h = pb.block.header
  if (h.height !== ctx.parent.height + 1) {
    throw chainError(ChainErrorCode.BLOCK_BAD_HEIGHT, `block height ${h.height}, expected ${ctx.parent.height + 1}`, { expected: ctx.parent.height + 1, actual: h.height })
  }
  if (h.parent !== ctx.parent.hash) throw chainError(ChainErrorCode.BLOCK_BAD_PARENT, `block parent ${h.parent}, expected ${ctx.parent.hash}`, { expected: ctx.parent.hash, actual: h.parent })
  // Storage time must move forward (docs/formats.md "Block"). How it stands against the clocks is
  // judged by consensus once, when a validator first receives the proposal (proposer-based
  // timestamps, consensus/timely.ts); this rule reads no clock, so a certified block is valid at any time.
  if (h.time <= ctx.parent.time) throw chainError(ChainErrorCode.BLOCK_BAD_TIME, `block time ${h.time} not after parent time ${ctx.parent.time}`)
  if (pb.txs.length > ctx.params.maxBlockTxs) throw chainError(ChainErrorCode.BLOCK_TOO_LARGE, `block has ${pb.txs.length} txs, at most ${ctx.params.maxBlockTxs}`)
  if (pb.bytes.length > ctx.params.maxBlockBytes) throw chainError(ChainErrorCode.BLOCK_TOO_LARGE, `block is ${pb.bytes.length} bytes, at most ${ctx.params.maxBlockBytes}`)
  // The last block of an epoch names the scheduled handover, so its certificate signs it (epoch.ts).
  const handover = expectedHandover(ctx.state, h.height)
  if (h.handover !== handover) {
    throw chainError(ChainErrorCode.BLOCK_BAD_FORMAT, `block ${h.height} handover ${h.handover ?? 'none'}, expected ${handover ?? 'none'}`, { expected: handover ?? null, actual: h.handover ?? null })
  }
  const seen = new Set<string>()
  for (const p of pb.txs) {
    if (seen.has(p.hash) || ctx.isCommitted(p.hash)) throw chainError(ChainErrorCode.BLOCK_DUPLICATE_TX, `tx ${p.hash} appears twice on the chain`, { tx: p.hash })
    seen.add(p.hash)
  }
  // Senders and signatures are checked against the state as it is when their tx runs (a member
  // added earlier in the same block may already send; a key rotated earlier is the key).
  return executeBlock(ctx.state, pb, { verify: ctx.verify, verifiedBefore: ctx.alreadyVerified })
}
