// Anchor txs (docs/internals.md "Anchor tx (cross-chain)"): any active member posts a
// registered foreign chain's newer signed checkpoint with an RFC 6962 consistency proof from the
// last anchored one. Validators accept it only if a quorum of the registered keys signed it and
// the proof holds; two quorum-signed checkpoints that cannot both be true mark the chain
// equivocated and are kept as evidence of the fork. Anchors change state only (no evidence leaf).
import { parseCheckpoint, verifyNote, type Checkpoint } from '../checkpoint/index.js'
import { hashChildren, verifyConsistency } from '../merkle/index.js'
import { NodeError, equalBytes, fromBase64, toBase64 } from '../util/index.js'
import { ChainErrorCode } from './errors.js'
import { checks, record } from './schema.js'
import type { ChainState, ExecEnv, ForeignChain } from './state.js'

/** One anchor: the foreign origin, its signed checkpoint note, and base64 consistency hashes. */
export interface AnchorItem { origin: string; checkpoint: string; proof: string[] }

/** Why an anchor was refused; the RPC maps these to 4xx (src/rpc/errors.ts). */
export const AnchorErrorCode = {
  /** The origin is not registered by governance. */
  UNKNOWN_CHAIN: 'ANCHOR_UNKNOWN_CHAIN',
  /** The chain is retired or already equivocated: no more anchors. */
  CHAIN_INACTIVE: 'ANCHOR_CHAIN_INACTIVE',
  /** The note is not a well-formed signed note. */
  BAD_NOTE: 'ANCHOR_BAD_NOTE',
  /** A registered key's signature on the note does not verify. */
  BAD_SIGNATURE: 'ANCHOR_BAD_SIGNATURE',
  /** Fewer than the registered quorum of registered keys signed it. */
  QUORUM: 'ANCHOR_QUORUM',
  /** The note body is not a tlog-checkpoint, or names another origin. */
  BAD_CHECKPOINT: 'ANCHOR_BAD_CHECKPOINT',
  /** Not newer than the last anchored checkpoint. */
  STALE: 'ANCHOR_STALE',
  /** The consistency proof does not hold (and proves no fork either). */
  BAD_PROOF: 'ANCHOR_BAD_PROOF',
} as const
export type AnchorErrorCode = (typeof AnchorErrorCode)[keyof typeof AnchorErrorCode]

export function anchorError(code: AnchorErrorCode, message: string, data: Record<string, unknown> = {}): NodeError {
  return new NodeError({ code, ...data }, message)
}

/** Longest checkpoint note accepted in an anchor (256 signature lines fit well within it). */
export const MAX_ANCHOR_NOTE_LENGTH = 64 * 1024
/** A consistency proof has at most 64 hashes, plus one when the old tree's root is given explicitly. */
export const MAX_ANCHOR_PROOF_HASHES = 65
const ORIGIN_RE = /^[\x21-\x2a\x2c-\x7e]{1,255}$/ // as registerChain: printable, no spaces or '+'
const HASH_B64_RE = /^[A-Za-z0-9+/]{43}=$/
const C = checks(ChainErrorCode.TX_BAD_FORMAT)

/** Strictly parses one anchor item (format only; the rules need state: applyAnchor). */
export function parseAnchorItem(value: unknown, path: string): AnchorItem {
  return record(value, path, {
    origin: { check: C.string(255, ORIGIN_RE) },
    checkpoint: { check: C.string(MAX_ANCHOR_NOTE_LENGTH) },
    proof: { check: C.array(0, MAX_ANCHOR_PROOF_HASHES, C.string(44, HASH_B64_RE)) },
  }, ChainErrorCode.TX_BAD_FORMAT) as unknown as AnchorItem
}

/** Applies an anchor tx's items in order; throws an ANCHOR_* error for the first that may not apply. */
export function applyAnchorTx(state: ChainState, items: AnchorItem[], env: ExecEnv): ChainState {
  return items.reduce((s, item) => applyAnchor(s, item, env), state)
}

/** What an anchor does to its foreign chain: a new anchor, or the fork it proves. */
export type AnchorOutcome =
  | { kind: 'anchored'; chain: ForeignChain }
  | { kind: 'fork'; chain: ForeignChain; reason: string }

