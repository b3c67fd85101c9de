// The simulator's trivial chain: a block is a list of request ids, its hash the SHA-256 of its
// fields; signatures are fake (SHA-256 of a per-replica secret and the payload). Fake crypto
// lives only here: "forged" means signed with a secret that is not the signer's.
import { createHash } from 'node:crypto'
import { equalBytes, utf8 } from '../../src/util/index.js'
import type { BlockRef, ConsensusContext } from '../../src/consensus/index.js'

export interface SimBlock { hash: string; height: number; parent: string; time: number; requests: string[]; proposer: string }

export const SIM_CHAIN = 'sim'
/**
 * The genesis lies 10 hours before the simulation's clock starts: the chain starts quiet, so a
 * primary may stamp its first block hours in the past and still follow its parent (what a
 * Byzantine 'backdate' primary tries, and proposer-based timestamps refuse).
 */
export const SIM_GENESIS: BlockRef = { hash: sha256Hex('sim-genesis'), height: 0, time: -10 * 3_600_000 }
export const MAX_BLOCK_REQUESTS = 20

export function sha256Hex(s: string | Uint8Array): string { return createHash('sha256').update(s).digest('hex') }

/** The digest of a block's fields (everything but the hash). */
export function simBlockHash(b: Omit<SimBlock, 'hash'>): string {
  return sha256Hex(JSON.stringify([b.height, b.parent, b.time, b.requests, b.proposer]))
}

/** A block with its hash filled in. */
export function makeSimBlock(b: Omit<SimBlock, 'hash'>): SimBlock { return { ...b, hash: simBlockHash(b) } }

/**
 * Fake signature of `payload` with `id`'s secret: a keyed 64-bit FNV-1a. Not cryptography, and
 * never used outside the simulator; its Byzantine replicas only ever sign with their own secret.
 */
export function fakeSign(id: string, payload: Uint8Array): Uint8Array {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < id.length; i++) { a = Math.imul(a ^ id.charCodeAt(i), 16777619); b = Math.imul(b ^ id.charCodeAt(i), 0x5bd1e995) }
  for (let i = 0; i < payload.length; i++) { a = Math.imul(a ^ payload[i]!, 16777619); b = Math.imul(b ^ payload[i]!, 0x5bd1e995) ^ (a >>> 13) }
  const out = new Uint8Array(8)
  new DataView(out.buffer).setUint32(0, a >>> 0)
  new DataView(out.buffer).setUint32(4, b >>> 0)
  return out
}

/** The deterministic context a simulated replica runs with. */
export function simContext(validators: string[], self: string, signAs: string = self): ConsensusContext<SimBlock> {
  return {
    chainId: SIM_CHAIN, validators, self, genesis: SIM_GENESIS,
    sign: (payload) => fakeSign(signAs, payload),
    verify: (signer, payload, sig) => sig instanceof Uint8Array && equalBytes(fakeSign(signer, payload), sig),
    commitPayload: (b) => utf8(`sim-checkpoint\n${b.height}\n${b.hash}\n${b.time}`),
    validateBlock: (b, parent) => {
      if (simBlockHash(b) !== b.hash) return 'hash does not match contents'
      if (b.parent !== parent.hash || b.height !== parent.height + 1) return 'not on the committed head'
      if (b.time <= parent.time) return 'time not after parent'
      if (!Array.isArray(b.requests) || b.requests.length > MAX_BLOCK_REQUESTS) return 'too many requests'
      if (b.requests.some((r) => r.startsWith('invalid'))) return 'invalid request'
      return null
    },
    requestIds: (b) => b.requests,
    canExtend: () => true,
  }
}
