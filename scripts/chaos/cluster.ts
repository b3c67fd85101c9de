// A devnet of real node processes on loopback for the chaos runner and the fuzzers: each node is
// `bin/courtchain start --home <dir>` with COURTCHAIN_CHAOS_FILE=<home>/chaos.json, so link
// faults and Byzantine modes can be switched per node while it runs.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { genesisHash, signTx, type EvidenceItem, type Genesis, type TrustRoot } from '../../src/chain/index.js'
import { initDevnet } from '../../src/cli/commands/devnet.js'
import { ed25519Sign, readKeyFile, sha256 } from '../../src/crypto/index.js'
import type { ChaosControl } from '../../src/node/byzantine.js'
import { toHex, utf8 } from '../../src/util/index.js'

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(d, 'package.json'))) d = dirname(d)
  return d
}
const BIN = join(repoRoot(), 'bin', 'courtchain')

export interface DepositResult { status: number; body: any; digest: string; hash: string; items: number }
export interface UnitKey { id: string; seed: Uint8Array }

export class ChaosCluster {
  readonly procs: (ChildProcess | null)[]
  readonly paused: boolean[]
  /** restarts per node (kill -9 or wipe followed by start) */
  readonly starts: number[]
  private nonce = Date.now() * 1000
  trustRoot: TrustRoot | null = null
  /** What the chain's tx and vote signatures are bound to. */
  readonly genesisHash: string

  private constructor(
    readonly dir: string, readonly homes: string[], readonly urls: string[], readonly ids: string[],
    readonly genesis: Genesis, readonly unitKey: UnitKey, private readonly logLevel: string,
  ) {
    this.procs = homes.map(() => null)
    this.paused = homes.map(() => false)
    this.starts = homes.map(() => 0)
    this.genesisHash = genesisHash(genesis)
  }

  static async create(o: { nodes: number; logLevel?: string; dir?: string }): Promise<ChaosCluster> {
    const dir = o.dir ?? await mkdtemp(join(tmpdir(), 'cc-chaos-'))
    // Below Linux's ephemeral range (32768+), so no outgoing connection can hold one of our ports.
    const basePort = 10000 + Math.floor(Math.random() * 22000)
    const { homes, rpcUrls } = await initDevnet({ dir, nodes: o.nodes, units: 1, members: 0, basePort, rpcBasePort: basePort + 100, testChain: true })
    const genesis = JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8')) as Genesis
    const k = await readKeyFile(join(dir, 'units', 'notary-1.json'))
    const ids = homes.map((h) => JSON.parse(readFileSync(join(h, 'key.json'), 'utf8')).id as string)
    return new ChaosCluster(dir, homes, rpcUrls, ids, genesis, { id: k.id, seed: k.seed }, o.logLevel ?? 'info')
  }

  get n(): number { return this.homes.length }
  get f(): number { return Math.floor((this.n - 1) / 3) }
  get quorum(): number { return 2 * this.f + 1 }

  isUp(i: number): boolean { const p = this.procs[i]; return p != null && p.exitCode === null && p.signalCode === null }
  pid(i: number): number | undefined { return this.isUp(i) ? this.procs[i]!.pid : undefined }

  private readonly extraArgs = new Map<number, string[]>()

  /** Starts node i; `extra` flags are remembered for its later restarts. */
  start(i: number, extra?: string[]): void {
    if (this.isUp(i)) return
    if (extra) this.extraArgs.set(i, extra)
    extra = this.extraArgs.get(i) ?? []
    const log = openSync(join(this.homes[i]!, 'node.log'), 'a')
    const p = spawn(process.execPath, [BIN, 'start', '--home', this.homes[i]!, '--log-level', this.logLevel, ...extra], {
      stdio: ['ignore', log, log], env: { ...process.env, COURTCHAIN_CHAOS_FILE: join(this.homes[i]!, 'chaos.json') },
    })
    closeSync(log)
    this.procs[i] = p
    this.paused[i] = false
    this.starts[i]!++
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL', graceMs = 8000): Promise<void> {
    const p = this.procs[i]
    if (!p || p.exitCode !== null || p.signalCode !== null) { this.procs[i] = null; return }
    const exited = new Promise<void>((r) => p.once('exit', () => r()))
    if (this.paused[i]) p.kill('SIGCONT')
    p.kill(signal)
    const t = setTimeout(() => p.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(t)
    this.procs[i] = null
    this.paused[i] = false
  }

  pause(i: number): void { if (this.isUp(i) && !this.paused[i]) { this.procs[i]!.kill('SIGSTOP'); this.paused[i] = true } }
  resume(i: number): void { if (this.isUp(i) && this.paused[i]) { this.procs[i]!.kill('SIGCONT'); this.paused[i] = false } }

  async wipe(i: number): Promise<void> {
    await this.kill(i)
    await rm(join(this.homes[i]!, 'data'), { recursive: true, force: true })
  }

  /** Writes node i's control file atomically (the node polls it every 200 ms). */
  setControl(i: number, c: ChaosControl): void {
    const file = join(this.homes[i]!, 'chaos.json')
    writeFileSync(file + '.tmp', JSON.stringify(c))
    renameSync(file + '.tmp', file)
  }

  /** Resident set size of node i in bytes, from /proc. */
  rss(i: number): number | null {
    const pid = this.pid(i)
    if (!pid) return null
    try { return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024 } catch { return null }
  }

  logs(i: number, lines = 30): string {
    try { return readFileSync(join(this.homes[i]!, 'node.log'), 'utf8').split('\n').slice(-lines).join('\n') } catch { return '' }
  }

  async get(i: number, path: string, timeoutMs = 5000): Promise<any> {
    const r = await fetch(this.urls[i] + path, { signal: AbortSignal.timeout(timeoutMs) })
    const body = await r.json().catch(() => ({}))
    return r.status === 200 ? body : { httpStatus: r.status, ...body }
  }

  async status(i: number, timeoutMs = 2000): Promise<any | null> {
    if (!this.isUp(i) || this.paused[i]) return null
    try { const s = await this.get(i, '/v1/status', timeoutMs); return s.httpStatus ? null : s } catch { return null }
  }

  /** A signed one-item deposit with a fresh digest of `label`, submitted to node i. */
  async deposit(i: number, label: string, o: { wait?: boolean; timeoutMs?: number } = {}): Promise<DepositResult> {
    const digest = toHex(sha256(utf8(label)))
    const item: EvidenceItem = { digests: { sha256: digest }, meta: { label } }
    const p = signTx({ v: 1, chain: this.genesis.chainId, type: 'deposit', from: this.unitKey.id, nonce: this.nonce++, items: [item] }, this.genesisHash, (m) => ed25519Sign(this.unitKey.seed, m))
    const waitMs = o.timeoutMs ?? 15_000
    const q = o.wait === false ? '' : `?wait=commit&timeoutMs=${waitMs}`
    const r = await fetch(this.urls[i] + '/v1/txs' + q, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p.tx), signal: AbortSignal.timeout(waitMs + 5000),
    })
    return { status: r.status, body: await r.json().catch(() => ({})), digest, hash: p.hash, items: 1 }
  }

  /** Polls until node i serves /v1/status (a store that reopened), or `ms` pass. */
  async waitServing(i: number, ms = 30_000): Promise<boolean> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      if (!this.isUp(i)) return false
      if (await this.status(i)) return true
      await sleep(250)
    }
    return false
  }

  async stop(keep = false): Promise<void> {
    await Promise.all(this.homes.map((_, i) => this.kill(i, 'SIGTERM')))
    if (!keep) await rm(this.dir, { recursive: true, force: true })
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