/** The state after one anchor item (see AnchorOutcome); throws ANCHOR_* when refused. */
export function applyAnchor(state: ChainState, item: AnchorItem, env: ExecEnv): ChainState {
  const out = checkAnchor(state, item, env)
  const chains = new Map(state.foreignChains)
  chains.set(item.origin, out.chain)
  return { ...state, foreignChains: chains }
}

/**
 * The anchor rules. Precondition: `item` passed parseAnchorItem. Only a note signed by
 * a quorum of the registered keys is ever compared with the anchored one, so a forged or
 * minority-signed note is refused (ANCHOR_QUORUM) and can never mark the chain equivocated.
 */
export function checkAnchor(state: ChainState, item: AnchorItem, env: ExecEnv): AnchorOutcome {
  const fc = state.foreignChains.get(item.origin)
  if (!fc) throw anchorError(AnchorErrorCode.UNKNOWN_CHAIN, `chain ${item.origin} is not registered here`, { origin: item.origin })
  if (fc.status !== 'active') throw anchorError(AnchorErrorCode.CHAIN_INACTIVE, `chain ${item.origin} is ${fc.status}: it takes no more anchors`, { origin: item.origin, status: fc.status })
  const cp = verifiedCheckpoint(fc, item.checkpoint)
  const proof = item.proof.map((h, i) => fromBase64(h, `proof[${i}]`))
  const anchored = { size: cp.size, root: toBase64(cp.root), note: item.checkpoint, height: env.height }
  const last = fc.anchor
  // The first anchor is taken on the keys alone: there is nothing to be consistent with.
  if (!last) {
    if (proof.length > 0) throw anchorError(AnchorErrorCode.BAD_PROOF, `the first anchor of ${item.origin} takes no consistency proof, got ${proof.length} hashes`, { origin: item.origin })
    return { kind: 'anchored', chain: { ...fc, anchor: anchored } }
  }
  const lastCp = parseCheckpoint(noteBody(last.note))
  const lastRoot = fromBase64(last.root, 'anchor.root')
  const fork = (reason: string): AnchorOutcome => ({
    kind: 'fork', reason,
    chain: { ...fc, status: 'equivocated', fork: { a: last.note, b: item.checkpoint, height: env.height } },
  })
  // Two certificates for one block height: the foreign validators signed two different blocks.
  if (cp.height !== undefined && cp.height === lastCp.height && cp.block !== undefined && lastCp.block !== undefined && cp.block !== lastCp.block) {
    return fork(`two signed checkpoints for height ${cp.height}: blocks ${lastCp.block} and ${cp.block}`)
  }
  if (cp.size === last.size) {
    if (!equalBytes(cp.root, lastRoot)) return fork(`two signed roots for tree size ${cp.size}`)
    if (proof.length > 0) throw anchorError(AnchorErrorCode.BAD_PROOF, `a checkpoint of the anchored size ${last.size} takes no consistency proof`, { origin: item.origin })
    const newer = cp.height !== undefined && lastCp.height !== undefined ? cp.height > lastCp.height : noteBody(item.checkpoint) !== noteBody(last.note)
    if (!newer) throw anchorError(AnchorErrorCode.STALE, `chain ${item.origin} is already anchored at size ${last.size}${lastCp.height !== undefined ? ` height ${lastCp.height}` : ''}`, { origin: item.origin, anchored: last.size, actual: cp.size })
    return { kind: 'anchored', chain: { ...fc, anchor: anchored } }
  }
  if (cp.size < last.size) {
    // An older checkpoint is refused, unless its proof shows the anchored tree does not extend it.
    const prefix = proof.length > 0 ? impliedPrefixRoot(cp.size, last.size, proof, cp.root, lastRoot) : null
    if (prefix && !equalBytes(prefix, cp.root)) return fork(`the anchored tree of ${last.size} does not extend the signed tree of ${cp.size}`)
    throw anchorError(AnchorErrorCode.STALE, `checkpoint of size ${cp.size} is older than the anchored size ${last.size} of ${item.origin}`, { origin: item.origin, anchored: last.size, actual: cp.size })
  }
  if (verifyConsistency(last.size, cp.size, proof, lastRoot, cp.root)) return { kind: 'anchored', chain: { ...fc, anchor: anchored } }
  // The proof fails. It proves a fork only when it authenticates the new root and shows that
  // tree's first `last.size` leaves have another root; otherwise it is just a bad proof.
  const prefix = impliedPrefixRoot(last.size, cp.size, proof, lastRoot, cp.root)
  if (prefix && !equalBytes(prefix, lastRoot)) return fork(`the signed tree of ${cp.size} does not extend the anchored tree of ${last.size}`)
  throw anchorError(AnchorErrorCode.BAD_PROOF, `consistency proof from the anchored size ${last.size} to ${cp.size} does not verify`, { origin: item.origin, from: last.size, to: cp.size })
}

