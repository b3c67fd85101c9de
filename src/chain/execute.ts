// State transition: a block's txs applied in order to the state before it. Validation and
// commit run the same function, so what was validated is exactly what is persisted.
import { chainError, ChainErrorCode } from './errors.js'
import { applyGovTx, expireProposals } from './gov.js'
import { endOfBlock } from './epoch.js'
import { applyAnchorTx } from './anchor.js'
import type { PreparedBlock } from './block.js'
import type { ChainState, ExecEnv, VerifiedBefore, VerifySignature } from './state.js'
import { checkTxSender } from './tx.js'
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

/**
 * The state after a block. With `senders`, each tx's sender and signature are checked first,
 * against the state the tx runs on, so a key rotated or a member retired earlier in the chain (or
 * the block) counts (validation; block sync, where the certificate is the quorum's word and the
 * signatures are checked here too). Without, the block is taken as already validated.
 */
export function executeBlock(state: ChainState, pb: PreparedBlock, senders?: { verify: VerifySignature; verifiedBefore?: VerifiedBefore | undefined }): ChainState {
  const env: ExecEnv = { height: pb.block.header.height, time: pb.block.header.time }
  let s = expireProposals(state, env.height)
  for (const p of pb.txs) {
    if (senders) checkTxSender(p, s, senders.verify, senders.verifiedBefore)
    s = executeTx(s, p, env)
  }
  return endOfBlock(s, env.height) // a scheduled validator set comes into force after its epoch's last block
}
