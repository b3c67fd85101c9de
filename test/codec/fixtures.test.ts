// Frozen encodings of sample records (test/fixtures/codec.json): a change in either codec shows
// up here, so a format change is a visible decision (docs/formats.md). To accept one on
// purpose, run with UPDATE_FIXTURES=1 and commit the new file with the format change.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { repoPath } from '../helpers.js'
import { canonicalJson, decodeCbor, encodeCbor, parseJsonStrict } from '../../src/codec/index.js'
import { fromHex, toHex } from '../../src/util/index.js'

const h32 = (b: number): string => b.toString(16).padStart(2, '0').repeat(32)
const bytes = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b)

const CBOR_SAMPLES: Record<string, unknown> = {
  blockHeader: { v: 1, chain: 'devnet', height: 1, time: 1764201600000, parent: h32(0x11), txRoot: h32(0x22), txCount: 3, logSize: 5, logRoot: h32(0x33) },
  commitVote: { type: 'commit', chain: 'devnet', height: 7, view: 2, block: bytes(32, 0xab), sig: bytes(64, 0xcd) },
  nested: { list: [0, -1, 23, 24, -25, 2 ** 32, Number.MAX_SAFE_INTEGER], text: 'ü€😀', empty: {}, none: null, flag: false, raw: new Uint8Array(0) },
}

const JCS_SAMPLES: Record<string, unknown> = {
  evidenceLeaf: {
    v: 1, chain: 'devnet', height: 12, time: 1764201600123, tx: h32(0x44), item: 0, depositor: 'notary-1',
    digests: { sha256: h32(0x55), sm3: h32(0x66) }, meta: { size: 1048576, mediaType: 'application/pdf', label: '合同.pdf', caseNo: '(2025)京0491民初1号' },
  },
  txSigning: { v: 1, chain: 'devnet', type: 'deposit', from: 'notary-1', nonce: 9007199254740991, count: 2, itemsRoot: h32(0x77) },
}

interface Fixture { note: string; cbor: Record<string, string>; jcs: Record<string, string> }
const path = repoPath('test', 'fixtures', 'codec.json')

const current = (): Fixture => ({
  note: 'Frozen codec outputs: CBOR as hex, RFC 8785 JSON as text. Regenerate only for an intended format change (UPDATE_FIXTURES=1).',
  cbor: Object.fromEntries(Object.entries(CBOR_SAMPLES).map(([k, v]) => [k, toHex(encodeCbor(v))])),
  jcs: Object.fromEntries(Object.entries(JCS_SAMPLES).map(([k, v]) => [k, canonicalJson(v)])),
})

if (process.env.UPDATE_FIXTURES === '1') writeFileSync(path, JSON.stringify(current(), null, 2) + '\n')
const frozen = JSON.parse(readFileSync(path, 'utf8')) as Fixture

test('CBOR encodings of the sample records match the frozen fixture', () => {
  assert.equal(Object.keys(frozen.cbor).sort(), Object.keys(CBOR_SAMPLES).sort())
  for (const [name, value] of Object.entries(CBOR_SAMPLES)) {
    assert.is(toHex(encodeCbor(value)), frozen.cbor[name], name)
  }
})

test('the frozen CBOR decodes strictly back to the sample records', () => {
  for (const [name, hex] of Object.entries(frozen.cbor)) {
    assert.equal(decodeCbor(fromHex(hex), { maxBytes: 4096 }), CBOR_SAMPLES[name], name)
  }
})

test('canonical JSON of the sample records matches the frozen fixture and parses back', () => {
  assert.equal(Object.keys(frozen.jcs).sort(), Object.keys(JCS_SAMPLES).sort())
  for (const [name, value] of Object.entries(JCS_SAMPLES)) {
    assert.is(canonicalJson(value), frozen.jcs[name], name)
    assert.equal(parseJsonStrict(frozen.jcs[name]!, 4096), value, name)
  }
})

test.run()
