// Governance: court members propose changes and vote; a proposal takes effect in the
// block where the governance rule (default: more than 2/3 of the active court members) is met,
// or expires. Validator-set changes are scheduled as epochs (epoch.ts).
import { sha256 } from '../crypto/portable.js'
import { toHex, utf8, concatBytes } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, ID_RE, record, type Field } from './schema.js'
import { plannedValidators, scheduleValidators } from './epoch.js'
import { governanceProblem, MAX_EPOCH_DELAY, type GovernanceParams, type Role } from './genesis.js'
import { TIMING_PARAMS, type ChainState, type ExecEnv, type ForeignChain, type GovAction, type Member, type Proposal, type TimingParams } from './state.js'

export type { GovAction }

export type GovItem =
  | { op: 'propose'; action: GovAction; ttl: number }
  | { op: 'vote'; proposal: string }

/** How many blocks a proposal stays open at most; ttl 0 means the default. */
export const MAX_PROPOSAL_TTL = 100_000
export const DEFAULT_PROPOSAL_TTL = 1000
const C = checks(ChainErrorCode.TX_BAD_FORMAT)
const ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,255}$/ // printable, no spaces or '+' (C2SP tlog-checkpoint origin)
const PEER_ID = { check: C.string(128, /^[1-9A-HJ-NP-Za-km-z]+$/), optional: true }
const MEMBER_ID = { check: C.string(64, ID_RE) }
const TIMING_MAX_MS = 600_000

const ACTION_FIELDS: Record<GovAction['type'], Record<string, Field>> = {
  registerChain: { origin: { check: C.string(255, ORIGIN_RE) }, vkeys: { check: C.array(1, 256, C.string(512, /^[\x21-\x2a\x2c-\x7e]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/)) }, quorum: { check: C.uint(256) } },
  retireChain: { origin: { check: C.string(255, ORIGIN_RE) } },
  addMember: {
    id: MEMBER_ID, role: { check: C.literal('court', 'unit') }, publicKey: { check: C.string(64, HEX32_RE) },
    peerId: PEER_ID, addrs: { check: C.array(0, 16, C.string(256, /^\/[\x21-\x7e]+$/)), optional: true },
  },
  retireMember: { id: MEMBER_ID },
  rotateKey: { id: MEMBER_ID, publicKey: { check: C.string(64, HEX32_RE) }, peerId: PEER_ID },
  setRole: { id: MEMBER_ID, role: { check: C.literal('court', 'unit') } },
  addValidator: { id: MEMBER_ID },
  removeValidator: { id: MEMBER_ID },
  setParams: { params: { check: C.object(Object.fromEntries(TIMING_PARAMS.map((k) => [k, { check: C.uint(TIMING_MAX_MS), optional: true }]))) } },
  setGovernance: {
    approvalNumerator: { check: C.uint(1000) }, approvalDenominator: { check: C.uint(1000) },
    epochDelay: { check: C.uint(MAX_EPOCH_DELAY), optional: true },
  },
}

/** Strictly parses one governance item. */
export function parseGovItem(value: unknown, path: string): GovItem {
  const op = (value as { op?: unknown } | null)?.op
  if (op === 'vote') return record(value, path, { op: { check: C.literal('vote') }, proposal: { check: C.string(80, /^[0-9a-f]{16}-[0-9]{1,4}$/) } }, ChainErrorCode.TX_BAD_FORMAT) as GovItem
  const item = record(value, path, { op: { check: C.literal('propose') }, action: { check: C.any() }, ttl: { check: C.uint(MAX_PROPOSAL_TTL) } }, ChainErrorCode.TX_BAD_FORMAT) as { action: { type?: unknown } }
  const type = item.action?.type as GovAction['type']
  const fields = Object.hasOwn(ACTION_FIELDS, type as string) ? ACTION_FIELDS[type] : undefined
  if (!fields) throw chainError(ChainErrorCode.TX_BAD_FORMAT, `"${path}.action.type" expected one of ${Object.keys(ACTION_FIELDS).join(', ')}`)
  record(item.action, `${path}.action`, { type: { check: C.literal(type) }, ...fields }, ChainErrorCode.TX_BAD_FORMAT)
  return value as GovItem
}

