// Member cards for the genesis ceremony: each court or unit states the genesis entry it asks for
// (id, role, key, peer id, addresses) and signs it with that key, so whoever assembles the genesis
// can show that every entry came from the holder of the key it names, and no address was mistyped
// on the way (docs/operations.md "Genesis ceremony").
import { canonicalJsonBytes } from '../codec/index.js'
import { concatBytes, fromHex, NodeError, toHex, utf8 } from '../util/index.js'
import { ChainErrorCode } from './errors.js'
import { memberFields, type GenesisMember } from './genesis.js'
import { checks, HEX64_RE, ID_RE, recordFault, type Fault } from './schema.js'
import type { VerifySignature } from './state.js'

export const MEMBER_CARD_FORMAT = 'courtchain-member-card/v1'

/** A genesis member entry, optionally bound to one chain id, signed by the member's own key. */
export type MemberCard = GenesisMember & { format: typeof MEMBER_CARD_FORMAT; chainId?: string; sig: string }

const C = checks(ChainErrorCode.GENESIS_INVALID)
const cardFields = {
  format: { check: C.literal(MEMBER_CARD_FORMAT) },
  chainId: { check: C.string(64, ID_RE), optional: true },
  ...memberFields,
  sig: { check: C.string(128, HEX64_RE) },
}

/** What the card's signature covers: a tag, then the card without its signature (JCS). */
export function memberCardSigningBytes(card: Omit<MemberCard, 'sig'> & { sig?: string }): Uint8Array {
  const { sig: _sig, ...body } = card
  return concatBytes(utf8('courtchain/member-card/v1\n'), canonicalJsonBytes(body))
}

/** Signs a member entry as a card (`sign` holds the member's key, whose public key the entry names). */
export function signMemberCard(member: GenesisMember, sign: (msg: Uint8Array) => Uint8Array, chainId?: string): MemberCard {
  const body = { format: MEMBER_CARD_FORMAT, ...(chainId ? { chainId } : {}), ...member } as const
  return { ...body, sig: toHex(sign(memberCardSigningBytes(body))) }
}

const describe = (f: Fault): string =>
  f.kind === 'unknown' ? `unknown field "${f.key}"` : f.kind === 'object' ? 'expected an object' : f.kind === 'required' ? `"${f.at.slice(1)}" is required` : `"${f.at.slice(1)}" expected ${f.what}`

/**
 * Checks a parsed card: its fields (strictly, as a genesis member), a validator's peer id and
 * addresses, and its signature by the key it names. Throws MEMBER_CARD_INVALID naming `label`.
 */
export function parseMemberCard(value: unknown, verify: VerifySignature, label = 'card'): MemberCard {
  const bad = (why: string): NodeError => new NodeError({ code: 'MEMBER_CARD_INVALID', card: label }, `${label}: ${why}`)
  const fault = recordFault(value, cardFields)
  if (fault) throw bad(describe(fault))
  const card = value as MemberCard
  if (card.validator && (!card.peerId || !card.addrs?.length)) throw bad(`validator "${card.id}" needs a peerId and addrs`)
  if (!verify(fromHex(card.publicKey, 'publicKey', 32), memberCardSigningBytes(card), fromHex(card.sig, 'sig', 64))) {
    throw bad(`the signature of "${card.id}" does not verify with the public key it names`)
  }
  return card
}

/** The genesis member entry a card asks for. */
export function cardMember(card: MemberCard): GenesisMember {
  const { format: _f, chainId: _c, sig: _s, ...member } = card
  return member
}
