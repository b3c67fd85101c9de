// Strict checks for records that arrive from outside (RPC JSON, decoded CBOR): unknown fields,
// wrong types and out-of-range values are refused with the field's name in the message.
//
// A check returns undefined for a good value and a Fault for a bad one, located relative to the
// value it was given; the field path is only written out when a record is refused. Building
// "tx.items[7].digests.sha256" for every field of every item was a large part of parsing a block.
import { chainError, type ChainError, type ChainErrorCode } from './errors.js'

export const HEX32_RE = /^[0-9a-f]{64}$/
export const HEX64_RE = /^[0-9a-f]{128}$/
export const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * Why a value was refused. `at` is the path below the checked value ('' for the value itself,
 * else ".field" and "[index]" steps); `kind` picks the message.
 */
export type Fault =
  | { kind: 'object'; at: string }
  | { kind: 'unknown'; at: string; key: string }
  | { kind: 'required'; at: string }
  | { kind: 'expected'; at: string; what: string }

export type Check = (value: unknown) => Fault | undefined
export interface Field { check: Check; optional?: boolean }

const under = (step: string, f: Fault): Fault => ({ ...f, at: step + f.at })

/** The error for `fault` found in the value at `path` (the messages name the full field path). */
export function faultError(path: string, f: Fault, code: ChainErrorCode): ChainError {
  const p = path + f.at
  switch (f.kind) {
    case 'object': return chainError(code, `"${p}" expected an object`)
    case 'unknown': return chainError(code, `"${p}" has unknown field "${f.key}"`, { field: `${p}.${f.key}` })
    case 'required': return chainError(code, `"${p}" is required`, { field: p })
    case 'expected': return chainError(code, `"${p}" expected ${f.what}`, { field: p })
  }
}

/** The first fault of `value` as a plain object with exactly the allowed fields, each passing its check; undefined if none. */
export function recordFault(value: unknown, fields: Record<string, Field>): Fault | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'object', at: '' }
  const obj = value as Record<string, unknown>
  // hasOwn, not `in`: "toString" or "constructor" are not fields of any record.
  for (const k in obj) {
    if (Object.hasOwn(obj, k) && !Object.hasOwn(fields, k)) return { kind: 'unknown', at: '', key: k }
  }
  for (const k in fields) {
    const f = fields[k]!
    const v = obj[k]
    if (v === undefined) {
      if (!f.optional) return { kind: 'required', at: '.' + k }
      continue
    }
    const fault = f.check(v)
    if (fault !== undefined) return under('.' + k, fault)
  }
  return undefined
}

/** Asserts `value` is a plain object with exactly the allowed fields, each passing its check. */
export function record(value: unknown, path: string, fields: Record<string, Field>, code: ChainErrorCode): Record<string, unknown> {
  const fault = recordFault(value, fields)
  if (fault !== undefined) throw faultError(path, fault, code)
  return value as Record<string, unknown>
}

/** Check constructors. `code` is kept for the call sites' sake: the code is given where a record is refused. */
export function checks(_code: ChainErrorCode) {
  const expected = (what: string): Fault => ({ kind: 'expected', at: '', what })
  return {
    string: (max: number, re?: RegExp): Check => (v) =>
      typeof v !== 'string' || v.length > max || (re && !re.test(v)) ? expected(re ? `a string matching ${re}` : `a string of at most ${max} characters`) : undefined,
    uint: (max = Number.MAX_SAFE_INTEGER): Check => (v) =>
      typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max ? expected(`an integer in [0, ${max}]`) : undefined,
    literal: (...allowed: unknown[]): Check => (v) => (allowed.includes(v) ? undefined : expected(`one of ${allowed.join(', ')}`)),
    bool: (): Check => (v) => (typeof v !== 'boolean' ? expected('a boolean') : undefined),
    array: (min: number, max: number, item: Check): Check => (v) => {
      if (!Array.isArray(v) || v.length < min || v.length > max) return expected(`an array of ${min} to ${max} entries`)
      for (let i = 0; i < v.length; i++) {
        const fault = item(v[i])
        if (fault !== undefined) return under(`[${i}]`, fault)
      }
      return undefined
    },
    object: (fields: Record<string, Field>): Check => (v) => recordFault(v, fields),
    any: (): Check => () => undefined,
  }
}
