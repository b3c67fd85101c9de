// Helpers for the p2p suites: deterministic member seeds, a capturing logger, bounded waits,
// and small clusters of P2P instances on 127.0.0.1 ephemeral ports.
import { P2P, peerIdFromSeed, type Logger, type P2POptions, type PeerEntry } from '../../src/p2p/index.js'
import { sleep } from '../../src/util/index.js'

export const CHAIN = 'testchain'

/** A fixed 32-byte seed per member index. */
export const seedOf = (i: number): Uint8Array => new Uint8Array(32).fill(i + 1)
export const memberId = (i: number): string => `m${i}`

export interface LogEntry { level: string; msg?: string; [k: string]: unknown }

/** A pino-like logger that keeps every entry (printed too when P2P_TEST_LOG is set). */
export function captureLog(name = ''): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const mk = (level: string) => (obj: object, msg?: string): void => {
    entries.push({ level, msg, ...obj })
    if (process.env.P2P_TEST_LOG) console.log(name, level, msg, JSON.stringify(obj))
  }
  return { entries, log: { info: mk('info'), warn: mk('warn'), debug: mk('debug'), error: mk('error') } }
}

/** Polls `cond` every 10 ms; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

export interface Member { i: number; id: string; seed: Uint8Array; peerId: string }
export const member = (i: number): Member => ({ i, id: memberId(i), seed: seedOf(i), peerId: peerIdFromSeed(seedOf(i)) })

/** Starts one node listening on `listen` (default an ephemeral port) with an empty allowlist. */
export async function startNode(m: Member, o: Partial<P2POptions> = {}): Promise<{ node: P2P; entries: LogEntry[] }> {
  const { log, entries } = captureLog(m.id)
  const node = await P2P.init({ seed: m.seed, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], chainId: CHAIN, redialMaxMs: 500, ...o }, { log })
  return { node, entries }
}

/** The allowlist entry of `m` as seen from another node. */
export const entryOf = (m: Member, node: P2P | null, dial: boolean): PeerEntry =>
  ({ id: m.id, peerId: m.peerId, addrs: node ? node.addrs() : [], dial })

/** n fully meshed nodes (every node dials every other) with all connections up. */
export async function cluster(n: number, o: Partial<P2POptions> = {}): Promise<{ nodes: P2P[]; members: Member[]; logs: LogEntry[][] }> {
  const members = Array.from({ length: n }, (_, i) => member(i))
  const started = await Promise.all(members.map((m) => startNode(m, o)))
  const nodes = started.map((s) => s.node)
  for (let i = 0; i < n; i++) nodes[i]!.setPeers(members.map((m, j) => entryOf(m, nodes[j]!, true)))
  await waitFor(() => nodes.every((x) => x.peers().every((p) => p.connected)), 5000, 'mesh connected')
  return { nodes, members, logs: started.map((s) => s.entries) }
}

/** Closes every node, even when some close fails. */
export async function closeAll(nodes: (P2P | null | undefined)[]): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n?.close()))
}
