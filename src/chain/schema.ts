// Strict checks for records that arrive from outside (RPC JSON, decoded CBOR): unknown fields,
// wrong types and out-of-range values are refused with the field's name in the message.
import { chainError, type ChainErrorCode } from './errors.js'

export const HEX32_RE = /^[0-9a-f]{64}$/
export const HEX64_RE = /^[0-9a-f]{128}$/
export const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/

type Check = (value: unknown, path: string) => void
export interface Field { check: Check; optional?: boolean }

/** Asserts `value` is a plain object with exactly the allowed fields, each passing its check. */
export function record(value: unknown, path: string, fields: Record<string, Field>, code: ChainErrorCode): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw chainError(code, `"${path}" expected an object`)
  }
  const obj = value as Record<string, unknown>
  for (const k of Object.keys(obj)) {
    if (!(k in fields)) throw chainError(code, `"${path}" has unknown field "${k}"`, { field: `${path}.${k}` })
  }
  for (const [k, f] of Object.entries(fields)) {
    if (obj[k] === undefined) {
      if (!f.optional) throw chainError(code, `"${path}.${k}" is required`, { field: `${path}.${k}` })
      continue
    }
    f.check(obj[k], `${path}.${k}`)
  }
  return obj
}

export function checks(code: ChainErrorCode) {
  const fail = (path: string, what: string): never => { throw chainError(code, `"${path}" expected ${what}`, { field: path }) }
  return {
    string: (max: number, re?: RegExp): Check => (v, p) => {
      if (typeof v !== 'string' || v.length > max || (re && !re.test(v))) fail(p, re ? `a string matching ${re}` : `a string of at most ${max} characters`)
    },
    uint: (max = Number.MAX_SAFE_INTEGER): Check => (v, p) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) fail(p, `an integer in [0, ${max}]`)
    },
    literal: (...allowed: unknown[]): Check => (v, p) => { if (!allowed.includes(v)) fail(p, `one of ${allowed.join(', ')}`) },
    bool: (): Check => (v, p) => { if (typeof v !== 'boolean') fail(p, 'a boolean') },
    array: (min: number, max: number, item: Check): Check => (v, p) => {
      if (!Array.isArray(v) || v.length < min || v.length > max) fail(p, `an array of ${min} to ${max} entries`)
      ;(v as unknown[]).forEach((x, i) => item(x, `${p}[${i}]`))
    },
    object: (fields: Record<string, Field>): Check => (v, p) => { record(v, p, fields, code) },
    any: (): Check => () => {},
  }
}
