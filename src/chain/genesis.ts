// The genesis: chain id, members with roles and keys, consensus parameters (docs/formats.md
// "Genesis").
import { sha256 } from '../crypto/portable.js'
import { canonicalJsonBytes } from '../codec/index.js'
import { concatBytes, toHex, utf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, ID_RE, record } from './schema.js'

const chainErrorFor = (message: string, field: string) => chainError(ChainErrorCode.GENESIS_INVALID, message, { field })

export type Role = 'court' | 'unit'

export interface GenesisMember {
  id: string
  role: Role
  publicKey: string
  validator?: boolean
  peerId?: string
  addrs?: string[]
}

export interface ConsensusParams {
  maxBlockTxs: number
  maxBlockBytes: number
  maxTxItems: number
  maxTxBytes: number
  blockIntervalMs: number
  viewTimeoutMs: number
  requestTimeoutMs: number
  /**
   * Proposer-based timestamps (consensus/timely.ts): the most two honest validators' clocks differ
   * by (PBTS PRECISION), and optionally the longest from a primary stamping a block to an honest
   * validator receiving it (MSGDELAY; the consensus default when absent). A block is prepared only
   * if its time is within [receipt − maxClockSkewMs − messageDelayMs, receipt + maxClockSkewMs].
   */
  maxClockSkewMs: number
  messageDelayMs?: number
  checkpointInterval: number
  watermarkWindow: number
  /** heights agreed on at once (optional; the consensus default when absent) */
  pipelineDepth?: number
}

/**
 * The governance rule: a proposal passes when approvals × approvalDenominator > active courts ×
 * approvalNumerator (default > 2/3); a validator-set change takes effect `epochDelay` blocks
 * after its approval. Changeable only by the same rule (`setGovernance`).
 */
export interface GovernanceParams { approvalNumerator: number; approvalDenominator: number; epochDelay?: number }

export interface Genesis {
  v: 1
  chainId: string
  time: number
  testChain?: boolean
  members: GenesisMember[]
  consensus: ConsensusParams
  governance?: GovernanceParams
}

export const DEFAULT_GOVERNANCE: Required<GovernanceParams> = { approvalNumerator: 2, approvalDenominator: 3, epochDelay: 4 }
/** Fewer than 2 blocks would let the epoch's last block be the approval block itself. */
export const MIN_EPOCH_DELAY = 2
export const MAX_EPOCH_DELAY = 100_000

/** Null when the rule is acceptable, else why: at least a majority, at most unanimity, a sane delay. */
export function governanceProblem(g: GovernanceParams): string | null {
  const { approvalNumerator: n, approvalDenominator: d } = g
  if (d < 1 || d > 1000 || n < 1) return 'approvalDenominator must be in [1, 1000] and approvalNumerator ≥ 1'
  // approvals × d > courts × n: n/d < 1/2 would let two disjoint minorities pass conflicting changes
  if (2 * n < d || n >= d) return `approval threshold ${n}/${d} must be in [1/2, 1)`
  if (g.epochDelay !== undefined && (g.epochDelay < MIN_EPOCH_DELAY || g.epochDelay > MAX_EPOCH_DELAY)) return `epochDelay must be in [${MIN_EPOCH_DELAY}, ${MAX_EPOCH_DELAY}]`
  return null
}

/** Most heights in flight at once a genesis may ask for. */
export const MAX_PIPELINE_DEPTH = 16

export const DEFAULT_CONSENSUS: ConsensusParams = {
  maxBlockTxs: 4000,
  maxBlockBytes: 8 * 1024 * 1024,
  maxTxItems: 1000,
  maxTxBytes: 1024 * 1024,
  blockIntervalMs: 20,
  viewTimeoutMs: 2000,
  requestTimeoutMs: 4000,
  // docs/internals.md "Block time" says why these two
  maxClockSkewMs: 500,
  messageDelayMs: 4000,
  checkpointInterval: 64,
  watermarkWindow: 128,
}

