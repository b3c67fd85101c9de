// The genesis: chain id, members with roles and keys, consensus parameters (docs/internals.md).
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
  maxClockSkewMs: number
  checkpointInterval: number
  watermarkWindow: number
}

export interface Genesis {
  v: 1
  chainId: string
  time: number
  testChain?: boolean
  members: GenesisMember[]
  consensus: ConsensusParams
}

export const DEFAULT_CONSENSUS: ConsensusParams = {
  maxBlockTxs: 4000,
  maxBlockBytes: 8 * 1024 * 1024,
  maxTxItems: 1000,
  maxTxBytes: 1024 * 1024,
  blockIntervalMs: 20,
  viewTimeoutMs: 2000,
  requestTimeoutMs: 4000,
  maxClockSkewMs: 5000,
  checkpointInterval: 64,
  watermarkWindow: 128,
}

const C = checks(ChainErrorCode.GENESIS_INVALID)
const memberFields = {
  id: { check: C.string(64, ID_RE) },
  role: { check: C.literal('court', 'unit') },
  publicKey: { check: C.string(64, HEX32_RE) },
  validator: { check: C.bool(), optional: true },
  peerId: { check: C.string(128, /^[1-9A-HJ-NP-Za-km-z]+$/), optional: true },
  addrs: { check: C.array(0, 16, C.string(256, /^\/[\x21-\x7e]+$/)), optional: true },
}
const consensusFields = Object.fromEntries(
  (Object.keys(DEFAULT_CONSENSUS) as (keyof ConsensusParams)[]).map((k) => [k, { check: C.uint(2 ** 32) }]),
)

/** Checks a parsed genesis document and returns it typed; every problem names its field. */
export function validateGenesis(value: unknown): Genesis {
  const g = record(value, 'genesis', {
    v: { check: C.literal(1) },
    chainId: { check: C.string(64, ID_RE) },
    time: { check: C.uint() },
    testChain: { check: C.bool(), optional: true },
    members: { check: C.array(1, 10_000, C.object(memberFields)) },
    consensus: { check: C.object(consensusFields) },
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
  if (c.maxTxBytes > c.maxBlockBytes) throw chainErrorFor('maxTxBytes exceeds maxBlockBytes', 'consensus')
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
