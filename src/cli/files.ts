// The files a user hands the commands (key, trust root), read with errors that say what the
// file is when it is the wrong one, and how to get the right one.
import { readFile } from 'node:fs/promises'
import { validateGenesis, genesisHash, RECEIPT_FORMAT, TRUST_ROOT_FORMAT, type TrustRoot } from '../chain/index.js'
import { BUNDLE_FORMAT } from '../client/index.js'
import { KEYFILE_TYPE, readKeyFile, type KeyFile } from '../crypto/index.js'
import { NodeError, isNodeError } from '../util/index.js'

/** What a parsed JSON file of ours is, in words ("a genesis file"), or null when it is none of them. */
export function describeJson(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  if (v.type === KEYFILE_TYPE) return 'a key file'
  if (v.format === TRUST_ROOT_FORMAT) return 'a trust root'
  if (v.format === RECEIPT_FORMAT) return 'a receipt'
  if (v.format === BUNDLE_FORMAT) return 'a receipts bundle'
  if (typeof v.chainId === 'string' && Array.isArray(v.members)) return 'a genesis file'
  return null
}

const KEY_HINT = "--key takes the unit's own key file, written by `courtchain keygen` (on a devnet: devnet/units/<unit>.json)"

/** A key file; a genesis, trust root, receipt or bundle passed instead is named as such (NOT_A_KEY_FILE). */
export async function readUnitKey(path: string): Promise<KeyFile> {
  try {
    return await readKeyFile(path)
  } catch (e) {
    if (!isNodeError(e, 'KEYFILE_CORRUPT')) throw e
    let what: string | null = null
    try { what = describeJson(JSON.parse(await readFile(path, 'utf8'))) } catch { /* not JSON: the key file error says so */ }
    if (what === null) throw new NodeError({ code: e.code, path }, `${e.message}; ${KEY_HINT}`)
    throw new NodeError({ code: 'NOT_A_KEY_FILE', path, actual: what }, `${path} is ${what}, not a key file: ${KEY_HINT}`)
  }
}

/** How to get a trust root, for errors that ask for one. */
export const TRUST_ROOT_HINT = "save the chain's trust root once from a node you trust: curl -s http://<node>/v1/trust-root > trust-root.json " +
  "(a devnet's genesis.json works too), or verify against a node with --node <url>"

/** A trust root file, or a bare genesis.json (then the validator set is the genesis one). */
export async function readTrustRoot(path: string): Promise<TrustRoot> {
  let value: unknown
  try { value = JSON.parse(await readFile(path, 'utf8')) } catch (e) {
    throw new NodeError({ code: 'TRUST_ROOT_UNREADABLE', path }, `cannot read trust root ${path}: ${(e as Error).message}`)
  }
  const obj = value as { format?: unknown; genesis?: unknown; history?: unknown }
  if (obj !== null && typeof obj === 'object' && obj.format === TRUST_ROOT_FORMAT) {
    const genesis = validateGenesis(obj.genesis)
    return { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history: Array.isArray(obj.history) ? obj.history : [] }
  }
  if (obj !== null && typeof obj === 'object' && 'chainId' in obj) {
    const genesis = validateGenesis(obj)
    return { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history: [] }
  }
  const what = describeJson(value)
  throw new NodeError({ code: 'TRUST_ROOT_INVALID', path }, `${path} is ${what ?? `neither a ${TRUST_ROOT_FORMAT} file nor a genesis`}${what ? ', not a trust root' : ''}: ${TRUST_ROOT_HINT}`)
}
