// Key files: one Ed25519 seed per file, JSON, mode 0600. Reading checks everything and names
// what is wrong, since a corrupt or swapped key file is an operator's first support call.
import { open, readFile, rename, chmod, unlink } from 'node:fs/promises'
import { fromHex, toHex, equalBytes, abytes, NodeError } from '../util/index.js'
import { ed25519PublicKey } from './native.js'

export const KEYFILE_TYPE = 'courtchain-ed25519'

export interface KeyFile {
  /** the member id or a name the operator chose */
  id: string
  seed: Uint8Array
  publicKey: Uint8Array
}

const corrupt = (path: string, reason: string): NodeError =>
  new NodeError({ code: 'KEYFILE_CORRUPT', path, reason }, `key file ${path} is corrupt: ${reason}`)

/** Writes `key` as a key file with mode 0600; refuses to replace an existing file unless `force`. */
export async function writeKeyFile(path: string, key: { id: string; seed: Uint8Array; publicKey?: Uint8Array }, opts: { force?: boolean } = {}): Promise<void> {
  if (typeof key.id !== 'string' || key.id.length === 0) {
    throw new NodeError({ code: 'BAD_KEY_ID' }, '"id" expected a non-empty string')
  }
  const publicKey = ed25519PublicKey(abytes(key.seed, 'seed', 32))
  if (key.publicKey !== undefined && !equalBytes(abytes(key.publicKey, 'publicKey', 32), publicKey)) {
    throw new NodeError({ code: 'KEYFILE_MISMATCH', path }, '"publicKey" does not match the seed')
  }
  const text = JSON.stringify({ type: KEYFILE_TYPE, id: key.id, seed: toHex(key.seed), publicKey: toHex(publicKey) }, null, 2) + '\n'
  // Write a temporary file created 0600 from the start, then rename: never a readable or half-written key.
  const target = opts.force === true ? `${path}.tmp-${process.pid}-${Date.now()}` : path
  let fh
  try {
    fh = await open(target, 'wx', 0o600)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NodeError({ code: 'KEYFILE_EXISTS', path }, `key file ${path} exists; pass force to replace it`)
    }
    throw e
  }
  try {
    await fh.writeFile(text, 'utf8')
    await fh.sync()
  } finally {
    await fh.close()
  }
  if (target !== path) {
    try { await rename(target, path) } catch (e) { await unlink(target).catch(() => {}); throw e }
  }
  await chmod(path, 0o600) // in case the umask or an old file left wider bits
}

/** Reads and checks a key file: KEYFILE_NOT_FOUND, KEYFILE_CORRUPT (with the reason) or KEYFILE_MISMATCH. */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeError({ code: 'KEYFILE_NOT_FOUND', path }, `key file ${path} not found`)
    }
    throw e
  }
  let json: unknown
  try { json = JSON.parse(text) } catch (e) { throw corrupt(path, `invalid JSON (${(e as Error).message})`) }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(path, 'expected a JSON object')
  const rec = json as Record<string, unknown>
  for (const k of Object.keys(rec)) {
    if (!['type', 'id', 'seed', 'publicKey'].includes(k)) throw corrupt(path, `unknown field "${k}"`)
  }
  if (rec.type !== KEYFILE_TYPE) throw corrupt(path, `"type" expected "${KEYFILE_TYPE}", got ${JSON.stringify(rec.type)}`)
  if (typeof rec.id !== 'string' || rec.id.length === 0) throw corrupt(path, '"id" expected a non-empty string')
  const hex32 = (field: 'seed' | 'publicKey'): Uint8Array => {
    try { return fromHex(rec[field] as string, field, 32) } catch (e) { throw corrupt(path, (e as Error).message) }
  }
  const seed = hex32('seed')
  const publicKey = hex32('publicKey')
  const derived = ed25519PublicKey(seed)
  if (!equalBytes(derived, publicKey)) {
    throw new NodeError({ code: 'KEYFILE_MISMATCH', path, expected: toHex(derived), actual: toHex(publicKey) },
      `key file ${path}: "publicKey" expected ${toHex(derived)} (derived from the seed), got ${toHex(publicKey)}`)
  }
  return { id: rec.id, seed, publicKey }
}
