// Key files: round trip, mode 0600, and a clear error code for every way a file can be wrong.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync, statSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex, isNodeError } from '../../src/util/index.js'
import { generateKeyPair, readKeyFile, writeKeyFile, publicKeyFromSeed, KEYFILE_TYPE } from '../../src/crypto/index.js'

const dir = mkdtempSync(join(tmpdir(), 'courtchain-keyfile-'))
let n = 0
const fresh = (): string => join(dir, `key-${n++}.json`)

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try { await p } catch (e) {
    if (isNodeError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected a rejection')
}

test('round trip: a written key file reads back the same id, seed and public key', async () => {
  const k = generateKeyPair()
  const path = fresh()
  await writeKeyFile(path, { id: 'court-1', ...k })
  const r = await readKeyFile(path)
  assert.is(r.id, 'court-1')
  assert.is(toHex(r.seed), toHex(k.seed))
  assert.is(toHex(r.publicKey), toHex(k.publicKey))
  const json = JSON.parse(readFileSync(path, 'utf8'))
  assert.equal(Object.keys(json), ['type', 'id', 'seed', 'publicKey'])
  assert.is(json.type, KEYFILE_TYPE)
})

test('a key file is written with mode 0600', async () => {
  const path = fresh()
  await writeKeyFile(path, { id: 'notary-1', seed: generateKeyPair().seed })
  assert.is(statSync(path).mode & 0o777, 0o600)
})

test('refuses to overwrite unless force, and force replaces the key keeping 0600', async () => {
  const path = fresh()
  const a = generateKeyPair(), b = generateKeyPair()
  await writeKeyFile(path, { id: 'a', seed: a.seed })
  const err = await codeOf(writeKeyFile(path, { id: 'b', seed: b.seed }))
  assert.is(err.code, 'KEYFILE_EXISTS')
  assert.is(toHex((await readKeyFile(path)).seed), toHex(a.seed))
  await writeKeyFile(path, { id: 'b', seed: b.seed }, { force: true })
  assert.is(toHex((await readKeyFile(path)).seed), toHex(b.seed))
  assert.is(statSync(path).mode & 0o777, 0o600)
})

test('writing refuses a public key that does not match the seed', async () => {
  const err = await codeOf(writeKeyFile(fresh(), { id: 'x', seed: generateKeyPair().seed, publicKey: generateKeyPair().publicKey }))
  assert.is(err.code, 'KEYFILE_MISMATCH')
})

test('a missing file is KEYFILE_NOT_FOUND', async () => {
  assert.is((await codeOf(readKeyFile(join(dir, 'nope.json')))).code, 'KEYFILE_NOT_FOUND')
})

const writeRaw = (text: string): string => { const p = fresh(); writeFileSync(p, text, { mode: 0o600 }); return p }
const valid = (): Record<string, unknown> => {
  const k = generateKeyPair()
  return { type: KEYFILE_TYPE, id: 'court-2', seed: toHex(k.seed), publicKey: toHex(k.publicKey) }
}

test('corrupt JSON is KEYFILE_CORRUPT with the reason', async () => {
  const err = await codeOf(readKeyFile(writeRaw('{"type": "courtchain-ed25519", ')))
  assert.is(err.code, 'KEYFILE_CORRUPT')
  assert.match(err.message, /invalid JSON/)
})

test('a wrong seed length is KEYFILE_CORRUPT naming "seed"', async () => {
  const rec = valid()
  rec.seed = (rec.seed as string).slice(0, 62)
  const err = await codeOf(readKeyFile(writeRaw(JSON.stringify(rec))))
  assert.is(err.code, 'KEYFILE_CORRUPT')
  assert.match(err.message, /"seed" expected 32 bytes, got 31/)
})

test('a wrong type, a missing id, uppercase hex and unknown fields are KEYFILE_CORRUPT', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...valid(), type: 'ssh-ed25519' }, /"type" expected/],
    [{ ...valid(), id: undefined }, /"id" expected a non-empty string/],
    [{ ...valid(), seed: (valid().seed as string).toUpperCase() }, /"seed" expected lowercase hex/],
    [{ ...valid(), extra: 1 }, /unknown field "extra"/],
  ]
  for (const [rec, why] of cases) {
    const err = await codeOf(readKeyFile(writeRaw(JSON.stringify(rec))))
    assert.is(err.code, 'KEYFILE_CORRUPT')
    assert.match(err.message, why)
  }
  assert.is((await codeOf(readKeyFile(writeRaw('[1,2]')))).code, 'KEYFILE_CORRUPT')
})

test('a publicKey that is not derived from the seed is KEYFILE_MISMATCH', async () => {
  const rec = valid()
  rec.publicKey = toHex(publicKeyFromSeed(generateKeyPair().seed))
  const err = await codeOf(readKeyFile(writeRaw(JSON.stringify(rec))))
  assert.is(err.code, 'KEYFILE_MISMATCH')
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
