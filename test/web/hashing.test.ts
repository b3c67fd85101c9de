// The page hashes files chunk by chunk (File.slice + incremental hashers): the digests must equal
// the one-shot native ones, across chunk boundaries, for empty and odd-sized files.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { sha256, sm3 } from '../../src/crypto/index.js'
import { toHex } from '../../src/util/index.js'
import { CHUNK_BYTES, hashFile } from '../../src/web/hashing.js'

const bytes = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff)

for (const size of [0, 1, 63, 64, CHUNK_BYTES - 1, CHUNK_BYTES, 2 * CHUNK_BYTES + 17]) {
  test(`chunked SHA-256 and SM3 of ${size} bytes equal the one-shot native digests`, async () => {
    const data = bytes(size)
    const progress: number[] = []
    const d = await hashFile(new Blob([data]), true, (f) => progress.push(f))
    assert.is(d.sha256, toHex(sha256(data)))
    assert.is(d.sm3, toHex(sm3(data)))
    assert.is(d.size, size)
    assert.is(progress.at(-1), 1)
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), 'progress never goes back')
  })
}

test('SM3 is computed only when asked', async () => {
  const d = await hashFile(new Blob([bytes(10)]), false)
  assert.is(d.sm3, undefined)
})

test.run()
