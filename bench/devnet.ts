// A benchmark devnet: 4 validators as separate `courtchain start` processes on loopback with
// random ports (initDevnet + startNodeProcess, as test/cluster/harness.ts does), and the load
// clients as separate processes too.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { initDevnet, startNodeProcess } from '../src/cli/commands/devnet.js'
import { getJson, sleep } from './common.js'
import type { LoadResult } from './load-client.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const BIN = resolve(HERE, '..', '..', 'bin', 'courtchain')
export const UNITS = ['notary-1', 'copyright-1', 'econtract-1', 'notary-2', 'copyright-2', 'econtract-2']

export interface Status { height: number; logSize: number; mempool: number; validators: { id: string; online: boolean }[]; view: number }

export class BenchDevnet {
  readonly procs: (ChildProcess | null)[]
  /** Node.js flags per validator index (e.g. --cpu-prof for one of them). */
  nodeFlags = new Map<number, string[]>()
  private constructor(readonly dir: string, readonly homes: string[], readonly urls: string[], readonly extra: string[]) {
    this.procs = homes.map(() => null)
  }

  /** Writes a fresh devnet in a temp folder and starts its validators; resolves once all see each other. */
  static async start(opts: { nodes?: number; extra?: string[]; nodeFlags?: Map<number, string[]> } = {}): Promise<BenchDevnet> {
    const dir = await mkdtemp(join(tmpdir(), 'cc-bench-'))
    // Below Linux's ephemeral range (32768+), so no outgoing connection can hold one of our ports.
    const basePort = 10000 + Math.floor(Math.random() * 22000)
    // CC_PIPELINE_DEPTH=1 compares against one height in flight at a time; CC_CONSENSUS='{"blockIntervalMs":200}' sets any genesis consensus parameter
    const consensus = { ...JSON.parse(process.env.CC_CONSENSUS ?? '{}') as object, ...(process.env.CC_PIPELINE_DEPTH ? { pipelineDepth: Number(process.env.CC_PIPELINE_DEPTH) } : {}) }
    const overrides = Object.keys(consensus).length > 0 ? { consensus } : {}
    const { homes, rpcUrls } = await initDevnet({ dir, nodes: opts.nodes ?? 4, units: UNITS.length, members: 0, basePort, rpcBasePort: basePort + 100, testChain: true, ...overrides })
    const d = new BenchDevnet(dir, homes, rpcUrls, opts.extra ?? [])
    if (opts.nodeFlags) d.nodeFlags = opts.nodeFlags
    homes.forEach((_, i) => d.startNode(i))
    await d.waitReady()
    return d
  }

  unitKey(i: number): string { return join(this.dir, 'units', `${UNITS[i % UNITS.length]}.json`) }

  /** Starts validator i (its log goes to <home>/node.log); extra args e.g. --cpu-prof. */
  startNode(i: number, extra: string[] = []): ChildProcess {
    const args = ['--log-level', process.env.CC_LOG ?? 'warn', '--no-web', ...this.extra, ...extra]
    const flags = this.nodeFlags.get(i)
    // startNodeProcess takes no Node.js flags (and NODE_OPTIONS refuses --cpu-prof), so a
    // profiled validator is spawned the same way by hand.
    const p = flags?.length
      ? spawn(process.execPath, [...flags, BIN, 'start', '--home', this.homes[i]!, ...args], { stdio: 'pipe', env: process.env })
      : startNodeProcess(this.homes[i]!, args, 'pipe')
    const out = createWriteStream(join(this.homes[i]!, 'node.log'), { flags: 'a' })
    p.stdout!.pipe(out)
    p.stderr!.pipe(out)
    this.procs[i] = p
    return p
  }

  async status(i: number): Promise<Status> { return getJson<Status>(`${this.urls[i]}/v1/status`, 5_000) }