/** The checkpoint in `note`, once a quorum of the chain's registered keys is seen to have signed it. */
export function verifiedCheckpoint(fc: Pick<ForeignChain, 'origin' | 'vkeys' | 'quorum'>, note: string): Checkpoint & { signers: string[] } {
  let verified
  try {
    verified = verifyNote(note, fc.vkeys, fc.quorum)
  } catch (e) {
    const code = (e as { code?: string }).code
    const msg = `checkpoint of ${fc.origin}: ${(e as Error).message}`
    if (code === 'NOTE_QUORUM') throw anchorError(AnchorErrorCode.QUORUM, `${msg} (registered quorum ${fc.quorum})`, { origin: fc.origin, quorum: fc.quorum })
    if (code === 'NOTE_BAD_SIGNATURE') throw anchorError(AnchorErrorCode.BAD_SIGNATURE, msg, { origin: fc.origin })
    throw anchorError(AnchorErrorCode.BAD_NOTE, msg, { origin: fc.origin })
  }
  let cp: Checkpoint
  try { cp = parseCheckpoint(verified.body) } catch (e) {
    throw anchorError(AnchorErrorCode.BAD_CHECKPOINT, `checkpoint of ${fc.origin}: ${(e as Error).message}`, { origin: fc.origin })
  }
  if (cp.origin !== fc.origin) throw anchorError(AnchorErrorCode.BAD_CHECKPOINT, `checkpoint origin "${cp.origin}" is not the registered "${fc.origin}"`, { origin: fc.origin, actual: cp.origin })
  return { ...cp, signers: verified.verified }
}

/** The note text of a signed note (through the blank line's first newline), unverified. */
function noteBody(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1)
}

/**
 * The root of the first `size1` leaves of the tree (`size2`, `root2`) that a consistency proof
 * implies, or null unless the proof authenticates `root2` (RFC 9162 §2.1.4.2, transparency-dev's
 * formulation). By collision resistance the proof's hashes are then that tree's own subtrees, so
 * a result other than `root1` proves the two signed trees conflict. When `size1` is a power of
 * two the standard proof leaves that subtree out (it is `root1` by assumption); to prove a fork
 * there, the proof carries it as one extra first hash.
 */
export function impliedPrefixRoot(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): Uint8Array | null {
  if (!(size1 > 0 && size1 < size2) || proof.length === 0 || proof.some((h) => h.length !== 32)) return null
  const s1 = BigInt(size1)
  let inner = bitLength((s1 - 1n) ^ (BigInt(size2) - 1n))
  const border = onesCount((s1 - 1n) >> BigInt(inner))
  const shift = trailingZeros(s1)
  inner -= shift
  let seed: Uint8Array
  let rest: Uint8Array[]
  if (proof.length === 1 + inner + border) { seed = proof[0]!; rest = proof.slice(1) } else if (s1 === 1n << BigInt(shift) && proof.length === inner + border) { seed = root1; rest = proof } else return null
  const mask = (s1 - 1n) >> BigInt(shift)
  const innerPart = rest.slice(0, inner)
  const borderPart = rest.slice(inner)
  let h2 = seed
  innerPart.forEach((h, i) => { h2 = ((mask >> BigInt(i)) & 1n) === 0n ? hashChildren(h2, h) : hashChildren(h, h2) })
  for (const h of borderPart) h2 = hashChildren(h, h2)
  if (!equalBytes(h2, root2)) return null
  let h1 = seed
  innerPart.forEach((h, i) => { if (((mask >> BigInt(i)) & 1n) === 1n) h1 = hashChildren(h, h1) })
  for (const h of borderPart) h1 = hashChildren(h, h1)
  return h1
}

function bitLength(x: bigint): number { let n = 0; while (x > 0n) { x >>= 1n; n++ } return n }
function onesCount(x: bigint): number { let n = 0; while (x > 0n) { n += Number(x & 1n); x >>= 1n } return n }
function trailingZeros(x: bigint): number { let n = 0; while (x > 0n && (x & 1n) === 0n) { x >>= 1n; n++ } return n }
