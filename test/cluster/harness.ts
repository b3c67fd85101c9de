// A devnet of real node processes on loopback for integration tests: each node is
// `bin/courtchain start --home <dir>` in its own process, talking libp2p over TCP.
import { type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { genesisHash, signTx, type EvidenceItem } from '../../src/chain/index.js'
import { initDevnet, startNodeProcess } from '../../src/cli/commands/devnet.js'
import { readKeyFile } from '../../src/crypto/index.js'
import { rpcClient, type RpcClient } from './rpc.js'

export interface Cluster extends RpcClient {
  dir: string
  homes: string[]
  urls: string[]
  /** The genesis hash, which tx signatures are bound to. */
  genesisHash: string
  procs: (ChildProcess | null)[]
  start(i: number): void
  /** Resolves once every node answers /v1/status for this chain (within `ms`). */
  ready(ms?: number): Promise<void>
  /** The last lines of node i's log. */
  logs(i: number, lines?: number): string
  kill(i: number, signal?: NodeJS.Signals): Promise<void>
  stop(): Promise<void>
}

// Below Linux's ephemeral range (32768+), so no outgoing connection can hold one of our ports.
let portCursor = 10000 + Math.floor(Math.random() * 20000)

export interface ClusterOptions {
  nodes?: number; units?: number; members?: number; chainId?: string
  /** genesis time, ms since epoch (default now) */
  genesisTime?: number
  /** extra environment of node i's process (e.g. `shiftedClock('-2h')`) */
  env?: Record<number, NodeJS.ProcessEnv>
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-cluster-'))
  const basePort = portCursor
  portCursor += 200
  const { homes, rpcUrls } = await initDevnet({
    dir, nodes: opts.nodes ?? 4, units: opts.units ?? 2, members: opts.members ?? 0,
    basePort, rpcBasePort: basePort + 100, testChain: true, ...(opts.chainId ? { chainId: opts.chainId } : {}),
    ...(opts.genesisTime !== undefined ? { genesisTime: opts.genesisTime } : {}),
  })
  const unitKey = await readKeyFile(join(dir, 'units', 'notary-1.json'))
  const genesis = JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8'))
  const procs: (ChildProcess | null)[] = homes.map(() => null)
  const c: Cluster = {
    dir, homes, urls: rpcUrls, genesisHash: genesisHash(genesis), procs,
    start(i) {
      // Each node logs to <home>/node.log (appended across restarts); CC_LOG sets the level.
      const p = startNodeProcess(homes[i]!, ['--log-level', process.env.CC_LOG ?? 'info'], 'pipe', opts.env?.[i])
      const out = createWriteStream(join(homes[i]!, 'node.log'), { flags: 'a' })
      p.stdout!.pipe(out)
      p.stderr!.pipe(out)
      procs[i] = p
    },
    async ready(ms = 60_000) {
      await waitFor('every node answers /v1/status', async () => {
        const all = await Promise.all(rpcUrls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))
        return all.every((s) => s && s.chainId === genesis.chainId)
      }, ms)
    },
    logs(i, lines = 40) {
      try { return readFileSync(join(homes[i]!, 'node.log'), 'utf8').split('\n').slice(-lines).join('\n') } catch { return '' }
    },
    async kill(i, signal = 'SIGKILL') {
      const p = procs[i]
      if (!p || p.exitCode !== null) return
      const exited = new Promise((r) => p.once('exit', r))
      p.kill(signal)
      await exited
      procs[i] = null
    },
    async stop() {
      await Promise.all(procs.map((_, i) => c.kill(i, 'SIGTERM')))
      if (process.env.CC_KEEP) console.log(`cluster kept in ${dir}`)
      else await rm(dir, { recursive: true, force: true })
    },
    ...rpcClient(rpcUrls, genesis.chainId, unitKey),
  }
  homes.forEach((_, i) => c.start(i))
  return c
}

/** Debian's libfaketime (`apt-get install faketime`), per architecture. */
const LIBFAKETIME = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((a) => `/usr/lib/${a}/faketime/libfaketime.so.1`)

/**
 * The environment that runs a node with its wall clock shifted by `offset` (faketime's syntax,
 * e.g. '-2h'). The library is preloaded directly rather than through the `faketime` command,
 * which forks: killing it would leave the node running. The monotonic clock (timers) is left
 * alone, as when NTP sets a wall clock wrong.
 */
export function shiftedClock(offset: string): NodeJS.ProcessEnv {
  const lib = LIBFAKETIME.find((p) => existsSync(p))
  if (!lib) throw new Error('libfaketime not found: apt-get install faketime')
  return { LD_PRELOAD: lib, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' }
}

/** Polls `check` until it returns a truthy value or `ms` pass; throws with `what` on timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms
  let last: unknown
  while (Date.now() < until) {
    try {
      const v = await check()
      if (v) return v
    } catch (e) { last = e }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}
