// SHA-256 and SM3 known answers, and agreement of the portable SM3 with OpenSSL's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readVector } from '../helpers.js'
import { fromHex, toHex } from '../../src/util/index.js'
import { sha256, sm3, portableSha256, portableSm3, createSm3, createSha256, createHasher, hashFile } from '../../src/crypto/index.js'

// An entry gives its input as hex, or as one byte repeated (FIPS 180-4's one million 'a').
interface Kat { desc: string; input_hex?: string; input_repeat?: { byte_hex: string; count: number }; digest_hex: string }
const kat = readVector<{ sm3: Kat[]; sha256: Kat[] }>('hash', 'hash_kat.json')
const inputOf = (k: Kat): Uint8Array =>
  k.input_repeat ? new Uint8Array(k.input_repeat.count).fill(fromHex(k.input_repeat.byte_hex, 'byte_hex', 1)[0]!) : fromHex(k.input_hex!)

test('SHA-256 known answers (FIPS 180-4) on both paths, one-shot and incremental', () => {
  assert.ok(kat.sha256.length >= 4)
  for (const k of kat.sha256) {
    const input = inputOf(k)
    assert.is(toHex(sha256(input)), k.digest_hex, k.desc)
    assert.is(toHex(portableSha256(input)), k.digest_hex, k.desc)
    assert.is(toHex(createSha256().update(input.subarray(0, 3)).update(input.subarray(3)).digest()), k.digest_hex, k.desc)
  }
})

test('SM3 known answers (GB/T 32905-2016) on both paths, one-shot and incremental', () => {
  assert.ok(kat.sm3.length >= 4)
  for (const k of kat.sm3) {
    const input = inputOf(k)
    assert.is(toHex(sm3(input)), k.digest_hex, k.desc)
    assert.is(toHex(portableSm3(input)), k.digest_hex, k.desc)
    const h = createSm3()
    for (let i = 0; i < input.length; i += 7) h.update(input.subarray(i, i + 7))
    assert.is(toHex(h.digest()), k.digest_hex, k.desc)
  }
})

test('portable SM3 agrees with OpenSSL sm3 on every length 0..300 (padding boundaries at 55/56/64)', () => {
  for (let n = 0; n <= 300; n++) {
    const input = randomBytes(n)
    assert.is(toHex(portableSm3(input)), toHex(sm3(input)), `length ${n}`)
  }
})

test('portable SM3 agrees with OpenSSL on 1 MiB, one-shot and in uneven chunks', () => {
  const input = randomBytes(1 << 20)
  const expected = toHex(sm3(input))
  assert.is(toHex(portableSm3(input)), expected)
  const h = createHasher('sm3')
  let o = 0
  for (let step = 1; o < input.length; step = (step * 7 + 3) % 9000 + 1) { h.update(input.subarray(o, o + step)); o += step }
  assert.is(toHex(h.digest()), expected)
  assert.is(toHex(createHasher('sha256').update(input).digest()), toHex(sha256(input)))
})

test('an incremental hasher refuses reuse after digest', () => {
  const h = createSm3().update(new Uint8Array(3))
  h.digest()
  assert.throws(() => h.update(new Uint8Array(1)))
  assert.throws(() => h.digest())
})

test('hashFile streams a file through both hashes and reports progress up to the size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'courtchain-hash-'))
  try {
    const data = randomBytes(3 * (1 << 20) + 12345)
    const path = join(dir, 'evidence.bin')
    writeFileSync(path, data)
    const progress: number[] = []
    const r = await hashFile(path, ['sha256', 'sm3'], (read, total) => { progress.push(read); assert.is(total, data.length) })
    assert.is(r.size, data.length)
    assert.is(toHex(r.digests.sha256!), toHex(sha256(data)))
    assert.is(toHex(r.digests.sm3!), toHex(sm3(data)))
    assert.ok(progress.length >= 4, 'several chunks, not one read')
    assert.is(progress[progress.length - 1], data.length)
    const empty = join(dir, 'empty')
    writeFileSync(empty, '')
    const e = await hashFile(empty, ['sm3'])
    assert.is(e.size, 0)
    assert.is(toHex(e.digests.sm3!), kat.sm3.find((k) => k.input_hex === '')!.digest_hex)
    assert.is(e.digests.sha256, undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('hashFile rejects an unknown algorithm and a missing file', async () => {
  let code = ''
  try { await hashFile('/nonexistent', ['md5' as 'sm3']) } catch (e) { code = (e as { code: string }).code }
  assert.is(code, 'BAD_HASH_ALG')
  code = ''
  try { await hashFile('/nonexistent/courtchain-no-such-file', ['sha256']) } catch (e) { code = (e as { code: string }).code }
  assert.is(code, 'ENOENT')
})

test.run()
