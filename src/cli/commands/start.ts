import { pino } from 'pino'
import { loadNodeConfig, Node } from '../../node/index.js'
import { intOption, required, type Command } from '../args.js'

export const startCommand: Command = {
  name: 'start',
  summary: 'run one node (validator or member) from its home folder',
  usage: 'start --home <dir> [--rpc-port <p>] [--listen <multiaddr>]... [--log-level info]',
  options: {
    home: { type: 'string', description: 'node home folder with config.json', env: 'COURTCHAIN_HOME' },
    'rpc-host': { type: 'string', description: 'RPC listen address (overrides config)' },
    'rpc-port': { type: 'string', description: 'RPC port (overrides config)' },
    'tls-cert': { type: 'string', description: 'serve the RPC over HTTPS with this PEM certificate chain (with --tls-key; overrides config)' },
    'tls-key': { type: 'string', description: 'PEM private key of --tls-cert' },
    'data-dir': { type: 'string', description: 'store folder (overrides config)' },
    listen: { type: 'string', multiple: true, description: 'p2p listen multiaddr (repeat; overrides config; default: the genesis addresses)' },
    announce: { type: 'string', multiple: true, description: 'genesis address reached through a port forward (repeat; overrides config)' },
    'log-level': { type: 'string', description: 'trace, debug, info, warn, error' },
    'no-web': { type: 'boolean', description: 'do not serve the web page' },
    byzantine: { type: 'string', description: 'fault injection for test chains only (chaos suite)' },
  },
  async run(args) {
    const home = required(args, 'home')
    const { options, logLevel } = await loadNodeConfig(home, {
      ...(args.values['rpc-host'] ? { rpcHost: String(args.values['rpc-host']) } : {}),
      ...(args.values['rpc-port'] ? { rpcPort: intOption(args, 'rpc-port') } : {}),
      ...(args.values['tls-cert'] ? { tlsCert: String(args.values['tls-cert']) } : {}),
      ...(args.values['tls-key'] ? { tlsKey: String(args.values['tls-key']) } : {}),
      ...(args.values['data-dir'] ? { dataDir: String(args.values['data-dir']) } : {}),
      ...(args.values.listen ? { listen: args.values.listen as string[] } : {}),
      ...(args.values.announce ? { announce: args.values.announce as string[] } : {}),
      ...(args.values['log-level'] ? { logLevel: String(args.values['log-level']) } : {}),
      ...(args.values['no-web'] ? { web: false } : {}),
      ...(args.values.byzantine ? { byzantine: String(args.values.byzantine) } : {}),
    })
    const log = pino({ level: logLevel, base: { node: options.key.id } })
    const node = await Node.init(options, { log })
    return new Promise<number>((resolve) => {
      const stop = (reason: string, code: number): void => {
        log.info({ reason, exitCode: code }, 'shutting down')
        node.close().then(() => resolve(code), (e) => { log.error({ err: e }, 'close failed'); resolve(code) })
        // A restart the node asked for must happen even if some handle keeps the loop alive.
        if (code !== 0) setTimeout(() => process.exit(code), 15_000).unref()
      }
      process.once('SIGTERM', () => stop('SIGTERM', 0))
      process.once('SIGINT', () => stop('SIGINT', 0))
      void node.exitRequested.then((code) => stop('restart requested', code))
    })
  },
}
