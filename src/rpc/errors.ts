// One table from error codes to HTTP statuses; every error leaves as {code, message}.
import { isNodeError } from '../util/index.js'

const STATUS: Record<string, number> = {
  BAD_REQUEST: 400, BAD_JSON: 400, BAD_HEX: 400, BAD_LENGTH: 400, BAD_BASE64: 400, BAD_UTF8: 400,
  TX_BAD_FORMAT: 400, CBOR_DECODE: 400, RECEIPT_BAD_FORMAT: 400, BAD_DIGEST: 400,
  TX_BAD_SIGNATURE: 401,
  TX_UNKNOWN_MEMBER: 403, TX_MEMBER_RETIRED: 403, TX_FORBIDDEN: 403, NOT_A_VALIDATOR: 403,
  NOT_FOUND: 404, ROUTE_NOT_FOUND: 404,
  DUPLICATE_TX: 409,
  BODY_TOO_LARGE: 413, TX_TOO_MANY_ITEMS: 413, TX_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TX_WRONG_CHAIN: 422, TX_EMPTY: 422, RECEIPT_WRONG_CHAIN: 422, UNKNOWN_CHAIN: 422, UNSUPPORTED_ALG: 422,
  MEMPOOL_FULL: 429, MEMBER_QUOTA: 429, RATE_LIMITED: 429,
  SHUTTING_DOWN: 503, NOT_READY: 503, NODE_UNHEALTHY: 503,
  TIMEOUT: 504,
  // Anchor txs and foreign receipts (src/chain/anchor.ts, src/verify/foreign.ts).
  ANCHOR_BAD_NOTE: 400, ANCHOR_BAD_CHECKPOINT: 400, FOREIGN_RECEIPT_MALFORMED: 400,
  ANCHOR_UNKNOWN_CHAIN: 422, ANCHOR_QUORUM: 422, ANCHOR_BAD_SIGNATURE: 422, ANCHOR_BAD_PROOF: 422, FOREIGN_BAD_CONSISTENCY: 422,
  ANCHOR_STALE: 409, ANCHOR_CHAIN_INACTIVE: 409, FOREIGN_STALE_CONSISTENCY: 409,
}

/** The HTTP status and public body for any thrown value; unknown errors are 500 without details. */
export function toHttpError(e: unknown): { status: number; body: { code: string; message: string } } {
  if (isNodeError(e)) return { status: STATUS[e.code] ?? 400, body: { code: e.code, message: e.message } }
  const fe = e as { statusCode?: number; code?: string; message?: string; validation?: unknown }
  if (fe && fe.validation) return { status: 400, body: { code: 'BAD_REQUEST', message: fe.message ?? 'invalid request' } }
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { code: 'BODY_TOO_LARGE', message: 'request body is too large' } }
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported media type: send the body as JSON with Content-Type: application/json' } }
  if (fe?.code?.startsWith?.('FST_ERR_CTP') || (e instanceof SyntaxError)) return { status: 400, body: { code: 'BAD_JSON', message: fe.message ?? 'malformed JSON body' } }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { code: 'BAD_REQUEST', message: fe.message ?? 'bad request' } }
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } }
}
