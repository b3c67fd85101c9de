// C2SP tlog-proof: the spec example and transparency-dev/formats' marshal cases round trip.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatTlogProof, parseTlogProof } from '../../src/checkpoint/index.js'
import { sha256 } from '../../src/crypto/portable.js'
import { fromUtf8, toBase64, utf8 } from '../../src/util/index.js'
import { readVector } from '../helpers.js'

const examples = readVector('signed-note', 'signed_note_vectors.json').tlog_proof_examples
const code = (c: string) => (e: any): boolean => e.code === c

test('the spec example parses (extra, index, 5 hashes, checkpoint verbatim) and formats back identically', () => {
  const text = examples.spec_example_truncated_sigs as string
  const p = parseTlogProof(text)
  assert.is(p.index, 73894)
  assert.is(fromUtf8(p.extra!.slice(0, 30)), 'age-v1.2.1-darwin-arm64.tar.gz')
  assert.is(p.proof.length, 5)
  assert.ok(p.checkpointNote.startsWith('example.com/fancylog\n109482\n'))
  assert.ok(p.checkpointNote.endsWith('S4X82uH5[...]3oEcROGLFQ==\n'))
  assert.is(formatTlogProof(p), text)
})

test('every transparency-dev/formats marshal case is reproduced', () => {
  const h = (s: string): Uint8Array => sha256(utf8(s))
  const cases = examples.marshal_cases_from_tdev_formats_proof_test as any[]
  assert.is(cases.length, 3)
  for (const c of cases) {
    const proof = (c.hashes as string[]).map((s) => h(/sha256\('(.*)'\)/.exec(s)![1]!))
    const extra = c.extra === undefined ? undefined : utf8(c.extra)
    const want = (c.want as string).replace(/\\n/g, '\n')
      .replace('<b64 h1>', toBase64(h('hash1'))).replace('<b64 h2>', toBase64(h('hash2')))
      .replace('<b64 extra>', extra ? toBase64(extra) : '')
    const got = formatTlogProof({ index: c.index, proof, checkpointNote: c.checkpoint, ...(extra ? { extra } : {}) })
    assert.is(got, want)
    assert.equal(parseTlogProof(got), { index: c.index, proof, checkpointNote: c.checkpoint, ...(extra ? { extra } : {}) })
  }
})

test('parseTlogProof rejects malformed proofs', () => {
  const h = toBase64(sha256(utf8('x')))
  const bad = [
    `c2sp.org/tlog-proof@v2\nindex 1\n${h}\n\ncp\n`,
    `c2sp.org/tlog-proof@v1\nindex 01\n${h}\n\ncp\n`,
    `c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n`,
    `c2sp.org/tlog-proof@v1\n${h}\n\ncp\n`, // no index line
    `c2sp.org/tlog-proof@v1\nindex 1\nextra AAAA\n\ncp\n`, // extra after index
    `c2sp.org/tlog-proof@v1\nextra \nindex 1\n\ncp\n`, // empty extra
    `c2sp.org/tlog-proof@v1\nindex 1\n${h.slice(4)}\n\ncp\n`, // short hash
    `c2sp.org/tlog-proof@v1\nindex 1\n${h}`, // no checkpoint
    `c2sp.org/tlog-proof@v1\nindex 1\n\ncp`, // checkpoint without final newline
    `c2sp.org/tlog-proof@v1\nindex 1\n${(h + '\n').repeat(65)}\ncp\n`, // too many hashes
  ]
  for (const t of bad) assert.throws(() => parseTlogProof(t), code('TLOG_PROOF_MALFORMED'), JSON.stringify(t))
})

test.run()
