// The record checks build a field's path only when they refuse it; these tests hold them to the
// path-per-field implementation they replaced (kept below as the reference), over random inputs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ChainErrorCode, chainError, parseEvidenceItem, parseTx, type ChainErrorCode as Code } from '../../src/chain/index.js'
import { HEX32_RE, HEX64_RE, ID_RE } from '../../src/chain/schema.js'
import { deposit } from './fixture.js'

// --- the reference: the checks as they were, a path string per field ---
type RefCheck = (value: unknown, path: string) => void
interface RefField { check: RefCheck; optional?: boolean }
function refRecord(value: unknown, path: string, fields: Record<string, RefField>, code: Code): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw chainError(code, `"${path}" expected an object`)
  const obj = value as Record<string, unknown>
  for (const k of Object.keys(obj)) {
    if (!Object.hasOwn(fields, k)) throw chainError(code, `"${path}" has unknown field "${k}"`, { field: `${path}.${k}` })
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
function refChecks(code: Code) {
  const fail = (path: string, what: string): never => { throw chainError(code, `"${path}" expected ${what}`, { field: path }) }
  return {
    string: (max: number, re?: RegExp): RefCheck => (v, p) => {
      if (typeof v !== 'string' || v.length > max || (re && !re.test(v))) fail(p, re ? `a string matching ${re}` : `a string of at most ${max} characters`)
    },
    uint: (max = Number.MAX_SAFE_INTEGER): RefCheck => (v, p) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) fail(p, `an integer in [0, ${max}]`)
    },
    literal: (...allowed: unknown[]): RefCheck => (v, p) => { if (!allowed.includes(v)) fail(p, `one of ${allowed.join(', ')}`) },
    array: (min: number, max: number, item: RefCheck): RefCheck => (v, p) => {
      if (!Array.isArray(v) || v.length < min || v.length > max) fail(p, `an array of ${min} to ${max} entries`)
      ;(v as unknown[]).forEach((x, i) => item(x, `${p}[${i}]`))
    },
    object: (fields: Record<string, RefField>): RefCheck => (v, p) => { refRecord(v, p, fields, code) },
    any: (): RefCheck => () => {},
  }
}
const R = refChecks(ChainErrorCode.TX_BAD_FORMAT)
const CASE_NO_RE = /^[\p{L}\p{N}(（〔\[][\p{L}\p{N} ()（）〔〕\[\]._\/#-]{0,127}$/u
const refEvidenceFields = {
  digests: { check: R.object({ sha256: { check: R.string(64, HEX32_RE) }, sm3: { check: R.string(64, HEX32_RE), optional: true } }) },
  meta: {
    optional: true,
    check: R.object({
      size: { check: R.uint(), optional: true },
      mediaType: { check: R.string(255, /^[\x21-\x7e]+\/[\x21-\x7e]+$/), optional: true },
      label: { check: R.string(1024), optional: true },
      caseNo: { check: R.string(128, CASE_NO_RE), optional: true },
      commitment: { check: R.string(64, HEX32_RE), optional: true },
    }),
  },
}
function refParseEvidenceItem(value: unknown, path: string): unknown {
  const item = refRecord(value, path, refEvidenceFields, ChainErrorCode.TX_BAD_FORMAT) as { meta?: object }
  if (item.meta && Object.keys(item.meta).length === 0) refRecord(undefined, `${path}.meta`, {}, ChainErrorCode.TX_BAD_FORMAT)
  return item
}
const TX_TYPES = ['deposit', 'verify', 'gov', 'anchor']
function refParseTxFormat(value: unknown): void {
  const obj = refRecord(value, 'tx', {
    v: { check: R.literal(1) }, chain: { check: R.string(64, ID_RE) }, type: { check: R.literal(...TX_TYPES) },
    from: { check: R.string(64, ID_RE) }, nonce: { check: R.uint() },
    items: { check: R.array(0, Number.MAX_SAFE_INTEGER, R.any()) }, sig: { check: R.string(128, HEX64_RE) },
  }, ChainErrorCode.TX_BAD_FORMAT) as { chain: string; type: string; items: unknown[] }
  if (obj.chain !== 'testchain' || obj.items.length === 0 || obj.items.length > 16) return // other checks, same order in both
  if (obj.type !== 'deposit' && obj.type !== 'verify') throw new Error('skip') // gov and anchor items keep their own parsers
  obj.items.forEach((it, i) => refParseEvidenceItem(it, `tx.items[${i}]`))
}

// --- random inputs: a valid tx with a few random edits ---
function rng(seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000 }
}
const SAMPLES: unknown[] = [
  undefined, null, true, 0, -1, 1.5, 2 ** 53, 'x', '', 'AB'.repeat(32), 'ab'.repeat(32), 'ab'.repeat(33), 'a'.repeat(2000),
  'text/plain', '(2026)京0491民初1号', [], [1], {}, { a: 1 }, new Uint8Array(2), 'testchain', 'deposit', 'gov',
]
const KEYS = ['v', 'chain', 'type', 'from', 'nonce', 'items', 'sig', 'digests', 'sha256', 'sm3', 'meta', 'size', 'mediaType', 'label', 'caseNo', 'commitment', 'extra', 'toString', 'constructor', '__proto__']

function mutate(value: unknown, r: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  if (depth > 0 && r() < 0.15) return structuredClone(pick(SAMPLES))
  if (Array.isArray(value)) {
    const out = value.slice()
    if (out.length > 0 && r() < 0.7) { const i = Math.floor(r() * out.length); out[i] = mutate(out[i], r, depth + 1) }
    if (r() < 0.1) out.push(structuredClone(pick(SAMPLES)))
    return out
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = { ...value }
    const keys = Object.keys(out)
    const roll = r()
    if (roll < 0.1 && keys.length > 0) delete out[pick(keys)]
    else if (roll < 0.2) Object.defineProperty(out, pick(KEYS), { value: structuredClone(pick(SAMPLES)), enumerable: true, configurable: true, writable: true })
    else if (keys.length > 0) { const k = pick(keys); out[k] = mutate(out[k], r, depth + 1) }
    return out
  }
  return r() < 0.5 ? structuredClone(pick(SAMPLES)) : value
}

const outcome = (f: () => unknown): string => {
  try { f(); return 'ok' } catch (e) {
    const err = e as { code: string; message: string }
    return JSON.stringify([err.code, err.message, (e as { type?: unknown }).type])
  }
}

test('parseTx refuses exactly what the path-per-field checks refused, with the same code, message and field', () => {
  const r = rng(7)
  const base = deposit('notary-1', ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32)]).tx as unknown as Record<string, unknown>
  const withMeta = { ...base, items: [{ digests: { sha256: 'aa'.repeat(32), sm3: 'bb'.repeat(32) }, meta: { size: 3, mediaType: 'text/plain', label: 'a', caseNo: '(2026)京0491民初1号', commitment: 'cc'.repeat(32) } }, ...(base.items as unknown[])] }
  let refused = 0
  for (let n = 0; n < 4000; n++) {
    let v: unknown = n % 2 ? base : withMeta
    const edits = 1 + Math.floor(r() * 3)
    for (let e = 0; e < edits; e++) v = mutate(v, r)
    const ref = outcome(() => refParseTxFormat(v))
    if (ref.includes('skip')) continue
    const got = outcome(() => parseTx(v, { chainId: 'testchain', genesisHash: '00'.repeat(32), maxTxItems: 16 }))
    if (ref !== 'ok') { refused++; assert.is(got, ref, JSON.stringify(v)) } else if (got !== 'ok') assert.not.match(got, /TX_BAD_FORMAT/, JSON.stringify(v))
  }
  assert.ok(refused > 1000, `${refused} refused`)
})

