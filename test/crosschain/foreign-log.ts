// An in-process foreign log for the cross-chain tests: leaves, signed checkpoints and proofs,
// with test keys, so every anchor rule can be exercised without a second cluster.
import { formatCheckpoint, signNote, vkey, type NoteSigner } from '../../src/checkpoint/index.js'
import type { ChainState, ForeignChain } from '../../src/chain/index.js'
import { ed25519PublicKey, sha256 } from '../../src/crypto/index.js'
import { consistencyProof, hashLeaf, inclusionProof, rootFromLeafHashes } from '../../src/merkle/index.js'
import { toBase64, toHex, utf8 } from '../../src/util/index.js'

export const ORIGIN = 'courtchain/foreign'
/** Four registered foreign validators (quorum 3) and one outsider key. */
export const signers: NoteSigner[] = [1, 2, 3, 4].map((i) => ({ name: `f-${i}`, seed: new Uint8Array(32).fill(0x40 + i) }))
export const outsider: NoteSigner = { name: 'f-1', seed: new Uint8Array(32).fill(0x7f) } // same name, another key
export const vkeys = signers.map((s) => vkey(s.name, ed25519PublicKey(s.seed)))

export const leafBytes = (tag: string, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => utf8(`${tag}-${i}`))
export const leafHashes = (bytes: Uint8Array[]): Uint8Array[] => bytes.map(hashLeaf)

/** A history of `n` leaves; `fork(at)` rewrites leaf `at` onwards. */
export function history(n: number, tag = 'leaf'): Uint8Array[] { return leafHashes(leafBytes(tag, n)) }
export function forked(base: Uint8Array[], at: number, n: number): Uint8Array[] {
  return [...base.slice(0, at), ...leafHashes(leafBytes('rewritten', n - at))]
}

/** The signed checkpoint of the first `size` leaves of `leaves`, signed by `by` (default: all four). */
export function checkpointNote(leaves: Uint8Array[], size: number, opts: { by?: NoteSigner[]; height?: number; origin?: string } = {}): string {
  const height = opts.height ?? size
  const body = formatCheckpoint({
    origin: opts.origin ?? ORIGIN, size, root: rootFromLeafHashes(leaves.slice(0, size)),
    height, block: toHex(sha256(utf8(`block-${height}-${toHex(rootFromLeafHashes(leaves.slice(0, size)))}`))), time: 1_700_000_000_000 + height,
  })
  return signNote(body, opts.by ?? signers)
}

export const proofB64 = (size1: number, leaves: Uint8Array[], size2: number): string[] => consistencyProof(size1, leaves.slice(0, size2)).map(toBase64)
export const inclusionB64 = (index: number, leaves: Uint8Array[], size: number): Uint8Array[] => inclusionProof(index, leaves.slice(0, size))

export function registered(overrides: Partial<ForeignChain> = {}): ForeignChain {
  return { origin: ORIGIN, vkeys, quorum: 3, status: 'active', registeredAt: 1, anchor: null, fork: null, ...overrides }
}

export function withForeign(state: ChainState, fc: ForeignChain = registered()): ChainState {
  return { ...state, foreignChains: new Map([[fc.origin, fc]]) }
}
