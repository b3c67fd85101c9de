// The evidence record's leaf bytes are RFC 8785 canonical JSON, however they are written out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { blockEvidence, evidenceItemJson, recordJson, type EvidenceItem, type EvidenceRecord } from '../../src/chain/index.js'
import { canonicalJson } from '../../src/codec/index.js'
import { hashLeaf } from '../../src/merkle/index.js'
import { utf8 } from '../../src/util/index.js'
import { block1, deposit } from './fixture.js'

const base: EvidenceRecord = { v: 1, chain: 'testchain', height: 7, time: 1_700_000_000_123, tx: 'ab'.repeat(32), item: 0, depositor: 'notary-1', digests: { sha256: 'cd'.repeat(32) } }

test('recordJson is the canonical JSON of every record shape', () => {
  const records: EvidenceRecord[] = [
    base,
    { ...base, item: 999, digests: { sha256: 'cd'.repeat(32), sm3: 'ef'.repeat(32) } },
    { ...base, meta: { size: 0 } },
    { ...base, meta: { caseNo: '（2026）浙01民终123号', label: 'a "quoted" \\ label\n😀', mediaType: 'application/pdf', size: 2 ** 40, commitment: '01'.repeat(32) } },
    { ...base, height: Number.MAX_SAFE_INTEGER, time: 0 },
  ]
  for (const r of records) assert.is(recordJson(r), canonicalJson(r))
})

test('placed evidence leaf hash is of the canonical JSON of the record', () => {
  const pb = block1([deposit('notary-1', ['11'.repeat(32), '22'.repeat(32)]), deposit('notary-1', ['33'.repeat(32)], { items: [{ digests: { sha256: '33'.repeat(32) }, meta: { caseNo: '(2026)京0491民初1号', size: 5 } }] } as never)])
  const placed = blockEvidence(pb, 10)
  assert.is(placed.length, 3)
  for (const p of placed) assert.equal(p.leafHash, hashLeaf(utf8(canonicalJson(p.record))))
})

// Random items of the known shape and off it (extra or prototype-named keys, other value types,
// non-plain objects, lone surrogates, undefined members): evidenceItemJson and recordJson give
// exactly canonicalJson's text, or the same JSON_ENCODE refusal.
test('evidenceItemJson and recordJson agree with canonicalJson on random items', () => {
  let seed = 3
  const r = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000 }
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  const values: unknown[] = ['cd'.repeat(32), '', 'a"b\\c\n', '\ud800', '😀', 0, -0, 7, 2 ** 53, 1.5, NaN, Infinity, true, null, undefined, [1], {}, { x: 1 }, new Uint8Array(1)]
  const keys = ['sha256', 'sm3', 'size', 'mediaType', 'label', 'caseNo', 'commitment', 'digests', 'meta', 'extra', 'toString', 'a', 'z']
  const obj = (known: string[]): Record<string, unknown> => {
    const o: Record<string, unknown> = r() < 0.1 ? Object.create(null) : r() < 0.05 ? new (class Odd {})() as Record<string, unknown> : {}
    for (const k of known) if (r() < 0.6) o[k] = r() < 0.8 && k !== 'size' ? 'ef'.repeat(32) : r() < 0.5 ? Math.floor(r() * 1e6) : pick(values)
    if (r() < 0.15) o[pick(keys)] = pick(values)
    return o
  }
  const outcome = (f: () => string): string => { try { return f() } catch (e) { return `throws ${(e as { code: string }).code}` } }
  let written = 0
  for (let n = 0; n < 5000; n++) {
    const item: Record<string, unknown> = r() < 0.05 ? Object.create(null) : {}
    if (r() < 0.95) item.digests = r() < 0.9 ? obj(['sha256', 'sm3']) : pick(values)
    if (r() < 0.6) item.meta = r() < 0.9 ? obj(['caseNo', 'commitment', 'label', 'mediaType', 'size']) : pick(values)
    if (r() < 0.05) item[pick(keys)] = pick(values)
    const want = outcome(() => canonicalJson(item))
    assert.is(outcome(() => evidenceItemJson(item as unknown as EvidenceItem)), want, String(n))
    if (!want.startsWith('throws')) written++
    const rec = { ...base, digests: item.digests, ...(item.meta !== undefined ? { meta: item.meta } : {}) } as EvidenceRecord
    assert.is(outcome(() => recordJson(rec)), outcome(() => canonicalJson(rec)), String(n))
  }
  assert.ok(written > 2500, `${written} written`)
})

test.run()
