// Argument checks shared by the Merkle files (not exported from index.ts).
import { NodeError } from '../util/index.js'
import { HASH_SIZE } from './hash.js'

/** Throws MERKLE_BAD_INPUT unless `n` is a safe non-negative integer. */
export function checkSize(n: unknown, label: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: label, actual: String(n) },
      `"${label}" expected a safe unsigned integer, got ${String(n)}`)
  }
  return n
}

/** Throws MERKLE_BAD_INPUT unless `h` is a Uint8Array (of HASH_SIZE bytes when `exact`). */
export function checkHash(h: unknown, label: string, exact = true): Uint8Array {
  if (!(h instanceof Uint8Array)) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: label }, `"${label}" expected Uint8Array`)
  }
  if (exact && h.length !== HASH_SIZE) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: label, expected: HASH_SIZE, actual: h.length },
      `"${label}" expected ${HASH_SIZE} bytes, got ${h.length}`)
  }
  return h
}

/** Throws MERKLE_BAD_INPUT unless `list` is an array of Uint8Array. */
export function checkHashList(list: unknown, label: string, exact = true): Uint8Array[] {
  if (!Array.isArray(list)) {
    throw new NodeError({ code: 'MERKLE_BAD_INPUT', field: label }, `"${label}" expected an array of Uint8Array`)
  }
  list.forEach((h, i) => checkHash(h, `${label}[${i}]`, exact))
  return list as Uint8Array[]
}
