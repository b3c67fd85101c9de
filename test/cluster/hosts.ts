// Courts on their own hosts: one validator per loopback address (127.0.0.2–.5), every one with the
// same p2p and RPC ports, set up as docs/operations.md tells an operator: keygen, member-card,
// genesis --cards, init, start. With `setup: 'cli'` each step is a `bin/courtchain` process; with
// 'library' the same command code runs in this process (faster, for tests about something else).
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CONSENSUS, signMemberCard, validateGenesis, type GenesisMember } from '../../src/chain/index.js'
import { membersFromCards } from '../../src/cli/commands/genesis.js'
import { initHome } from '../../src/cli/commands/init.js'
import { ed25519Sign, generateKeyPair, readKeyFile, writeKeyFile, type KeyFile } from '../../src/crypto/index.js'
import { peerIdFromSeed } from '../../src/p2p/index.js'
import { toHex } from '../../src/util/index.js'
import { rpcClient, type RpcClient } from './rpc.js'

export { waitFor } from './harness.js'

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'courtchain')
/** libfaketime (Debian's faketime package), preloaded into one node to put its clock off. */
export const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/faketime/libfaketimeMT.so.1'].find((p) => existsSync(p))

export interface HostsOptions {
  setup: 'cli' | 'library'
  validators?: number
  chainId?: string
  /** genesis consensus timings (ms) */
  viewTimeoutMs?: number
  /** one node started with its clock this far off (libfaketime, e.g. '-2h') */
  faketime?: { node: number; offset: string }
  /** runs after the homes are written, before any node starts */
  beforeStart?: (h: Hosts) => Promise<void>
}

export interface Hosts extends RpcClient {
  dir: string
  ips: string[]
  homes: string[]
  urls: string[]
  ids: string[]
  p2pPort: number
  procs: (ChildProcess | null)[]
  unit: KeyFile
  chainId: string
  /** Starts node i; `faketime` (e.g. '-2h') runs it with its clock that far off. */
  start(i: number, o?: { faketime?: string }): ChildProcess
  kill(i: number, signal?: NodeJS.Signals): Promise<void>
  /** Resolves with node i's exit code when it exits by itself. */
  exited(i: number): Promise<number | null>
  stop(): Promise<void>
  logs(i: number, lines?: number): string
}

// Below Linux's ephemeral range (32768+), so no outgoing connection holds one of our ports.
const randomPort = (): number => 10000 + 2 * Math.floor(Math.random() * 10000)

/** Runs `bin/courtchain args…`; resolves with its stdout, rejects with its stderr on a non-zero exit. */
export function courtchain(args: string[], o: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`courtchain ${args.join(' ')} exited ${code}: ${err}`))))
  })
}

