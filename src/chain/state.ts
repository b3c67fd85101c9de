// Chain state that txs read and change: members, foreign chains, open proposals. Pure: apply
// functions return a new state; the ledger persists it with the block that changed it.
import { canonicalJsonBytes } from '../codec/index.js'
import { fromHex, fromUtf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { DEFAULT_GOVERNANCE, genesisHash, genesisValidators, type ConsensusParams, type Genesis, type GovernanceParams, type Role } from './genesis.js'

/** The tx types (chain/tx.ts parses each one's items). */
export type TxType = 'deposit' | 'verify' | 'gov' | 'anchor'

/** A governance action, as a proposal carries it (chain/gov.ts parses and applies it). */
export type GovAction =
  | { type: 'registerChain'; origin: string; vkeys: string[]; quorum: number }
  | { type: 'retireChain'; origin: string }
  | { type: 'addMember'; id: string; role: 'court' | 'unit'; publicKey: string; peerId?: string; addrs?: string[] }
  | { type: 'retireMember'; id: string }
  | { type: 'rotateKey'; id: string; publicKey: string; peerId?: string }
  | { type: 'setRole'; id: string; role: Role }
  | { type: 'addValidator'; id: string }
  | { type: 'removeValidator'; id: string }
  | { type: 'setParams'; params: Partial<TimingParams> }
  | ({ type: 'setGovernance' } & GovernanceParams)

/** A validator as a certificate verifier needs it: key name and Ed25519 key. */
export interface ValidatorKey { id: string; publicKey: string }

/** One validator set and the heights it certifies: [start, next epoch's start). */
export interface Epoch {
  epoch: number
  /** First block height this set certifies. */
  start: number
  validators: ValidatorKey[]
  /** Handover hash (genesis hash for epoch 0): the next handover's `prev`. */
  hash: string
}

/** A change approved but not yet in force. */
export interface PendingEpoch extends Epoch { prev: string; approvedAt: number }

export interface Member {
  id: string
  role: Role
  publicKey: string
  validator: boolean
  active: boolean
  peerId?: string
  addrs?: string[]
}

/** A foreign chain registered by governance: its signed-note keys and quorum. */
export interface ForeignChain {
  origin: string
  vkeys: string[]
  quorum: number
  status: 'active' | 'retired' | 'equivocated'
  registeredAt: number
  /** The newest anchored checkpoint of it (tree size, base64 root, the signed note). */
  anchor: { size: number; root: string; note: string; height: number } | null
  /** Two conflicting signed checkpoints, kept as evidence once the chain equivocated. */
  fork: { a: string; b: string; height: number } | null
}

export interface Proposal { id: string; action: GovAction; proposer: string; approvals: string[]; expires: number }

/** Consensus timings governance may change (`setParams`); sizes stay fixed by genesis, as they bound strict decoding. */
export type TimingParams = Pick<ConsensusParams, 'blockIntervalMs' | 'viewTimeoutMs' | 'requestTimeoutMs' | 'maxClockSkewMs' | 'messageDelayMs'>
export const TIMING_PARAMS = ['blockIntervalMs', 'viewTimeoutMs', 'requestTimeoutMs', 'maxClockSkewMs', 'messageDelayMs'] as const

export interface ChainState {
  chainId: string
  members: ReadonlyMap<string, Member>
  /** The validator set that certifies the next block (ids of the last epoch, in primary order). */
  validators: readonly string[]
  foreignChains: ReadonlyMap<string, ForeignChain>
  proposals: ReadonlyMap<string, Proposal>
  /** Every validator set so far, oldest first (epoch 0 = genesis): certificates are checked by height. */
  epochs: readonly Epoch[]
  pendingEpoch: PendingEpoch | null
  governance: Required<GovernanceParams>
  params: TimingParams
}

/** What executing a tx may read besides the state: the block it is in. */
export interface ExecEnv { height: number; time: number }

/**
 * Which roles may send each tx type: units and courts deposit; only courts verify and govern;
 * any active member may relay an anchor (its validity rests on the foreign quorum's signatures).
 */
export const ALLOWED_ROLES: Record<TxType, readonly Role[]> = { deposit: ['court', 'unit'], verify: ['court'], gov: ['court'], anchor: ['court', 'unit'] }

export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean

export function initialState(g: Genesis): ChainState {
  const members = new Map<string, Member>()
  for (const m of g.members) {
    members.set(m.id, { id: m.id, role: m.role, publicKey: m.publicKey, validator: !!m.validator, active: true, ...(m.peerId ? { peerId: m.peerId } : {}), ...(m.addrs ? { addrs: m.addrs } : {}) })
  }
  const vs = genesisValidators(g)
  const epoch0: Epoch = { epoch: 0, start: 1, validators: vs.map((m) => ({ id: m.id, publicKey: m.publicKey })), hash: genesisHash(g) }
  const c = g.consensus
  return {
    chainId: g.chainId, members, validators: vs.map((m) => m.id), foreignChains: new Map(), proposals: new Map(),
    epochs: [epoch0], pendingEpoch: null, governance: { ...DEFAULT_GOVERNANCE, ...g.governance },
    params: {
      blockIntervalMs: c.blockIntervalMs, viewTimeoutMs: c.viewTimeoutMs, requestTimeoutMs: c.requestTimeoutMs, maxClockSkewMs: c.maxClockSkewMs,
      ...(c.messageDelayMs !== undefined ? { messageDelayMs: c.messageDelayMs } : {}),
    },
  }
}

function fromGenesis(g: Genesis | undefined): Pick<ChainState, 'epochs' | 'pendingEpoch' | 'governance' | 'params'> {
  if (!g) throw chainError(ChainErrorCode.GENESIS_INVALID, 'stored state predates validator epochs: decode it with its genesis')
  const { epochs, pendingEpoch, governance, params } = initialState(g)
  return { epochs, pendingEpoch, governance, params }
}

/** Canonical bytes of the state, for the store (maps as sorted entry lists). */
export function encodeState(s: ChainState): Uint8Array {
  return canonicalJsonBytes({
    chainId: s.chainId, validators: s.validators,
    members: [...s.members.values()], foreignChains: [...s.foreignChains.values()], proposals: [...s.proposals.values()],
    epochs: s.epochs, pendingEpoch: s.pendingEpoch, governance: s.governance, params: s.params,
  })
}

/**
 * The state from encodeState's bytes (our own store: trusted, not re-validated). A state stored
 * by a build without validator epochs has none: they are filled from `genesis` (no validator change
 * could exist yet).
 */
export function decodeState(bytes: Uint8Array, genesis?: Genesis): ChainState {
  const o = JSON.parse(fromUtf8(bytes, 'state')) as Omit<ChainState, 'members' | 'foreignChains' | 'proposals'> & { members: Member[]; foreignChains: ForeignChain[]; proposals: Proposal[] }
  return {
    chainId: o.chainId, validators: o.validators,
    ...(o.epochs ? { epochs: o.epochs, pendingEpoch: o.pendingEpoch, governance: o.governance, params: o.params } : fromGenesis(genesis)),
    members: new Map(o.members.map((m) => [m.id, m])),
    foreignChains: new Map(o.foreignChains.map((c) => [c.origin, c])),
    proposals: new Map(o.proposals.map((p) => [p.id, p])),
  }
}

/**
 * True when this node already verified the tx with these full signed bytes (its signed hash)
 * under this public key, e.g. at mempool admission. Never by the tx hash alone: that names the
 * header, which another signature can accompany.
 */
export type VerifiedBefore = (signedTxHash: string, publicKey: string) => boolean

