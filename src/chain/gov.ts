// Governance (issue 7): court members propose changes and vote; a proposal takes effect in the
// block where more than 2/3 of the active court members have approved it, or expires.
import { sha256 } from '../crypto/portable.js'
import { toHex, utf8, concatBytes } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, ID_RE, record } from './schema.js'
import type { ChainState, ExecEnv, ForeignChain, Member, Proposal } from './state.js'

export type GovAction =
  | { type: 'registerChain'; origin: string; vkeys: string[]; quorum: number }
  | { type: 'retireChain'; origin: string }
  | { type: 'addMember'; id: string; role: 'court' | 'unit'; publicKey: string; peerId?: string; addrs?: string[] }
  | { type: 'retireMember'; id: string }
  | { type: 'rotateKey'; id: string; publicKey: string; peerId?: string }

export type GovItem =
  | { op: 'propose'; action: GovAction; ttl: number }
  | { op: 'vote'; proposal: string }

/** How many blocks a proposal stays open by default, and at most. */
export const MAX_PROPOSAL_TTL = 100_000
const C = checks(ChainErrorCode.TX_BAD_FORMAT)
const ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,255}$/ // printable, no spaces or '+' (C2SP tlog-checkpoint origin)

const ACTION_FIELDS: Record<GovAction['type'], Record<string, { check: ReturnType<typeof C.any>; optional?: boolean }>> = {
  registerChain: { origin: { check: C.string(255, ORIGIN_RE) }, vkeys: { check: C.array(1, 256, C.string(512, /^[\x21-\x2a\x2c-\x7e]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/)) }, quorum: { check: C.uint(256) } },
  retireChain: { origin: { check: C.string(255, ORIGIN_RE) } },
  addMember: {
    id: { check: C.string(64, ID_RE) }, role: { check: C.literal('court', 'unit') }, publicKey: { check: C.string(64, HEX32_RE) },
    peerId: { check: C.string(128, /^[1-9A-HJ-NP-Za-km-z]+$/), optional: true }, addrs: { check: C.array(0, 16, C.string(256, /^\/[\x21-\x7e]+$/)), optional: true },
  },
  retireMember: { id: { check: C.string(64, ID_RE) } },
  rotateKey: { id: { check: C.string(64, ID_RE) }, publicKey: { check: C.string(64, HEX32_RE) }, peerId: { check: C.string(128, /^[1-9A-HJ-NP-Za-km-z]+$/), optional: true } },
}

/** Strictly parses one governance item. */
export function parseGovItem(value: unknown, path: string): GovItem {
  const op = (value as { op?: unknown } | null)?.op
  if (op === 'vote') return record(value, path, { op: { check: C.literal('vote') }, proposal: { check: C.string(80, /^[0-9a-f]{16}-[0-9]{1,4}$/) } }, ChainErrorCode.TX_BAD_FORMAT) as GovItem
  const item = record(value, path, { op: { check: C.literal('propose') }, action: { check: C.any() }, ttl: { check: C.uint(MAX_PROPOSAL_TTL) } }, ChainErrorCode.TX_BAD_FORMAT) as { action: { type?: unknown } }
  const type = item.action?.type as GovAction['type']
  const fields = ACTION_FIELDS[type]
  if (!fields) throw chainError(ChainErrorCode.TX_BAD_FORMAT, `"${path}.action.type" expected one of ${Object.keys(ACTION_FIELDS).join(', ')}`)
  record(item.action, `${path}.action`, { type: { check: C.literal(type) }, ...fields }, ChainErrorCode.TX_BAD_FORMAT)
  return value as GovItem
}

/** The id of the proposal made by item `i` of tx `txHash`. */
export const proposalId = (txHash: string, i: number): string => `${txHash.slice(0, 16)}-${i}`

const courtCount = (s: ChainState): number => [...s.members.values()].filter((m) => m.role === 'court' && m.active).length
/** More than 2/3 of the active court members (the rule in issue 7). */
export const approved = (s: ChainState, approvals: number): boolean => approvals * 3 > courtCount(s) * 2

/** Applies a gov tx's items in order; throws a ChainError for an item that may not apply. */
export function applyGovTx(state: ChainState, from: string, txHash: string, items: GovItem[], env: ExecEnv): ChainState {
  let s = state
  items.forEach((item, i) => {
    const proposals = new Map(s.proposals)
    let p: Proposal
    if (item.op === 'propose') {
      checkAction(s, item.action)
      p = { id: proposalId(txHash, i), action: item.action, proposer: from, approvals: [from], expires: env.height + (item.ttl || 1000) }
    } else {
      const open = proposals.get(item.proposal)
      if (!open) throw chainError(ChainErrorCode.TX_FORBIDDEN, `proposal ${item.proposal} is not open`, { proposal: item.proposal })
      if (open.approvals.includes(from)) throw chainError(ChainErrorCode.TX_FORBIDDEN, `"${from}" already approved proposal ${item.proposal}`)
      p = { ...open, approvals: [...open.approvals, from] }
    }
    if (approved(s, p.approvals.length)) {
      proposals.delete(p.id)
      s = applyAction({ ...s, proposals }, p.action, env)
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
    case 'retireMember': case 'rotateKey': {
      const m = s.members.get(a.id)
      if (!m || !m.active) fail(`member ${a.id} is not active`)
      if (a.type === 'retireMember' && m!.validator) fail(`member ${a.id} is a validator; remove it from the validator set first`)
      break
    }
  }
}

function applyAction(s: ChainState, a: GovAction, env: ExecEnv): ChainState {
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
    case 'retireMember': {
      const members = new Map(s.members)
      members.set(a.id, { ...members.get(a.id)!, active: false })
      return { ...s, members }
    }
    case 'rotateKey': {
      const members = new Map(s.members)
      members.set(a.id, { ...members.get(a.id)!, publicKey: a.publicKey, ...(a.peerId ? { peerId: a.peerId } : {}) })
      return { ...s, members }
    }
  }
}

/** A stable digest of the state, e.g. for logs and tests. */
export function stateDigest(encoded: Uint8Array): string {
  return toHex(sha256(concatBytes(utf8('courtchain/state/v1\n'), encoded)))
}
