// `courtchain devnet`: a local chain of separate node processes on loopback, for trying things.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CONSENSUS, validateGenesis, type ConsensusParams, type Genesis, type GenesisMember } from '../../chain/index.js'
import { generateKeyPair, writeKeyFile } from '../../crypto/index.js'
import { peerIdFromSeed } from '../../p2p/index.js'
import { toHex } from '../../util/index.js'
import { intOption, required, type Command, type ParsedArgs } from '../args.js'

const UNIT_NAMES = ['notary-1', 'copyright-1', 'econtract-1', 'notary-2', 'copyright-2', 'econtract-2']
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'courtchain')

export interface DevnetLayout {
  dir: string; nodes: number; units: number; members: number; basePort: number; rpcBasePort: number; testChain: boolean
  /** Chain id of the genesis (default 'devnet'); two devnets with different ids can anchor each other. */
  chainId?: string
  /** Consensus parameters other than the defaults (e.g. pipelineDepth for a benchmark). */
  consensus?: Partial<ConsensusParams>
  /** Genesis time (ms since epoch; default now), e.g. a chain quiet since hours for a test. */
  genesisTime?: number
}

/** Writes keys, one genesis and a home folder per node; returns the homes and their RPC URLs. */
export async function initDevnet(l: DevnetLayout): Promise<{ homes: string[]; rpcUrls: string[] }> {
  await mkdir(join(l.dir, 'units'), { recursive: true })
  const members: GenesisMember[] = []
  const homes: { home: string; id: string; seed: Uint8Array; p2pPort: number; rpcPort: number }[] = []
  for (let i = 1; i <= l.nodes; i++) {
    const k = generateKeyPair()
    const id = `court-${i}`
    const p2pPort = l.basePort + i
    members.push({ id, role: 'court', publicKey: toHex(k.publicKey), validator: true, peerId: peerIdFromSeed(k.seed), addrs: [`/ip4/127.0.0.1/tcp/${p2pPort}`] })
    homes.push({ home: join(l.dir, `node-${i}`), id, seed: k.seed, p2pPort, rpcPort: l.rpcBasePort + i })
  }
  for (let u = 0; u < l.units; u++) {
    const k = generateKeyPair()
    const id = UNIT_NAMES[u] ?? `unit-${u + 1}`
    await writeKeyFile(join(l.dir, 'units', `${id}.json`), { id, seed: k.seed, publicKey: k.publicKey }, { force: true })
    const runsNode = u < l.members
    const p2pPort = l.basePort + 50 + u + 1
    members.push({ id, role: 'unit', publicKey: toHex(k.publicKey), ...(runsNode ? { peerId: peerIdFromSeed(k.seed), addrs: [`/ip4/127.0.0.1/tcp/${p2pPort}`] } : {}) })
    if (runsNode) homes.push({ home: join(l.dir, `member-${u + 1}`), id, seed: k.seed, p2pPort, rpcPort: l.rpcBasePort + 50 + u + 1 })
  }
  const genesis: Genesis = validateGenesis({ v: 1, chainId: l.chainId ?? 'devnet', time: l.genesisTime ?? Date.now(), ...(l.testChain ? { testChain: true } : {}), members, consensus: { ...DEFAULT_CONSENSUS, ...l.consensus } })
  await writeFile(join(l.dir, 'genesis.json'), JSON.stringify(genesis, null, 2) + '\n')
  for (const h of homes) {
    await mkdir(h.home, { recursive: true })
    await writeKeyFile(join(h.home, 'key.json'), { id: h.id, seed: h.seed }, { force: true })
    const config = { genesis: '../genesis.json', key: 'key.json', dataDir: 'data', listen: [`/ip4/127.0.0.1/tcp/${h.p2pPort}`], rpc: { host: '127.0.0.1', port: h.rpcPort } }
    await writeFile(join(h.home, 'config.json'), JSON.stringify(config, null, 2) + '\n')
  }
  return { homes: homes.map((h) => h.home), rpcUrls: homes.map((h) => `http://127.0.0.1:${h.rpcPort}`) }
}

