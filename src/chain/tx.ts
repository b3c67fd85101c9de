// Signed txs (docs/formats.md "Tx"): the signature covers a header that commits to the items
// through an RFC 6962 root, so a receipt can prove one item's depositor with a short path, and
// names the chain by its genesis hash, so two chains that share a chain id cannot take each
// other's txs. The tx hash (the header's) names a tx and is its replay key; the signed hash covers
// the signature too, and is what a block's tx root commits to, so a certified block fixes every
// signature it carries.
import { sha256 } from '../crypto/portable.js'
import { canonicalJsonBytes } from '../codec/index.js'
import { hashLeaf, rootFromLeafHashes } from '../merkle/index.js'
import { concatBytes, fromHex, toHex, utf8 } from '../util/index.js'
import { chainError, ChainErrorCode } from './errors.js'
import { evidenceItemFault, evidenceItemJson, parseEvidenceItem, type EvidenceItem } from './items.js'
import { parseGovItem, type GovItem } from './gov.js'
import { parseAnchorItem, type AnchorItem } from './anchor.js'
import { checks, faultError, HEX32_RE, HEX64_RE, ID_RE, record } from './schema.js'
import { ALLOWED_ROLES, type ChainState, type Member, type TxType, type VerifiedBefore, type VerifySignature } from './state.js'

/** Tx types and the parser of their items; evidence types put their items in the log. */
const ITEM_PARSERS = {
  deposit: parseEvidenceItem,
  verify: parseEvidenceItem,
  gov: parseGovItem,
  anchor: parseAnchorItem,
} as const satisfies Record<TxType, unknown>
export const TX_TYPES = Object.keys(ITEM_PARSERS) as TxType[]
export const EVIDENCE_TX_TYPES: readonly TxType[] = ['deposit', 'verify']

interface TxBase { v: 1; chain: string; from: string; nonce: number; sig: string }
export type EvidenceTx = TxBase & { type: 'deposit' | 'verify'; items: EvidenceItem[] }
export type GovTx = TxBase & { type: 'gov'; items: GovItem[] }
export type AnchorTx = TxBase & { type: 'anchor'; items: AnchorItem[] }
export type Tx = EvidenceTx | GovTx | AnchorTx
export type UnsignedTx = Omit<EvidenceTx, 'sig'> | Omit<GovTx, 'sig'> | Omit<AnchorTx, 'sig'>

/** True for txs whose items become evidence leaves. */
export function isEvidenceTx(tx: Tx): tx is EvidenceTx {
  return tx.type === 'deposit' || tx.type === 'verify'
}

/**
 * What signers sign: the tx without its items, committed through their Merkle root, and the
 * chain's genesis hash (`genesis`, hex), which the tx itself does not carry: every node knows it.
 */
export interface TxHeader { v: 1; chain: string; genesis: string; type: TxType; from: string; nonce: number; count: number; itemsRoot: string }

/**
 * A tx with the values derived from it computed once. `hash`: of the header (the tx id);
 * `signedHash`: of the header hash and the signature (signedTxHash), the block's tx-root leaf.
 */
export interface PreparedTx { tx: Tx; hash: string; signedHash: string; header: TxHeader; signingBytes: Uint8Array; itemLeafHashes: Uint8Array[] }

const TX_TAG = utf8('courtchain/tx/v2\n')
const SIGNED_TX_TAG = utf8('courtchain/signed-tx/v1\n')
const C = checks(ChainErrorCode.TX_BAD_FORMAT)

/** Item leaf input: the canonical JSON of the item (RFC 8785). */
export function itemLeafInput(item: unknown): Uint8Array {
  return canonicalJsonBytes(item)
}

export function txSigningBytes(header: TxHeader): Uint8Array {
  return concatBytes(TX_TAG, canonicalJsonBytes(header))
}

/**
 * SHA-256("courtchain/signed-tx/v1\n" ‖ tx hash ‖ sig), 32 and 64 raw bytes: the hash of a tx's
 * full signed bytes (as Bitcoin's witness commitment covers what its txid leaves out). Two txs
 * with one header and two signatures share the tx hash, never the signed hash.
 */
export function signedTxHash(txHash: string, sig: string): string {
  return toHex(sha256(concatBytes(SIGNED_TX_TAG, fromHex(txHash, 'txHash', 32), fromHex(sig, 'tx.sig', 64))))
}

/** The leaf hash of each item, the leaves of the tx's items root. */
function itemLeafHashesOf(tx: Tx | UnsignedTx): Uint8Array[] {
  return tx.type === 'deposit' || tx.type === 'verify'
    ? tx.items.map((it) => hashLeaf(utf8(evidenceItemJson(it))))
    : tx.items.map((it) => hashLeaf(itemLeafInput(it)))
}

/**
 * Derives header, signing bytes and hash of a (possibly unsigned) tx of the chain with genesis
 * hash `genesisHash`. `itemsRoot`, when given, is the items root found ahead (chain/ahead.ts): the
 * item leaf hashes are then computed only if asked for (receipts), and a wrong root cannot pass,
 * since the tx hash, and so the block's tx root, commits to it.
 */
export function prepareTx(tx: Tx | UnsignedTx, genesisHash: string, itemsRoot?: string): Omit<PreparedTx, 'tx' | 'signedHash'> {
  let leaves = itemsRoot === undefined ? itemLeafHashesOf(tx) : undefined
  const header: TxHeader = {
    v: 1, chain: tx.chain, genesis: genesisHash, type: tx.type, from: tx.from, nonce: tx.nonce,
    count: tx.items.length, itemsRoot: itemsRoot ?? toHex(rootFromLeafHashes(leaves!)),
  }
  const signingBytes = txSigningBytes(header)
  return { header, signingBytes, hash: toHex(sha256(signingBytes)), get itemLeafHashes() { return (leaves ??= itemLeafHashesOf(tx)) } }
}