/** The id of the proposal made by item `i` of tx `txHash`. */
export const proposalId = (txHash: string, i: number): string => `${txHash.slice(0, 16)}-${i}`

const isCourt = (m: Member | undefined): boolean => !!m && m.role === 'court' && m.active
const courtCount = (s: ChainState): number => [...s.members.values()].filter(isCourt).length

/**
 * The governance rule (genesis `governance`, default > 2/3): approvals from active court members
 * × denominator > active courts × numerator. Approvers since retired or made units do not count.
 */
export function approved(s: ChainState, approvals: readonly string[]): boolean {
  const valid = approvals.filter((id) => isCourt(s.members.get(id))).length
  return valid * s.governance.approvalDenominator > courtCount(s) * s.governance.approvalNumerator
}

/** Applies a gov tx's items in order; throws a ChainError for an item that may not apply. */
export function applyGovTx(state: ChainState, from: string, txHash: string, items: GovItem[], env: ExecEnv): ChainState {
  let s = state
  items.forEach((item, i) => {
    const proposals = new Map(s.proposals)
    let p: Proposal
    if (item.op === 'propose') {
      checkAction(s, item.action)
      p = { id: proposalId(txHash, i), action: item.action, proposer: from, approvals: [from], expires: env.height + (item.ttl || DEFAULT_PROPOSAL_TTL) }
    } else {
      const open = proposals.get(item.proposal)
      if (!open) throw chainError(ChainErrorCode.TX_FORBIDDEN, `proposal ${item.proposal} is not open`, { proposal: item.proposal })
      if (open.approvals.includes(from)) throw chainError(ChainErrorCode.TX_FORBIDDEN, `"${from}" already approved proposal ${item.proposal}`, { proposal: item.proposal })
      p = { ...open, approvals: [...open.approvals, from] }
    }
    if (approved(s, p.approvals)) {
      proposals.delete(p.id)
      // The state may have moved since the proposal (another change passed first): a proposal
      // that no longer applies is dropped, not the block that approved it.
      try {
        checkAction(s, p.action)
        s = applyAction({ ...s, proposals }, p.action, env)
      } catch {
        s = { ...s, proposals }
      }
    } else {
      proposals.set(p.id, p)
      s = { ...s, proposals }
    }
  })
  return s
}

/** Drops proposals whose time ran out (called once per block). */
export function expireProposals(s: ChainState, height: number): ChainState {
  if (![...s.proposals.values()].some((p) => p.expires < height)) return s
  return { ...s, proposals: new Map([...s.proposals].filter(([, p]) => p.expires >= height)) }
}

