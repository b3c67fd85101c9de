// tlog-checkpoint bodies with courtchain's extension lines: exact format, round trip, strictness.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkpointOrigin, formatCheckpoint, parseCheckpoint, parseNote } from '../../src/checkpoint/index.js'
import { toBase64 } from '../../src/util/index.js'
import { readVector } from '../helpers.js'

const code = (c: string) => (e: any): boolean => e.code === c
const root = Uint8Array.from({ length: 32 }, (_, i) => i)
const block = 'ab'.repeat(32)
const cp = { origin: 'courtchain/devnet', size: 1234, root, height: 56, block, time: 1764201600000 }
const text = `courtchain/devnet\n1234\n${toBase64(root)}\nheight 56\nblock ${block}\ntime 1764201600000\n`

test('formatCheckpoint writes the docs/formats.md layout exactly', () => {
  assert.is(formatCheckpoint(cp), text)
})

test('parseCheckpoint inverts formatCheckpoint', () => {
  assert.equal(parseCheckpoint(text), cp)
  const empty = { origin: 'courtchain/devnet', size: 0, root, height: 0, block, time: 0 }
  assert.equal(parseCheckpoint(formatCheckpoint(empty)), empty)
})

test('checkpointOrigin is courtchain/<chainId> and refuses ids with spaces or "+"', () => {
  assert.is(checkpointOrigin('devnet'), 'courtchain/devnet')
  assert.throws(() => checkpointOrigin('dev net'), code('CHECKPOINT_BAD_ORIGIN'))
  assert.throws(() => checkpointOrigin(''), code('CHECKPOINT_BAD_ORIGIN'))
})

test('plain tlog checkpoints from other logs parse, unknown extension lines kept in order', () => {
  const vectors = readVector('signed-note', 'signed_note_vectors.json')
  const rekor = parseNote(vectors.cases.find((c: any) => c.id === 'rekor-checkpoint-ecdsa').note).body
  const c = parseCheckpoint(rekor)
  assert.is(c.origin, 'Rekor')
  assert.is(c.size, 798034)
  assert.is(formatCheckpoint(c), rekor)
  const ext = text + 'Timestamp: 1689177396617352539\nfoo bar\n'
  const p = parseCheckpoint(ext)
  assert.equal(p.extensions, ['Timestamp: 1689177396617352539', 'foo bar'])
  assert.is(formatCheckpoint(p), ext)
})

test('parseCheckpoint rejects non-canonical and malformed bodies', () => {
  const r = toBase64(root)
  const bad = [
    text.slice(0, -1), // no final newline
    `courtchain/devnet\n01234\n${r}\n`, // leading zero
    `courtchain/devnet\n+5\n${r}\n`,
    `courtchain/devnet\n-1\n${r}\n`,
    `courtchain/devnet\n9007199254740992\n${r}\n`, // beyond 2^53 − 1
    `courtchain/devnet\n5\n${toBase64(root.slice(1))}\n`, // 31-byte root
    `courtchain/devnet\n5\n${r.slice(0, -2)}x=\n`, // non-canonical base64 (unused bits set)
    `courtchain/devnet\n5\n`, // too few lines
    `\n5\n${r}\n`, // empty origin
    `courtchain/devnet\n5\n${r}\n\nheight 1\n`, // empty extension line
    text.replace(`block ${block}`, `block ${block.toUpperCase()}`),
    text.replace('height 56', 'height 056'),
    text.replace('height 56', 'height'),
    text.replace('time 1764201600000\n', 'time 1764201600000\nheight 57\n'), // known line repeated
    text.replace(`height 56\nblock ${block}`, `block ${block}\nheight 56`), // out of order
    text.replace('height 56', 'x 1\nheight 56'), // known line after an unknown one
    text.replace('1234', '12\t34'),
  ]
  for (const t of bad) assert.throws(() => parseCheckpoint(t), code('CHECKPOINT_BAD_FORMAT'), JSON.stringify(t))
})

test('formatCheckpoint refuses bad fields', () => {
  assert.throws(() => formatCheckpoint({ ...cp, root: root.slice(1) }), code('BAD_LENGTH'))
  assert.throws(() => formatCheckpoint({ ...cp, size: -1 }), code('CHECKPOINT_BAD_FORMAT'))
  assert.throws(() => formatCheckpoint({ ...cp, block: 'AB'.repeat(32) }), code('CHECKPOINT_BAD_FORMAT'))
  assert.throws(() => formatCheckpoint({ ...cp, origin: 'a\nb' }), code('CHECKPOINT_BAD_FORMAT'))
  assert.throws(() => formatCheckpoint({ ...cp, extensions: ['height 5'] }), code('CHECKPOINT_BAD_FORMAT'))
})

test.run()