  /** Waits (at most `ms`) until every running validator answers and sees all validators online. */
  async waitReady(ms = 60_000): Promise<void> {
    const until = Date.now() + ms
    for (const [i] of this.homes.entries()) {
      if (!this.procs[i]) continue
      for (;;) {
        try {
          const s = await this.status(i)
          if (s.validators.every((v) => v.online)) break
        } catch { /* not up yet */ }
        if (Date.now() > until) throw new Error(`validator ${i + 1} not ready after ${ms} ms; see ${join(this.homes[i]!, 'node.log')}`)
        await sleep(150)
      }
    }
  }

  /**
   * Waits until the chain is idle: heights equal on all running nodes and unchanged for 1.5 s,
   * and mempools no longer shrinking. Txs left in a mempool then are stuck (reported as such).
   */
  async waitIdle(ms = 120_000): Promise<Status & { stuck: number[]; idle: boolean }> {
    const until = Date.now() + ms
    let last = ''
    let since = Date.now()
    for (;;) {
      const ss = await Promise.all(this.homes.map((_, i) => this.procs[i] ? this.status(i).catch(() => null) : null))
      const live = ss.filter((s): s is Status => s !== null)
      const key = JSON.stringify(live.map((s) => [s.height, s.mempool]))
      if (key !== last) { last = key; since = Date.now() }
      const level = live.length > 0 && live.every((s) => s.height === live[0]!.height)
      if (level && (live.every((s) => s.mempool === 0) || Date.now() - since >= 1500)) return { ...live[0]!, stuck: ss.map((s) => s?.mempool ?? 0), idle: true }
      if (Date.now() > until && live.length > 0) return { ...live.reduce((a, b) => (b.height > a.height ? b : a)), stuck: ss.map((s) => s?.mempool ?? 0), idle: false }
      if (Date.now() > until + 30_000) throw new Error(`no validator answers: ${key}`)
      await sleep(200)
    }
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs[i]
    if (!p || p.exitCode !== null || p.signalCode !== null) { this.procs[i] = null; return }
    const exited = new Promise((r) => p.once('exit', r))
    p.kill(signal)
    await Promise.race([exited, sleep(15_000)])
    if (p.exitCode === null && p.signalCode === null) { p.kill('SIGKILL'); await exited }
    this.procs[i] = null
  }

  async stop(keep = false): Promise<void> {
    await Promise.all(this.homes.map((_, i) => this.kill(i, 'SIGTERM')))
    if (!keep) await rm(this.dir, { recursive: true, force: true })
  }

  /**
   * Runs load clients (separate processes) together: each prepares (signs) its work, then all
   * start on one `go`. `args[i]` are client i's arguments. Resolves with their results.
   */
  async runClients(args: string[][], timeoutMs: number, onGo?: () => void): Promise<LoadResult[]> {
    const clients = args.map((a) => spawn(process.execPath, [join(HERE, 'load-client.js'), '--urls', this.urls.join(','), ...a], { stdio: ['pipe', 'pipe', 'inherit'] }))
    const lines = clients.map((c) => {
      const rl = createInterface({ input: c.stdout! })
      const queue: string[] = []
      const waiters: ((l: string) => void)[] = []
      rl.on('line', (l) => { const w = waiters.shift(); if (w) w(l); else queue.push(l) })
      c.once('exit', (code) => { for (const w of waiters.splice(0)) w(`exit ${code}`) })
      return (): Promise<string> => queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))
    })
    const timer = setTimeout(() => { for (const c of clients) c.kill('SIGKILL') }, timeoutMs)
    try {
      for (const next of lines) { const l = await next(); if (l !== 'ready') throw new Error(`load client failed to start: ${l}`) }
      for (const c of clients) c.stdin!.write('go\n')
      onGo?.()
      const out = await Promise.all(lines.map(async (next) => { const l = await next(); try { return JSON.parse(l) as LoadResult } catch { throw new Error(`load client: ${l}`) } }))
      return out
    } finally {
      clearTimeout(timer)
      for (const c of clients) if (c.exitCode === null) c.kill('SIGKILL')
    }
  }
}

export const benchDir = (): string => resolve(HERE)
