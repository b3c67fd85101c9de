// courtchain relay: anchors one chain's signed checkpoints into another. Each round reads
// the source's head checkpoint, the target's last anchor of that origin (/v1/chains), fetches the
// consistency proof between the two sizes from the source, and submits a signed anchor tx to the
// target, waiting for it to commit. The target's validators check everything again: the relayer
// is trusted with nothing but liveness, so any active member of the target chain may run it.
import { parseCheckpoint, parseNote } from '../../checkpoint/index.js'
import { signTx, type AnchorItem } from '../../chain/index.js'
import { CourtchainClient, nextNonce } from '../../client/index.js'
import { ed25519Sign, readKeyFile, type KeyFile } from '../../crypto/index.js'
import { NodeError, toBase64 } from '../../util/index.js'
import { required, type Command, type ParsedArgs } from '../args.js'
import { processIo, type Io } from '../io.js'

export const relayCommand: Command = {
  name: 'relay',
  summary: "anchor one chain's signed checkpoints into another (anchor txs with consistency proofs)",
  usage: 'relay --from <source node url> --to <target node url> --key <relayer key file> [--interval 5s] [--once]',
  options: {
    from: { type: 'string', description: 'RPC URL of a node of the chain whose checkpoints are anchored' },
    to: { type: 'string', description: 'RPC URL of a node of the chain that records the anchors' },
    key: { type: 'string', short: 'k', description: 'key file of an active member of the target chain', env: 'COURTCHAIN_KEY' },
    interval: { type: 'string', description: 'time between rounds: 500ms, 5s, 1m', default: '5s' },
    once: { type: 'boolean', description: 'one round, then exit (0 anchored or up to date, 1 on error)', default: false },
  },
  run: (args) => runRelay(args, processIo),
}

/** What one round did. */
export type RelayRound =
  | { status: 'anchored'; origin: string; size: number; from: number | null; height: number | undefined; tx: string; block: number | undefined }
  | { status: 'up-to-date'; origin: string; size: number; reason: string }

/** One relay round from `source` to `target`, signing with `key`; throws a NodeError when it cannot. */
export async function relayRound(source: CourtchainClient, target: CourtchainClient, key: KeyFile): Promise<RelayRound> {
  const note = await source.checkpoint()
  if (note === null) throw new NodeError({ code: 'NO_CHECKPOINT', url: source.url }, `${source.url} has no committed block yet`)
  const cp = parseCheckpoint(parseNote(note).body)
  const [chains, status] = await Promise.all([target.chains(), target.status()])
  const fc = chains.find((c) => c.origin === cp.origin)
  if (!fc) throw new NodeError({ code: 'UNKNOWN_CHAIN', origin: cp.origin }, `${cp.origin} is not registered on chain ${status.chainId}: its courts register it by governance (registerChain) first`)
  if (fc.status !== 'active') throw new NodeError({ code: 'ANCHOR_CHAIN_INACTIVE', origin: cp.origin }, `${cp.origin} is ${fc.status} on chain ${status.chainId}: it takes no more anchors`)
  const last = fc.anchor
  if (last && cp.size < last.size) return { status: 'up-to-date', origin: cp.origin, size: last.size, reason: `the source is at size ${cp.size}, behind the anchored ${last.size}` }
  // Same size: nothing new to anchor, unless the root differs, which is a fork worth recording.
  if (last && cp.size === last.size && toBase64(cp.root) === last.root) return { status: 'up-to-date', origin: cp.origin, size: last.size, reason: 'no new evidence since the last anchor' }
  const proof = last && cp.size > last.size ? await source.consistencyProof(last.size, cp.size) : []
  const item: AnchorItem = { origin: cp.origin, checkpoint: note, proof }
  const p = signTx({ v: 1, chain: status.chainId, type: 'anchor', from: key.id, nonce: nextNonce(), items: [item] }, status.genesisHash, (m) => ed25519Sign(key.seed, m))
  const res = await target.submitTx(p.tx, { wait: 'commit', timeoutMs: 30_000 })
  if (res.status !== 'committed') throw new NodeError({ code: 'TIMEOUT', tx: p.hash }, `anchor tx ${p.hash} did not commit within 30 s (still pending)`)
  return { status: 'anchored', origin: cp.origin, size: cp.size, from: last?.size ?? null, height: cp.height, tx: p.hash, block: res.height }
}

/** The relay command with its output injected. */
export async function runRelay(args: ParsedArgs, io: Io, signal?: AbortSignal): Promise<number> {
  const source = new CourtchainClient({ url: required(args, 'from') })
  const target = new CourtchainClient({ url: required(args, 'to') })
  const key = await readKeyFile(required(args, 'key'))
  const intervalMs = parseInterval(String(args.values.interval))
  const round = async (): Promise<boolean> => {
    try {
      const r = await relayRound(source, target, key)
      if (r.status === 'anchored') {
        io.out(`anchored ${r.origin} size ${r.size}${r.height !== undefined ? ` (its height ${r.height})` : ''}${r.from !== null ? `, consistent with size ${r.from}` : ', first anchor'} in block ${r.block} of ${target.url} (tx ${r.tx})`)
      } else {
        io.out(`up to date: ${r.origin} at size ${r.size} (${r.reason})`)
      }
      return true
    } catch (e) {
      io.err(`relay: ${(e as { code?: string }).code ? `${(e as { code: string }).code}: ` : ''}${(e as Error).message}`)
      return false
    }
  }
  if (args.values.once === true) return (await round()) ? 0 : 1
  const stop = new AbortController()
  const onSignal = (): void => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  signal?.addEventListener('abort', onSignal, { once: true })
  try {
    while (!stop.signal.aborted) {
      await round()
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs)
        stop.signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
      })
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  return 0
}

/** "500ms", "5s", "2m" or plain seconds → milliseconds (at least 100 ms). */
export function parseInterval(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(text)
  if (!m) throw new NodeError({ code: 'USAGE' }, `--interval expected e.g. 500ms, 5s or 1m, got "${text}"`)
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000)
  if (ms < 100) throw new NodeError({ code: 'USAGE' }, '--interval must be at least 100ms')
  return ms
}
