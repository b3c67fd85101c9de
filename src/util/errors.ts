/**
 * A typed error: `code` names the rule that failed, `data` carries the expected and actual values.
 * The RPC maps codes to HTTP statuses in one place; nothing else inspects messages.
 */
export class NodeError<T extends { code: string } = { code: string; [k: string]: unknown }> extends Error {
  readonly type: T
  constructor(type: T, message?: string) {
    super(message ?? type.code)
    this.name = 'NodeError'
    this.type = type
  }
  get code(): T['code'] {
    return this.type.code
  }
}

/** True when `e` is a NodeError, optionally with one of the given codes. */
export function isNodeError(e: unknown, ...codes: string[]): e is NodeError {
  return e instanceof NodeError && (codes.length === 0 || codes.includes(e.code))
}

/** Misuse and broken invariants throw this; bad data from outside should use a domain code instead. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new NodeError({ code: 'ASSERTION_FAILED' }, message)
}
