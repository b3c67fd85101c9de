import { NodeError } from '../util/index.js'

/** Why a tx, block or genesis was refused. The RPC maps these codes to HTTP statuses. */
export const ChainErrorCode = {
  GENESIS_INVALID: 'GENESIS_INVALID',
  TX_BAD_FORMAT: 'TX_BAD_FORMAT',
  TX_WRONG_CHAIN: 'TX_WRONG_CHAIN',
  TX_BAD_SIGNATURE: 'TX_BAD_SIGNATURE',
  TX_UNKNOWN_MEMBER: 'TX_UNKNOWN_MEMBER',
  TX_MEMBER_RETIRED: 'TX_MEMBER_RETIRED',
  TX_FORBIDDEN: 'TX_FORBIDDEN',
  TX_EMPTY: 'TX_EMPTY',
  TX_TOO_MANY_ITEMS: 'TX_TOO_MANY_ITEMS',
  TX_TOO_LARGE: 'TX_TOO_LARGE',
  DUPLICATE_TX: 'DUPLICATE_TX',
  BLOCK_BAD_FORMAT: 'BLOCK_BAD_FORMAT',
  BLOCK_BAD_HEIGHT: 'BLOCK_BAD_HEIGHT',
  BLOCK_BAD_PARENT: 'BLOCK_BAD_PARENT',
  BLOCK_BAD_TIME: 'BLOCK_BAD_TIME',
  BLOCK_BAD_TX_ROOT: 'BLOCK_BAD_TX_ROOT',
  BLOCK_BAD_LOG: 'BLOCK_BAD_LOG',
  BLOCK_TOO_LARGE: 'BLOCK_TOO_LARGE',
  BLOCK_DUPLICATE_TX: 'BLOCK_DUPLICATE_TX',
} as const
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode]

export type ChainError = NodeError<{ code: ChainErrorCode; [k: string]: unknown }>

export function chainError(code: ChainErrorCode, message: string, data: Record<string, unknown> = {}): ChainError {
  return new NodeError({ code, ...data }, message)
}
