// What PBFT needs from the chain, for this node: the block type it agrees on, signing and
// verification with validator keys, the checkpoint a commit vote signs, and block validity.
import {
  blockCheckpointBody, currentEpoch, decodeBlock, epochAt, expectedHandover, genesisHash, makeBlock, validateBlock,
  type KnownTx, type PreparedBlock, type PreparedTx, type ValidatorKey, type VerifiedBefore,
} from '../chain/index.js'
import type { BlockRef, CertifierSet, CommittedBlock, ConsensusContext } from '../consensus/index.js'
import { parseNote } from '../checkpoint/index.js'
import { ed25519Sign, ed25519Verify } from '../crypto/index.js'
import { fromHex, toHex, utf8 } from '../util/index.js'
import type { Base, Ledger } from './ledger.js'
import type { NodeKey } from './options.js'

/** The block as consensus sees it: its identity fields plus the prepared chain block. */
export interface NodeBlock { hash: string; height: number; parent: string; time: number; pb: PreparedBlock }

export function nodeBlock(pb: PreparedBlock): NodeBlock {
  const h = pb.block.header
  return { hash: pb.hash, height: h.height, parent: h.parent, time: h.time, pb }
}

export const encodeNodeBlock = (b: NodeBlock): Uint8Array => b.pb.bytes

export interface ConsensusAppDeps {
  ledger: Ledger
  key: NodeKey
  /** True while the tx with this hash waits in the mempool (PBFT request timers). */
  isPending(txHash: string): boolean
  /** Signed txs whose signatures the mempool already checked, and under which key. */
  verifiedBefore: VerifiedBefore
}

/** A verifier over one validator set's keys (the epoch's keys, not today's member keys). */
function certifierSet(validators: readonly ValidatorKey[]): CertifierSet {
  const keys = new Map(validators.map((v) => [v.id, fromHex(v.publicKey, 'publicKey', 32)]))
  return {
    validators: validators.map((v) => v.id),
    verify: (signer, payload, sig) => {
      const pub = keys.get(signer)
      return pub !== undefined && ed25519Verify(pub, payload, sig)
    },
  }
}

/**
 * The deterministic context of the PBFT state machine for this node, for the epoch in force
 * after the committed head (an engine runs one epoch; the node replaces it at the boundary).
 * Certificates of earlier heights are checked with the set of their own epoch.
 */
export function consensusContext(d: ConsensusAppDeps): ConsensusContext<NodeBlock> {
  const { ledger } = d
  const state = ledger.state
  const epoch = currentEpoch(state)
  const own = certifierSet(epoch.validators)
  const earlier = new Map<number, CertifierSet>()
  return {
    chainId: ledger.genesis.chainId,
    validators: [...own.validators],
    self: d.key.id,
    genesis: { hash: genesisHash(ledger.genesis), height: 0, time: ledger.genesis.time },
    sign: (payload) => ed25519Sign(d.key.seed, payload),
    verify: own.verify,
    certifiersOf: (height) => {
      if (height >= epoch.start) return null
      const e = epochAt(state.epochs, height)
      let set = earlier.get(e.epoch)
      if (!set) earlier.set(e.epoch, set = certifierSet(e.validators))
      return set
    },
    commitPayload: (b) => utf8(blockCheckpointBody(b.pb)),
    validateBlock: (b, parent) => validateNodeBlock(d, b, parent),
    requestIds: (b) => b.pb.txs.map((t) => t.hash),
    stillPending: (h) => d.isPending(h),
    // pipelining: on a validated block in flight, while the chain after it is still this epoch's
    canExtend: (b) => {
      const base = ledger.baseOf(b.hash)
      return base !== undefined && currentEpoch(base.state).epoch === epoch.epoch
    },
  }
}

/**
 * null when `b` may be prepared on top of `parent` (the committed head, or a block in flight this
 * node validated), else the reason (the first rule broken). A valid block is remembered as a
 * base the next height may build on.
 */
export function validateNodeBlock(d: ConsensusAppDeps, b: NodeBlock, parent: BlockRef): string | null {
  const { ledger } = d
  try {
    const base = ledger.baseOf(parent.hash)
    if (base === undefined) return `parent ${parent.height} is neither the committed head ${ledger.head.height} nor a block in flight`
    const replays = ledger.replaysOf(b.hash, base)
    if (replays === undefined) return 'block was not prechecked'
    const state = validateBlock(b.pb, {
      parent, params: { ...ledger.genesis.consensus, ...base.state.params }, state: base.state,
      verify: ed25519Verify,
      alreadyVerified: d.verifiedBefore,
      isCommitted: replays,
    })
    const work = ledger.workFor(b.pb)
    const h = b.pb.block.header
    if (work.append.size !== h.logSize || toHex(work.append.root) !== h.logRoot) return `log root after block ${h.height} does not match its evidence`
    ledger.noteValidated(b.pb, state, work)
    return null
  } catch (e) {
    return (e as Error).message
  }
}

/** Builds the primary's next block from mempool txs (`txBytes[i]`: tx i's CBOR, when known), on top of `base` (the block `parent`). */
export function buildNodeBlock(ledger: Ledger, base: Base, txs: PreparedTx[], parent: BlockRef, now: number, txBytes?: Uint8Array[]): NodeBlock {
  // This primary's clock: consensus asks for a block only once it is past the parent's time
  // (proposer-based timestamps); the max keeps the block valid should the clock step back meanwhile
  // (the primary then finds its block untimely and builds another).
  const time = Math.max(now, parent.time + 1)
  const height = parent.height + 1
  const handover = expectedHandover(base.state, height) // the epoch's last block names the handover
  const chain = ledger.genesis.chainId
  // The evidence records depend on height and time, not on the log root: place them first,
  // then keep that work for the finished block, so validating our own proposal reuses it.
  const work = ledger.place({ txs, block: { header: { chain, height, time } } }, base)
  const pb = makeBlock({ chain, height, time, parent: parent.hash, logSize: work.append.size, logRoot: toHex(work.append.root), ...(handover ? { handover } : {}) }, txs, txBytes)
  ledger.keepWork(pb.hash, work)
  return nodeBlock(pb)
}

/** Decodes a block received inside a consensus message (strict, bounded); `known` finds txs already admitted. */
export function decodeNodeBlock(ledger: Ledger, bytes: Uint8Array, known?: KnownTx): NodeBlock {
  return nodeBlock(decodeBlock(bytes, ledger.limits, known))
}

/** A stored block and its certificate note, as consensus holds a committed block. */
export function committedBlock(pb: PreparedBlock, certificateNote: string): CommittedBlock<NodeBlock> {
  return { block: nodeBlock(pb), certificate: parseNote(certificateNote).signatures.map((s) => ({ signer: s.name, sig: s.sig })) }
}
