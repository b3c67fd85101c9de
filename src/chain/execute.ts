// State transition: a block's txs applied in order to the state before it. Validation and
// commit run the same function, so what was validated is exactly what is persisted.
import { chainError, ChainErrorCode } from './errors.js'
import { applyGovTx, expireProposals } from './gov.js'
import { endOfBlock } from './epoch.js'
import { applyAnchorTx } from './anchor.js'
import type { PreparedBlock } from './block.js'
import type { ChainState, ExecEnv } from './state.js'
import type { PreparedTx } from './tx.js'

/** Applies one tx (sender and signature already checked); throws a ChainError if it may not apply. */
export function executeTx(state: ChainState, p: PreparedTx, env: ExecEnv): ChainState {
  const tx = p.tx
  switch (tx.type) {
    case 'deposit': case 'verify': return state
    case 'gov': return applyGovTx(state, tx.from, p.hash, tx.items, env)
    case 'anchor': return applyAnchorTx(state, tx.items, env)
    default: throw chainError(ChainErrorCode.TX_BAD_FORMAT, `no rule for tx type ${(tx as { type: string }).type}`)
  }
}

/** The state after a certified block (already validated, or certified by a quorum). */
export function executeBlock(state: ChainState, pb: PreparedBlock): ChainState {
  const env: ExecEnv = { height: pb.block.header.height, time: pb.block.header.time }
  let s = expireProposals(state, env.height)
  for (const p of pb.txs) s = executeTx(s, p, env)
  return endOfBlock(s, env.height) // a scheduled validator set comes into force after its epoch's last block
}