function layoutOf(args: ParsedArgs): DevnetLayout {
  return {
    dir: resolve(required(args, 'dir')), nodes: intOption(args, 'nodes'), units: intOption(args, 'units'), members: intOption(args, 'members'),
    basePort: intOption(args, 'base-port'), rpcBasePort: intOption(args, 'rpc-base-port'), testChain: args.values['test-chain'] === true,
  }
}

/** Starts `courtchain start --home <home>` as its own process; `env` adds to this process's environment. */
export function startNodeProcess(home: string, extra: string[] = [], stdio: 'inherit' | 'ignore' | 'pipe' = 'inherit', env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, 'start', '--home', home, ...extra], { stdio, env: { ...process.env, ...env } })
}

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'run a local cluster of separate node processes ("devnet init" only writes it)',
  usage: 'devnet [init] --dir <D> [--nodes 4] [--units 2] [--members 0] [--base-port 26600] [--reset]',
  options: {
    dir: { type: 'string', description: 'devnet folder', default: './devnet' },
    nodes: { type: 'string', description: 'court validators', default: '4' },
    units: { type: 'string', description: 'application units (deposit keys under <D>/units)', default: '2' },
    members: { type: 'string', description: 'units that also run a member node', default: '0' },
    'base-port': { type: 'string', description: 'p2p ports are base+i', default: '26600' },
    'rpc-base-port': { type: 'string', description: 'RPC ports are base+i', default: '8540' },
    'test-chain': { type: 'boolean', description: 'mark the genesis as a test chain', default: true },
    reset: { type: 'boolean', description: 'wipe the folder first', default: false },
    'log-level': { type: 'string', description: 'node log level', default: 'warn' },
  },
  async run(args) {
    const l = layoutOf(args)
    const initOnly = args.positionals[0] === 'init'
    if (args.values.reset || initOnly) await rm(l.dir, { recursive: true, force: true })
    let homes: string[]
    let rpcUrls: string[]
    if (!existsSync(join(l.dir, 'genesis.json'))) {
      ({ homes, rpcUrls } = await initDevnet(l))
      console.log(`devnet written to ${l.dir}: ${l.nodes} validators, ${l.units} units (keys in ${join(l.dir, 'units')})`)
    } else {
      const { readdirSync, readFileSync } = await import('node:fs')
      homes = readdirSync(l.dir).filter((d) => /^(node|member)-\d+$/.test(d)).map((d) => join(l.dir, d))
      rpcUrls = homes.map((h) => { const c = JSON.parse(readFileSync(join(h, 'config.json'), 'utf8')); return `http://${c.rpc.host}:${c.rpc.port}` })
      console.log(`devnet in ${l.dir}: restarting ${homes.length} nodes with their data`)
    }
    if (initOnly) { for (const [i, h] of homes.entries()) console.log(`  ${h}  rpc ${rpcUrls[i]}`); return }
    const children = homes.map((h) => startNodeProcess(h, ['--log-level', String(args.values['log-level'])]))
    for (const [i, h] of homes.entries()) console.log(`  ${h.split('/').pop()}  ${rpcUrls[i]}  (web page: ${rpcUrls[i]}/)`)
    console.log(`trust root: ${rpcUrls[0]}/v1/trust-root   unit keys: ${join(l.dir, 'units')}   stop: Ctrl-C`)
    await new Promise<void>((resolveDone) => {
      let alive = children.length
      for (const [i, c] of children.entries()) {
        c.on('exit', (code, signal) => {
          if (!stopping) console.error(`${homes[i]} exited (${signal ?? code})`)
          if (--alive === 0) resolveDone()
        })
      }
      let stopping = false
      const stop = (): void => {
        if (stopping) return
        stopping = true
        for (const c of children) c.kill('SIGTERM')
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
  },
}
