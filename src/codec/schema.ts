// A tiny schema check for the strict decoders of our own records (chain, p2p): after JSON or
// CBOR decoding, a record must have exactly the declared fields with the declared types.
import { NodeError } from '../util/index.js'

/** Field types; a trailing '?' makes the field optional. */
export type FieldType =
  | 'string' | 'uint' | 'int' | 'bool' | 'hex32' | 'hex64'
  | 'bytes' | 'bytes32' | 'bytes64' | 'array' | 'object' | 'any'
export type FieldSpec = FieldType | `${FieldType}?`
export type Schema = Record<string, FieldSpec>

type TypeOf<F> =
  F extends 'string' | 'hex32' | 'hex64' ? string
    : F extends 'uint' | 'int' ? number
      : F extends 'bool' ? boolean
        : F extends 'bytes' | 'bytes32' | 'bytes64' ? Uint8Array
          : F extends 'array' ? unknown[]
            : F extends 'object' ? Record<string, unknown>
              : unknown
type Required<S> = { [K in keyof S as S[K] extends `${string}?` ? never : K]: TypeOf<S[K]> }
type Optional<S> = { [K in keyof S as S[K] extends `${infer F}?` ? (F extends FieldType ? K : never) : never]?: S[K] extends `${infer F}?` ? TypeOf<F> : never }
/** The record type a schema describes. */
export type RecordOf<S extends Schema> = Required<S> & Optional<S>

const HEX = /^[0-9a-f]*$/

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof Uint8Array ? `${v.length} bytes` : typeof v

function fits(type: FieldType, v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string'
    case 'uint': return Number.isSafeInteger(v) && (v as number) >= 0
    case 'int': return Number.isSafeInteger(v)
    case 'bool': return typeof v === 'boolean'
    case 'hex32': return typeof v === 'string' && v.length === 64 && HEX.test(v)
    case 'hex64': return typeof v === 'string' && v.length === 128 && HEX.test(v)
    case 'bytes': return v instanceof Uint8Array
    case 'bytes32': return v instanceof Uint8Array && v.length === 32
    case 'bytes64': return v instanceof Uint8Array && v.length === 64
    case 'array': return Array.isArray(v)
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
    case 'any': return v !== undefined
  }
}

/**
 * Checks `value` is an object with exactly the fields of `schema` (optional ones may be absent)
 * and returns it typed; BAD_RECORD names `label.field`, the expected type and what it got.
 */
export function expectRecord<S extends Schema>(value: unknown, label: string, schema: S): RecordOf<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new NodeError({ code: 'BAD_RECORD', label, expected: 'object', actual: describe(value) },
      `"${label}" expected an object, got ${describe(value)}`)
  }
  const rec = value as Record<string, unknown>
  for (const k of Object.keys(rec)) {
    if (!Object.hasOwn(schema, k)) {
      throw new NodeError({ code: 'BAD_RECORD', label, field: k }, `"${label}" has unknown field "${k}"`)
    }
  }
  for (const [k, spec] of Object.entries(schema)) {
    const optional = spec.endsWith('?')
    const type = (optional ? spec.slice(0, -1) : spec) as FieldType
    const v = rec[k]
    if (v === undefined && !Object.hasOwn(rec, k)) {
      if (optional) continue
      throw new NodeError({ code: 'BAD_RECORD', label, field: k, expected: type }, `"${label}.${k}" is missing, expected ${type}`)
    }
    if (!fits(type, v)) {
      throw new NodeError({ code: 'BAD_RECORD', label, field: k, expected: type, actual: describe(v) },
        `"${label}.${k}" expected ${type}, got ${describe(v)}`)
    }
  }
  return rec as RecordOf<S>
}

/** Checks `value` is an array of `min`..`max` elements; BAD_RECORD otherwise. */
export function expectArray(value: unknown, label: string, min = 0, max = Number.MAX_SAFE_INTEGER): unknown[] {
  if (!Array.isArray(value)) {
    throw new NodeError({ code: 'BAD_RECORD', label, expected: 'array', actual: describe(value) }, `"${label}" expected an array, got ${describe(value)}`)
  }
  if (value.length < min || value.length > max) {
    throw new NodeError({ code: 'BAD_RECORD', label, expected: `${min}..${max} items`, actual: value.length },
      `"${label}" expected ${min}..${max} items, got ${value.length}`)
  }
  return value
}