test('parseEvidenceItem agrees with the path-per-field checks on random items', () => {
  const r = rng(11)
  const item = { digests: { sha256: 'aa'.repeat(32), sm3: 'bb'.repeat(32) }, meta: { size: 3, mediaType: 'text/plain', label: 'a', caseNo: 'A-1', commitment: 'cc'.repeat(32) } }
  for (let n = 0; n < 3000; n++) {
    const v = mutate(mutate(item, r), r)
    assert.is(outcome(() => parseEvidenceItem(v, 'it')), outcome(() => refParseEvidenceItem(v, 'it')), JSON.stringify(v))
  }
})

test('fields named like Object.prototype members are unknown fields', () => {
  const digests = { sha256: 'aa'.repeat(32) }
  for (const k of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
    assert.throws(() => parseEvidenceItem({ digests, [k]: 1 }, 'it'), (e: Error) => e.message === `"it" has unknown field "${k}"`)
    assert.throws(() => parseEvidenceItem({ digests: { ...digests, [k]: 'x' } }, 'it'), (e: Error) => e.message === `"it.digests" has unknown field "${k}"`)
  }
})

test('an empty meta is refused as before', () => {
  assert.throws(() => parseEvidenceItem({ digests: { sha256: 'aa'.repeat(32) }, meta: {} }, 'tx.items[3]'), (e: Error) => e.message === '"tx.items[3].meta" expected an object')
})

test.run()
