// courtchain status: a readable summary of a node's GET /v1/status.
import { CourtchainClient, type NodeStatus } from '../../client/index.js'
import { required, type Command, type ParsedArgs } from '../args.js'
import { processIo, type Io } from '../io.js'
import { formatTime } from '../report.js'

export const statusCommand: Command = {
  name: 'status',
  summary: "a node's view of the chain: height, view, primary, validators online, peers, log size",
  usage: 'status --node <url> [--json]',
  options: {
    node: { type: 'string', short: 'n', description: 'RPC URL of the node', env: 'COURTCHAIN_NODE' },
    json: { type: 'boolean', description: 'print the raw status JSON', default: false },
  },
  run: (args) => runStatus(args, processIo),
}

/** The status command with its output injected. */
export async function runStatus(args: ParsedArgs, io: Io): Promise<number> {
  const client = new CourtchainClient({ url: required(args, 'node') })
  const s = await client.status()
  if (args.values.json === true) io.out(JSON.stringify(s, null, 2))
  else for (const line of formatStatus(s, client.url)) io.out(line)
  return 0
}

/** The status as aligned "name  value" lines. */
export function formatStatus(s: NodeStatus, url: string): string[] {
  const online = s.validators.filter((v) => v.online)
  const n = s.validators.length
  const quorum = 2 * Math.floor((n - 1) / 3) + 1
  const connected = s.peers.filter((p) => p.connected)
  const rows: [string, string][] = [
    ['node', `${s.self} (${s.role}) at ${url}`],
    ['chain', s.chainId],
    ['height', `${s.height}${s.headTime ? `, head ${s.headHash.slice(0, 16)}… at ${formatTime(s.headTime)}` : ''}`],
    ['view', `${s.view}, primary ${s.primary ?? 'unknown'}`],
    ['validators', `${online.length}/${n} online (quorum ${quorum})${online.length < quorum ? ' — BELOW QUORUM: no block can commit' : ''}` +
      (n > online.length ? `; offline: ${s.validators.filter((v) => !v.online).map((v) => v.id).join(', ')}` : '')],
    ['peers', `${connected.length}/${s.peers.length} connected${connected.length ? `: ${connected.map((p) => p.id).join(', ')}` : ''}`],
    ['log size', `${s.logSize} evidence records`],
    ['mempool', `${s.mempool} txs`],
    ['syncing', s.syncing ? 'yes (catching up)' : 'no'],
  ]
  return rows.map(([k, v]) => `${k.padEnd(11)} ${v}`)
}