function checkAction(s: ChainState, a: GovAction): void {
  const fail = (m: string): never => { throw chainError(ChainErrorCode.TX_FORBIDDEN, m, { action: a.type }) }
  const active = (id: string): Member => {
    const m = s.members.get(id)
    return m && m.active ? m : fail(`member ${id} is not active`)
  }
  const planned = plannedValidators(s)
  const lastCourt = (id: string): void => { if (isCourt(s.members.get(id)) && courtCount(s) === 1) fail(`${id} is the last active court member: governance would stop`) }
  switch (a.type) {
    case 'registerChain':
      if (a.quorum < 1 || a.quorum > a.vkeys.length) fail(`quorum ${a.quorum} must be between 1 and the ${a.vkeys.length} vkeys`)
      if (s.foreignChains.get(a.origin)?.status === 'active') fail(`chain ${a.origin} is already registered`)
      break
    case 'retireChain': if (!s.foreignChains.has(a.origin)) fail(`chain ${a.origin} is not registered`); break
    case 'addMember':
      if (s.members.has(a.id)) fail(`member ${a.id} exists`)
      if ([...s.members.values()].some((m) => m.publicKey === a.publicKey)) fail('that key belongs to another member')
      break
    case 'retireMember':
      active(a.id)
      if (planned.includes(a.id) || s.validators.includes(a.id)) fail(`member ${a.id} is a validator; remove it from the validator set first`)
      lastCourt(a.id)
      break
    case 'rotateKey':
      active(a.id)
      // A validator's key is its certificate key: rotating it needs a handover (remove, rotate, add).
      if (planned.includes(a.id) || s.validators.includes(a.id)) fail(`member ${a.id} is a validator; remove it from the validator set before rotating its key`)
      if ([...s.members.values()].some((m) => m.publicKey === a.publicKey)) fail('that key belongs to a member already')
      break
    case 'setRole':
      if (active(a.id).role === a.role) fail(`member ${a.id} already has role ${a.role}`)
      if (a.role === 'unit') lastCourt(a.id)
      break
    case 'addValidator': {
      const m = active(a.id)
      if (!m.peerId || !m.addrs?.length) fail(`member ${a.id} has no peerId and addrs: a validator must run a reachable node`)
      if (planned.includes(a.id)) fail(`member ${a.id} is already a validator`)
      if (s.pendingEpoch) fail(`a validator-set change is already scheduled for height ${s.pendingEpoch.start}`)
      break
    }
    case 'removeValidator':
      if (!planned.includes(a.id)) fail(`member ${a.id} is not a validator`)
      if (planned.length === 1) fail('the last validator may not be removed')
      if (s.pendingEpoch) fail(`a validator-set change is already scheduled for height ${s.pendingEpoch.start}`)
      break
    case 'setParams':
      if (Object.keys(a.params).length === 0) fail('setParams names no parameter')
      for (const [k, v] of Object.entries(a.params)) if ((v as number) < 1) fail(`${k} must be at least 1 ms`)
      break
    case 'setGovernance': {
      const problem = governanceProblem(a)
      if (problem) fail(problem)
      break
    }
  }
}

function applyAction(s: ChainState, a: GovAction, env: ExecEnv): ChainState {
  const withMember = (id: string, change: Partial<Member>): ChainState => {
    const members = new Map(s.members)
    members.set(id, { ...members.get(id)!, ...change })
    return { ...s, members }
  }
  switch (a.type) {
    case 'registerChain': {
      const chains = new Map(s.foreignChains)
      const fc: ForeignChain = { origin: a.origin, vkeys: a.vkeys, quorum: a.quorum, status: 'active', registeredAt: env.height, anchor: null, fork: null }
      chains.set(a.origin, fc)
      return { ...s, foreignChains: chains }
    }
    case 'retireChain': {
      const chains = new Map(s.foreignChains)
      chains.set(a.origin, { ...chains.get(a.origin)!, status: 'retired' })
      return { ...s, foreignChains: chains }
    }
    case 'addMember': {
      const members = new Map(s.members)
      const m: Member = { id: a.id, role: a.role, publicKey: a.publicKey, validator: false, active: true, ...(a.peerId ? { peerId: a.peerId } : {}), ...(a.addrs ? { addrs: a.addrs } : {}) }
      members.set(a.id, m)
      return { ...s, members }
    }
    case 'retireMember': return withMember(a.id, { active: false })
    case 'rotateKey': return withMember(a.id, { publicKey: a.publicKey, ...(a.peerId ? { peerId: a.peerId } : {}) })
    case 'setRole': return withMember(a.id, { role: a.role })
    case 'addValidator': return scheduleValidators(s, [...plannedValidators(s), a.id], env.height)
    case 'removeValidator': return scheduleValidators(s, plannedValidators(s).filter((id) => id !== a.id), env.height)
    case 'setParams': return { ...s, params: { ...s.params, ...a.params } }
    case 'setGovernance': {
      const { type: _type, ...rule } = a
      return { ...s, governance: { ...s.governance, ...rule } }
    }
  }
}

/** A stable digest of the state, e.g. for logs and tests. */
export function stateDigest(encoded: Uint8Array): string {
  return toHex(sha256(concatBytes(utf8('courtchain/state/v1\n'), encoded)))
}