const C = checks(ChainErrorCode.GENESIS_INVALID)
export const memberFields = {
  id: { check: C.string(64, ID_RE) },
  role: { check: C.literal('court', 'unit') },
  publicKey: { check: C.string(64, HEX32_RE) },
  validator: { check: C.bool(), optional: true },
  peerId: { check: C.string(128, /^[1-9A-HJ-NP-Za-km-z]+$/), optional: true },
  addrs: { check: C.array(0, 16, C.string(256, /^\/[\x21-\x7e]+$/)), optional: true },
}
const consensusFields = {
  ...Object.fromEntries((Object.keys(DEFAULT_CONSENSUS) as (keyof ConsensusParams)[]).map((k) => [k, { check: C.uint(2 ** 32) }])),
  // a genesis written before proposer-based timestamps has no messageDelayMs
  messageDelayMs: { check: C.uint(2 ** 32), optional: true },
  pipelineDepth: { check: C.uint(MAX_PIPELINE_DEPTH), optional: true },
}

export const governanceFields = {
  approvalNumerator: { check: C.uint(1000) },
  approvalDenominator: { check: C.uint(1000) },
  epochDelay: { check: C.uint(MAX_EPOCH_DELAY), optional: true },
}

/** Checks a parsed genesis document and returns it typed; every problem names its field. */
export function validateGenesis(value: unknown): Genesis {
  const g = record(value, 'genesis', {
    v: { check: C.literal(1) },
    chainId: { check: C.string(64, ID_RE) },
    time: { check: C.uint() },
    testChain: { check: C.bool(), optional: true },
    members: { check: C.array(1, 10_000, C.object(memberFields)) },
    consensus: { check: C.object(consensusFields) },
    governance: { check: C.object(governanceFields), optional: true },
  }, ChainErrorCode.GENESIS_INVALID) as unknown as Genesis
  const seen = new Set<string>()
  const keys = new Set<string>()
  for (const m of g.members) {
    if (seen.has(m.id)) throw chainErrorFor(`duplicate member id "${m.id}"`, 'members')
    if (keys.has(m.publicKey)) throw chainErrorFor(`member "${m.id}" reuses another member's public key`, 'members')
    seen.add(m.id)
    keys.add(m.publicKey)
    if (m.validator && (!m.peerId || !m.addrs?.length)) throw chainErrorFor(`validator "${m.id}" needs a peerId and addrs`, 'members')
  }
  if (!g.members.some((m) => m.validator)) throw chainErrorFor('genesis names no validator', 'members')
  const c = g.consensus
  if (c.maxBlockTxs < 1 || c.maxTxItems < 1 || c.checkpointInterval < 1 || c.watermarkWindow < 2 * c.checkpointInterval) {
    throw chainErrorFor('consensus limits must be positive and watermarkWindow ≥ 2 × checkpointInterval', 'consensus')
  }
  if (c.pipelineDepth !== undefined && (c.pipelineDepth < 1 || c.pipelineDepth > c.watermarkWindow)) {
    throw chainErrorFor('pipelineDepth must be between 1 and watermarkWindow', 'consensus.pipelineDepth')
  }
  if (c.maxTxBytes > c.maxBlockBytes) throw chainErrorFor('maxTxBytes exceeds maxBlockBytes', 'consensus')
  const gp = g.governance && governanceProblem(g.governance)
  if (gp) throw chainErrorFor(gp, 'governance')
  return g
}

/** SHA-256("courtchain/genesis/v1\n" ‖ JCS(genesis)): block 1's parent. */
export function genesisHash(g: Genesis): string {
  return toHex(sha256(concatBytes(utf8('courtchain/genesis/v1\n'), canonicalJsonBytes(g))))
}

/** Validators in genesis order; the primary of view v is validators[v mod n]. */
export function genesisValidators(g: Genesis): GenesisMember[] {
  return g.members.filter((m) => m.validator)
}

/** f = ⌊(n−1)/3⌋ faults tolerated among n validators; a quorum is 2f+1. */
export function faultsTolerated(n: number): number {
  return Math.floor((n - 1) / 3)
}
export function quorumSize(n: number): number {
  return 2 * faultsTolerated(n) + 1
}
