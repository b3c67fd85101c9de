// A pure chain driven block by block through validateBlock, for the governance rule tests.
import {
  blockCheckpointBody, expectedHandover, makeBlock, signTx, validateBlock,
  type ChainState, type GovAction, type GovItem, type PreparedBlock, type PreparedTx, type TrustRoot, type Handover,
  TRUST_ROOT_FORMAT, genesisHash, handoverHash,
} from '../../src/chain/index.js'
import { signNote } from '../../src/checkpoint/index.js'
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../src/crypto/index.js'
import { toHex } from '../../src/util/index.js'
import { genesis, parent0, seeds, state0 } from '../chain/fixture.js'

export { genesis, seeds, state0 }
let nonce = 1_000

export function govTx(from: string, items: GovItem[]): PreparedTx {
  return signTx({ v: 1, chain: 'testchain', type: 'gov', from, nonce: nonce++, items }, parent0.hash, (m) => ed25519Sign(seeds[from]!, m))
}
export const propose = (from: string, action: GovAction, ttl = 0): PreparedTx => govTx(from, [{ op: 'propose', action, ttl }])
export const vote = (from: string, proposal: string): PreparedTx => govTx(from, [{ op: 'vote', proposal }])
export const keyOf = (seed: Uint8Array): string => toHex(ed25519PublicKey(seed))

export class TestChain {
  state: ChainState = state0
  parent = { ...parent0 }
  blocks: PreparedBlock[] = []

  /** Validates and applies the next block; throws what validateBlock throws. */
  block(txs: PreparedTx[] = [], opts: { handover?: string | null } = {}): PreparedBlock {
    const height = this.parent.height + 1
    const time = this.parent.time + 1000
    const handover = opts.handover === undefined ? expectedHandover(this.state, height) : opts.handover ?? undefined
    const pb = makeBlock({ chain: 'testchain', height, time, parent: this.parent.hash, logSize: 0, logRoot: '00'.repeat(32), ...(handover ? { handover } : {}) }, txs)
    this.state = validateBlock(pb, { parent: this.parent, params: genesis.consensus, state: this.state, verify: ed25519Verify, isCommitted: () => false })
    this.parent = { hash: pb.hash, height, time }
    this.blocks.push(pb)
    return pb
  }

  /** Blocks until the head is `height`. */
  until(height: number): void { while (this.parent.height < height) this.block() }

  /** The id of the proposal made by `tx` (its first item). */
  static id(tx: PreparedTx): string { return `${tx.hash.slice(0, 16)}-0` }
}

/** A commit certificate of `pb` signed by `signers` (member ids with seeds in `keys`). */
export function certify(pb: PreparedBlock, signers: string[], keys: Record<string, Uint8Array> = seeds): string {
  return signNote(blockCheckpointBody(pb), signers.map((name) => ({ name, seed: keys[name]! })))
}

/** The trust root a node would serve for `chain`, with each handover certified by `signersOf(epoch)`. */
export function trustRootOf(chain: TestChain, signersOf: (prevIds: string[]) => string[], keys: Record<string, Uint8Array> = seeds): TrustRoot {
  const history: Handover[] = []
  const epochs = chain.state.epochs
  for (let i = 1; i < epochs.length; i++) {
    const e = epochs[i]!
    const pb = chain.blocks[e.start - 2]!
    const prevIds = epochs[i - 1]!.validators.map((v) => v.id)
    history.push({ epoch: e.epoch, start: e.start, validators: e.validators, prev: epochs[i - 1]!.hash, header: pb.block.header, certificate: certify(pb, signersOf(prevIds), keys) })
    if (handoverHash('testchain', history[history.length - 1]!) !== e.hash) throw new Error('handover hash mismatch in test helper')
  }
  return { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history }
}