export async function deployHosts(o: HostsOptions): Promise<Hosts> {
  const n = o.validators ?? 4
  const dir = await mkdtemp(join(tmpdir(), 'cc-hosts-'))
  const chainId = o.chainId ?? 'courts'
  const ips = Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`)
  const ids = ips.map((_, i) => `court-${i + 1}`)
  const p2pPort = randomPort(), rpcPort = p2pPort + 1
  const at = (...p: string[]): string => join(dir, ...p)
  await mkdir(at('cards'))
  const keyFiles = [...ids, 'notary-1'].map((id) => at(`${id}.key.json`))
  const genesisArgs = ['--chain-id', chainId, '--test-chain', '--view-timeout-ms', String(o.viewTimeoutMs ?? 1000), '--block-interval-ms', '20']
  if (o.setup === 'cli') {
    await Promise.all([...ids, 'notary-1'].map((id, i) => courtchain(['keygen', '--out', keyFiles[i]!, '--name', id])))
    await Promise.all([...ids.map((id, i) => courtchain(['member-card', '--key', keyFiles[i]!, '--role', 'court', '--validator', '--addr', `/ip4/${ips[i]}/tcp/${p2pPort}`, '--out', at('cards', `${id}.json`)])),
      courtchain(['member-card', '--key', keyFiles[n]!, '--role', 'unit', '--out', at('cards', 'notary-1.json')])])
    await courtchain(['genesis', ...genesisArgs, '--cards', ...[...ids, 'notary-1'].map((id) => at('cards', `${id}.json`)), '--out', at('genesis.json')])
    await Promise.all(ids.map((id, i) => courtchain(['init', '--home', at(id), '--genesis', at('genesis.json'), '--key', keyFiles[i]!, '--rpc-host', ips[i]!, '--rpc-port', String(rpcPort)])))
  } else {
    const cards: string[] = []
    for (const [i, id] of [...ids, 'notary-1'].entries()) {
      const k = generateKeyPair()
      await writeKeyFile(keyFiles[i]!, { id, seed: k.seed })
      const validator = i < n
      const m: GenesisMember = { id, role: validator ? 'court' : 'unit', publicKey: toHex(k.publicKey), ...(validator ? { validator: true, peerId: peerIdFromSeed(k.seed), addrs: [`/ip4/${ips[i]}/tcp/${p2pPort}`] } : {}) }
      cards.push(at('cards', `${id}.json`))
      await writeFile(cards[i]!, JSON.stringify(signMemberCard(m, (msg) => ed25519Sign(k.seed, msg))))
    }
    const genesis = validateGenesis({ v: 1, chainId, time: Date.now(), testChain: true, members: await membersFromCards(cards, chainId), consensus: { ...DEFAULT_CONSENSUS, viewTimeoutMs: o.viewTimeoutMs ?? 1000 } })
    await writeFile(at('genesis.json'), JSON.stringify(genesis, null, 2))
    for (const [i, id] of ids.entries()) await initHome({ home: at(id), genesisFile: at('genesis.json'), keyFile: keyFiles[i]!, rpcHost: ips[i]!, rpcPort })
  }
  const unit = await readKeyFile(keyFiles[n]!)
  const procs: (ChildProcess | null)[] = ids.map(() => null)
  const urls = ips.map((ip) => `http://${ip}:${rpcPort}`)
  const h: Hosts = {
    dir, ips, ids, p2pPort, procs, unit, chainId, urls, homes: ids.map((id) => at(id)),
    start(i, so = {}) {
      const env = { ...process.env }
      if (so.faketime) {
        if (!LIBFAKETIME) throw new Error('libfaketime not found: apt-get install -y faketime')
        // The library, not the faketime wrapper: the wrapper forks, and a kill would miss the node.
        Object.assign(env, { LD_PRELOAD: LIBFAKETIME, FAKETIME: so.faketime, FAKETIME_DONT_FAKE_MONOTONIC: '1' })
      }
      const p = spawn(process.execPath, [BIN, 'start', '--home', h.homes[i]!, '--log-level', process.env.CC_LOG ?? 'info'], { stdio: ['ignore', 'pipe', 'pipe'], env })
      const out = createWriteStream(join(h.homes[i]!, 'node.log'), { flags: 'a' })
      p.stdout!.pipe(out)
      p.stderr!.pipe(out)
      procs[i] = p
      return p
    },
    async kill(i, signal = 'SIGKILL') {
      const p = procs[i]
      procs[i] = null
      if (!p || p.exitCode !== null || p.signalCode !== null) return
      const gone = new Promise((r) => p.once('exit', r))
      p.kill(signal)
      await gone
    },
    exited(i) {
      const p = procs[i]!
      return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (code) => r(code)))
    },
    async stop() {
      await Promise.all(procs.map((_, i) => h.kill(i, 'SIGTERM')))
      if (process.env.CC_KEEP) console.log(`hosts kept in ${dir}`)
      else await rm(dir, { recursive: true, force: true })
    },
    logs(i, lines = 40) {
      try { return readFileSync(join(h.homes[i]!, 'node.log'), 'utf8').split('\n').slice(-lines).join('\n') } catch { return '' }
    },
    ...rpcClient(urls, chainId, unit),
  }
  await o.beforeStart?.(h)
  ids.forEach((_, i) => h.start(i, o.faketime?.node === i ? { faketime: o.faketime.offset } : {}))
  return h
}

/** The genesis file of a deployment, parsed. */
export async function genesisOf(h: Hosts): Promise<any> { return JSON.parse(await readFile(join(h.dir, 'genesis.json'), 'utf8')) }
