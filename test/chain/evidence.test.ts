// The evidence record's leaf bytes are RFC 8785 canonical JSON, however they are written out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { blockEvidence, recordJson, type EvidenceRecord } from '../../src/chain/index.js'
import { canonicalJson } from '../../src/codec/index.js'
import { fromUtf8 } from '../../src/util/index.js'
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

test('placed evidence leaf bytes are the canonical JSON of the record', () => {
  const pb = block1([deposit('notary-1', ['11'.repeat(32), '22'.repeat(32)]), deposit('notary-1', ['33'.repeat(32)], { items: [{ digests: { sha256: '33'.repeat(32) }, meta: { caseNo: '(2026)京0491民初1号', size: 5 } }] } as never)])
  const placed = blockEvidence(pb, 10)
  assert.is(placed.length, 3)
  for (const p of placed) assert.is(fromUtf8(p.leafBytes), canonicalJson(p.record))
})

test.run()
