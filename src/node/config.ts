// A node's configuration: a home folder with config.json, overridden by environment variables,
// overridden by command-line flags. Paths in the file are relative to the home folder.
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateGenesis, type Genesis } from '../chain/index.js'
import { parseJsonStrict } from '../codec/index.js'
import { readKeyFile } from '../crypto/index.js'
import { NodeError } from '../util/index.js'
import { reachabilityFix, unreachableAddrs } from './addresses.js'
import { defaultHealthOptions, defaultNodeOptions, type NodeOptions } from './options.js'

/** What config.json holds (all optional except genesis and key). */
export interface NodeConfigFile {
  genesis: string
  key: string
  dataDir?: string
  listen?: string[]
  /** Genesis addresses that reach this node through a port forward or NAT rather than a listen address. */
  announce?: string[]
  rpc?: { host?: string; port?: number; rateLimitPerSecond?: number; tls?: { cert: string; key: string } }
  web?: boolean
  logLevel?: string
  /** When /healthz fails besides a store, quorum or clock problem. */
  health?: { maxBlocksBehind?: number }
}

export interface ConfigOverrides { rpcHost?: string; rpcPort?: number; tlsCert?: string; tlsKey?: string; dataDir?: string; listen?: string[]; announce?: string[]; logLevel?: string; byzantine?: string; web?: boolean }

/** The folder of the web page shipped with this package (src/web next to dist/). */
export function defaultWebRoot(): string {
  // dist/src/node/config.js → repo root → src/web
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'web')
}

/** Parses and checks a genesis file; errors name the file. */
export async function readGenesisFile(file: string): Promise<Genesis> {
  try { return validateGenesis(parseJsonStrict(await readFile(file, 'utf8'), 16 << 20)) } catch (e) {
    throw new NodeError({ code: 'CONFIG_INVALID', file }, `${file}: ${(e as Error).message}`)
  }
}

/** Loads `<home>/config.json`, applies COURTCHAIN_* environment variables, then `flags`. */
export async function loadNodeConfig(home: string, flags: ConfigOverrides = {}): Promise<{ options: NodeOptions; logLevel: string }> {
  const file = join(home, 'config.json')
  let text: string
  try { text = await readFile(file, 'utf8') } catch {
    throw new NodeError({ code: 'CONFIG_NOT_FOUND', file }, `no config file at ${file} (create one with "courtchain init", see docs/operations.md)`)
  }
  let cfg: NodeConfigFile
  try { cfg = parseJsonStrict(text, 1 << 20) as NodeConfigFile } catch (e) {
    throw new NodeError({ code: 'CONFIG_INVALID', file }, `${file}: ${(e as Error).message}`)
  }
  if (typeof cfg.genesis !== 'string' || typeof cfg.key !== 'string') throw new NodeError({ code: 'CONFIG_INVALID', file }, `${file}: "genesis" and "key" paths are required`)
  const at = (p: string): string => (isAbsolute(p) ? p : join(home, p))
  const env = process.env
  const genesisPath = at(cfg.genesis)
  const genesis = await readGenesisFile(genesisPath)
  const key = await readKeyFile(at(cfg.key))
  // Peers dial a member at its genesis addresses, so those are where it listens unless told otherwise.
  const self = genesis.members.find((m) => m.id === key.id)
  const list = (v: string | undefined): string[] | undefined => v?.split(',').map((a) => a.trim()).filter(Boolean)
  const listen = flags.listen ?? list(env.COURTCHAIN_LISTEN) ?? cfg.listen ?? (self?.addrs?.length ? self.addrs : ['/ip4/127.0.0.1/tcp/0'])
  const announce = flags.announce ?? list(env.COURTCHAIN_ANNOUNCE) ?? cfg.announce ?? []
  const missing = self?.validator ? unreachableAddrs(self.addrs ?? [], listen, announce) : []
  if (missing.length > 0) throw new NodeError({ code: 'CONFIG_UNREACHABLE', file, missing }, reachabilityFix(key.id, missing, listen, (a) => `set "listen": ${JSON.stringify(a)} in ${file}`))
  // TLS files: flags, environment, then config.json (relative to the home), read once at start.
  const tlsCert = flags.tlsCert ?? env.COURTCHAIN_TLS_CERT ?? (cfg.rpc?.tls?.cert && at(cfg.rpc.tls.cert))
  const tlsKey = flags.tlsKey ?? env.COURTCHAIN_TLS_KEY ?? (cfg.rpc?.tls?.key && at(cfg.rpc.tls.key))
  if (!tlsCert !== !tlsKey) throw new NodeError({ code: 'CONFIG_INVALID', file }, 'TLS needs both a certificate and a key (--tls-cert and --tls-key, or "rpc": {"tls": {"cert", "key"}})')
  const pem = async (p: string): Promise<string> => readFile(p, 'utf8').catch((e: Error) => { throw new NodeError({ code: 'CONFIG_INVALID', file: p }, `${p}: ${e.message}`) })
  const tls = tlsCert && tlsKey ? { cert: await pem(tlsCert), key: await pem(tlsKey) } : undefined
  const rpcPort = flags.rpcPort ?? (env.COURTCHAIN_RPC_PORT ? Number(env.COURTCHAIN_RPC_PORT) : cfg.rpc?.port ?? defaultNodeOptions.rpc.port)
  const options: NodeOptions = {
    genesis,
    key: { id: key.id, seed: key.seed, publicKey: key.publicKey },
    dataDir: flags.dataDir ?? env.COURTCHAIN_DATA_DIR ?? at(cfg.dataDir ?? 'data'),
    listen,
    rpc: {
      ...defaultNodeOptions.rpc,
      host: flags.rpcHost ?? env.COURTCHAIN_RPC_HOST ?? cfg.rpc?.host ?? defaultNodeOptions.rpc.host,
      port: rpcPort,
      rateLimitPerSecond: cfg.rpc?.rateLimitPerSecond ?? defaultNodeOptions.rpc.rateLimitPerSecond,
      ...(tls ? { tls } : {}),
    },
    mempool: defaultNodeOptions.mempool,
    webRoot: (flags.web ?? cfg.web ?? true) ? defaultWebRoot() : null,
    byzantine: flags.byzantine ?? null,
    health: { ...defaultHealthOptions, ...cfg.health },
  }
  return { options, logLevel: flags.logLevel ?? env.COURTCHAIN_LOG_LEVEL ?? cfg.logLevel ?? 'info' }
}
