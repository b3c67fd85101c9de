// Fixtures for the PBFT unit tests: four replicas over the simulator's trivial block type
// and fake signatures, messages signed by any of them, and an action inspector.
import { initialState, signMessage, step, type ConsensusAction, type ConsensusContext, type ConsensusInput, type ConsensusMessage, type ConsensusState, type PrePrepare, type Prepare, type Commit } from '../../src/consensus/index.js'
import { makeSimBlock, SIM_GENESIS, simContext, type SimBlock } from '../../scripts/sim/app.js'

export const validators = ['v0', 'v1', 'v2', 'v3']
export const ctxOf = (id: string): ConsensusContext<SimBlock> => simContext(validators, id)
export const opts = { viewTimeoutMs: 100, requestTimeoutMs: 300, blockIntervalMs: 0, checkpointInterval: 4, watermarkWindow: 8,
  maxClockSkewMs: 500, messageDelayMs: 4000 }

export function block(height = 1, parent = SIM_GENESIS.hash, time = 10, requests: string[] = ['r1']): SimBlock {
  return makeSimBlock({ height, parent, time, requests, proposer: 'p' })
}

export class Replica {
  state: ConsensusState<SimBlock>
  ctx: ConsensusContext<SimBlock>
  actions: ConsensusAction<SimBlock>[] = []
  constructor(public id: string, state?: ConsensusState<SimBlock>) {
    this.ctx = ctxOf(id)
    this.state = state ?? initialState<SimBlock>(SIM_GENESIS, opts)
  }
  input(i: ConsensusInput<SimBlock>): ConsensusAction<SimBlock>[] {
    const r = step(this.state, i, this.ctx)
    this.state = r.state
    this.actions.push(...r.actions)
    return r.actions
  }
  receive(msg: ConsensusMessage<SimBlock>, now = 10): ConsensusAction<SimBlock>[] {
    return this.input({ type: 'message', from: msg.from, msg, now })
  }
  sent(type: string): ConsensusMessage<SimBlock>[] {
    return this.actions.flatMap((a) => (a.type === 'broadcast' || a.type === 'send') && a.msg.type === type ? [a.msg] : [])
  }
  commits(): SimBlock[] { return this.actions.flatMap((a) => (a.type === 'commit' ? [a.block] : [])) }
}

export const prePrepare = (from: string, view: number, b: SimBlock): PrePrepare<SimBlock> =>
  signMessage(ctxOf(from), { type: 'pre-prepare', view, height: b.height, digest: b.hash, block: b, from, sig: new Uint8Array() })
export const prepare = (from: string, view: number, b: SimBlock): Prepare =>
  signMessage(ctxOf(from), { type: 'prepare', view, height: b.height, digest: b.hash, from, sig: new Uint8Array() })
export const commit = (from: string, view: number, b: SimBlock): Commit =>
  signMessage(ctxOf(from), { type: 'commit', view, height: b.height, digest: b.hash, from, certSig: ctxOf(from).sign(ctxOf(from).commitPayload(b)), sig: new Uint8Array() })
