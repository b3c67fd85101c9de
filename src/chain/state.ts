// Chain state that txs read and change: the member registry. Pure: apply functions return new state.
import { fromHex } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { genesisValidators, type Genesis, type Role } from './genesis.js'
import type { PreparedTx, TxType } from './tx.js'

export interface Member {
  id: string
  role: Role
  publicKey: string
  validator: boolean
  active: boolean
  peerId?: string
  addrs?: string[]
}

export interface ChainState {
  chainId: string
  members: ReadonlyMap<string, Member>
  validators: readonly string[]
}

/** Which roles may send each tx type: units and courts deposit; only courts record verifications. */
const ALLOWED: Record<TxType, readonly Role[]> = { deposit: ['court', 'unit'], verify: ['court'] }

export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean

export function initialState(g: Genesis): ChainState {
  const members = new Map<string, Member>()
  for (const m of g.members) {
    members.set(m.id, { id: m.id, role: m.role, publicKey: m.publicKey, validator: !!m.validator, active: true, ...(m.peerId ? { peerId: m.peerId } : {}), ...(m.addrs ? { addrs: m.addrs } : {}) })
  }
  return { chainId: g.chainId, members, validators: genesisValidators(g).map((m) => m.id) }
}

/** The sender must be an active member whose role may send this type; the signature must verify. */
export function checkTxSender(p: PreparedTx, state: ChainState, verify: VerifySignature | null): Member {
  const m = state.members.get(p.tx.from)
  if (!m) throw chainError(ChainErrorCode.TX_UNKNOWN_MEMBER, `"${p.tx.from}" is not a member of this chain`, { from: p.tx.from })
  if (!m.active) throw chainError(ChainErrorCode.TX_MEMBER_RETIRED, `member "${m.id}" is retired`, { from: m.id })
  if (!ALLOWED[p.tx.type].includes(m.role)) {
    throw chainError(ChainErrorCode.TX_FORBIDDEN, `a ${m.role} may not send "${p.tx.type}" txs`, { from: m.id, role: m.role, type: p.tx.type })
  }
  if (verify && !verify(fromHex(m.publicKey, 'publicKey', 32), p.signingBytes, fromHex(p.tx.sig, 'tx.sig', 64))) {
    throw chainError(ChainErrorCode.TX_BAD_SIGNATURE, `signature of tx ${p.hash} does not verify with the key of "${m.id}"`, { tx: p.hash })
  }
  return m
}
