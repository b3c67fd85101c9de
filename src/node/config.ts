// A node's configuration: a home folder with config.json, overridden by environment variables,
// overridden by command-line flags. Paths in the file are relative to the home folder.
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateGenesis } from '../chain/index.js'
import { parseJsonStrict } from '../codec/index.js'
import { readKeyFile } from '../crypto/index.js'
import { NodeError } from '../util/index.js'
import { defaultNodeOptions, type NodeOptions } from './options.js'

/** What config.json holds (all optional except genesis and key). */
export interface NodeConfigFile {
  genesis: string
  key: string
  dataDir?: string
  listen?: string[]
  rpc?: { host?: string; port?: number; rateLimitPerSecond?: number }
  web?: boolean
  logLevel?: string
}

export interface ConfigOverrides { rpcHost?: string; rpcPort?: number; dataDir?: string; listen?: string[]; logLevel?: string; byzantine?: string; web?: boolean }

/** The folder of the web page shipped with this package (src/web next to dist/). */
export function defaultWebRoot(): string {
  // dist/src/node/config.js → repo root → src/web
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'web')
}

/** Loads `<home>/config.json`, applies COURTCHAIN_* environment variables, then `flags`. */
export async function loadNodeConfig(home: string, flags: ConfigOverrides = {}): Promise<{ options: NodeOptions; logLevel: string }> {
  const file = join(home, 'config.json')
  let text: string
  try { text = await readFile(file, 'utf8') } catch {
    throw new NodeError({ code: 'CONFIG_NOT_FOUND', file }, `no config file at ${file} (create one with "courtchain devnet init" or by hand)`)
  }
  let cfg: NodeConfigFile
  try { cfg = parseJsonStrict(text, 1 << 20) as NodeConfigFile } catch (e) {
    throw new NodeError({ code: 'CONFIG_INVALID', file }, `${file}: ${(e as Error).message}`)
  }
  if (typeof cfg.genesis !== 'string' || typeof cfg.key !== 'string') throw new NodeError({ code: 'CONFIG_INVALID', file }, `${file}: "genesis" and "key" paths are required`)
  const at = (p: string): string => (isAbsolute(p) ? p : join(home, p))
  const env = process.env
  const genesisPath = at(cfg.genesis)
  let genesis
  try { genesis = validateGenesis(parseJsonStrict(await readFile(genesisPath, 'utf8'), 16 << 20)) } catch (e) {
    throw new NodeError({ code: 'CONFIG_INVALID', file: genesisPath }, `${genesisPath}: ${(e as Error).message}`)
  }
  const key = await readKeyFile(at(cfg.key))
  const rpcPort = flags.rpcPort ?? (env.COURTCHAIN_RPC_PORT ? Number(env.COURTCHAIN_RPC_PORT) : cfg.rpc?.port ?? defaultNodeOptions.rpc.port)
  const options: NodeOptions = {
    genesis,
    key: { id: key.id, seed: key.seed, publicKey: key.publicKey },
    dataDir: flags.dataDir ?? env.COURTCHAIN_DATA_DIR ?? at(cfg.dataDir ?? 'data'),
    listen: flags.listen ?? (env.COURTCHAIN_LISTEN ? env.COURTCHAIN_LISTEN.split(',') : cfg.listen ?? ['/ip4/127.0.0.1/tcp/0']),
    rpc: {
      ...defaultNodeOptions.rpc,
      host: flags.rpcHost ?? env.COURTCHAIN_RPC_HOST ?? cfg.rpc?.host ?? defaultNodeOptions.rpc.host,
      port: rpcPort,
      rateLimitPerSecond: cfg.rpc?.rateLimitPerSecond ?? defaultNodeOptions.rpc.rateLimitPerSecond,
    },
    mempool: defaultNodeOptions.mempool,
    webRoot: (flags.web ?? cfg.web ?? true) ? defaultWebRoot() : null,
    byzantine: flags.byzantine ?? null,
  }
  return { options, logLevel: flags.logLevel ?? env.COURTCHAIN_LOG_LEVEL ?? cfg.logLevel ?? 'info' }
}