/**
 * Signs an unsigned tx for the chain with genesis hash `genesisHash` (a node's /v1/status, or
 * genesisHash of its genesis file) with `sign(signingBytes)`, the member's Ed25519 key.
 */
export function signTx(unsigned: UnsignedTx, genesisHash: string, sign: (msg: Uint8Array) => Uint8Array): PreparedTx {
  if (typeof genesisHash !== 'string' || !HEX32_RE.test(genesisHash)) {
    throw chainError(ChainErrorCode.TX_BAD_FORMAT, `"genesisHash" expected 64 lowercase hex characters, got ${JSON.stringify(genesisHash)}`)
  }
  const p = prepareTx(unsigned, genesisHash)
  const tx = { ...unsigned, sig: toHex(sign(p.signingBytes)) } as Tx
  return { ...p, tx, signedHash: signedTxHash(p.hash, tx.sig) }
}

const TX_FIELDS = {
  v: { check: C.literal(1) },
  chain: { check: C.string(64, ID_RE) },
  type: { check: C.literal(...TX_TYPES) },
  from: { check: C.string(64, ID_RE) },
  nonce: { check: C.uint() },
  items: { check: C.array(0, Number.MAX_SAFE_INTEGER, C.any()) },
  sig: { check: C.string(128, HEX64_RE) },
}

/**
 * Parses a tx from untrusted JSON or decoded CBOR: exact fields, types and limits; its header
 * names the chain of `limits.genesisHash`. Does not check the signature or the sender (that needs
 * state: see checkTxSender).
 */
export function parseTx(value: unknown, limits: { chainId: string; genesisHash: string; maxTxItems: number }, itemsRoot?: string): PreparedTx {
  const obj = record(value, 'tx', TX_FIELDS, ChainErrorCode.TX_BAD_FORMAT) as unknown as Tx
  if (obj.chain !== limits.chainId) {
    throw chainError(ChainErrorCode.TX_WRONG_CHAIN, `"tx.chain" expected "${limits.chainId}", got "${obj.chain}"`, { expected: limits.chainId, actual: obj.chain })
  }
  if (obj.items.length === 0) throw chainError(ChainErrorCode.TX_EMPTY, '"tx.items" is empty')
  if (obj.items.length > limits.maxTxItems) {
    throw chainError(ChainErrorCode.TX_TOO_MANY_ITEMS, `"tx.items" has ${obj.items.length} items, at most ${limits.maxTxItems} allowed`, { max: limits.maxTxItems, actual: obj.items.length })
  }
  let items: unknown[]
  if (isEvidenceTx(obj)) {
    // Evidence items are checked in place: their path is written out only for the one refused.
    for (let i = 0; i < obj.items.length; i++) {
      const fault = evidenceItemFault(obj.items[i])
      if (fault !== undefined) throw faultError(`tx.items[${i}]`, fault, ChainErrorCode.TX_BAD_FORMAT)
    }
    items = obj.items.slice()
  } else {
    const parse = ITEM_PARSERS[obj.type] as (v: unknown, path: string) => unknown
    items = obj.items.map((it, i) => parse(it, `tx.items[${i}]`))
  }
  const tx = { v: 1, chain: obj.chain, type: obj.type, from: obj.from, nonce: obj.nonce, items, sig: obj.sig } as Tx
  // Object.assign, not a spread: a spread would read, and so compute, the lazy item leaf hashes.
  const p = prepareTx(tx, limits.genesisHash, itemsRoot)
  return Object.assign(p, { tx, signedHash: signedTxHash(p.hash, tx.sig) })
}

/** Checks the tx signature against the sender's key with the injected verifier (native on nodes). */
export function txSignatureValid(p: PreparedTx, publicKey: Uint8Array, verify: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean): boolean {
  return verify(publicKey, p.signingBytes, fromHex(p.tx.sig, 'tx.sig', 64))
}

/**
 * The sender must be an active member whose role may send this type; the signature must verify
 * with the sender's key in `state` (the state the tx executes on: a key rotated since admission
 * is the new key). `verify` null skips the signature (the caller checks it); `verifiedBefore`
 * skips it for a tx verified earlier under that same key.
 */
export function checkTxSender(p: PreparedTx, state: ChainState, verify: VerifySignature | null, verifiedBefore?: VerifiedBefore): Member {
  const m = state.members.get(p.tx.from)
  if (!m) throw chainError(ChainErrorCode.TX_UNKNOWN_MEMBER, `"${p.tx.from}" is not a member of this chain`, { from: p.tx.from })
  if (!m.active) throw chainError(ChainErrorCode.TX_MEMBER_RETIRED, `member "${m.id}" is retired`, { from: m.id })
  if (!ALLOWED_ROLES[p.tx.type].includes(m.role)) {
    throw chainError(ChainErrorCode.TX_FORBIDDEN, `a ${m.role} may not send "${p.tx.type}" txs`, { from: m.id, role: m.role, type: p.tx.type })
  }
  if (verify && !verifiedBefore?.(p.signedHash, m.publicKey) && !verify(fromHex(m.publicKey, 'publicKey', 32), p.signingBytes, fromHex(p.tx.sig, 'tx.sig', 64))) {
    throw chainError(ChainErrorCode.TX_BAD_SIGNATURE, `signature of tx ${p.hash} does not verify with the key of "${m.id}"`, { tx: p.hash })
  }
  return m
}
