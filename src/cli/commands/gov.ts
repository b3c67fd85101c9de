// courtchain gov: court members propose governance actions, vote on them, and list what is open.
// Actions are given as JSON ('{"type":"addValidator","id":"court-5"}') or as flags.
import { readFile } from 'node:fs/promises'
import { CourtchainClient } from '../../client/index.js'
import { genesisHash, parseGovItem, proposalId, signTx, type GovAction, type GovItem } from '../../chain/index.js'
import { ed25519Sign, readKeyFile } from '../../crypto/index.js'
import { NodeError } from '../../util/index.js'
import { intOption, required, type Command, type ParsedArgs } from '../args.js'
import { processIo, type Io } from '../io.js'

const usage = (m: string): NodeError => new NodeError({ code: 'USAGE' }, m)

export const govCommand: Command = {
  name: 'gov',
  summary: 'governance: propose an action, vote on a proposal, list open proposals and the validator epoch',
  usage: 'gov propose <action json | @file> --key <court key> --node <url> [--ttl <blocks>]\n' +
    '       courtchain gov propose --action addValidator --id court-5 --key <court key> --node <url>\n' +
    '       courtchain gov vote <proposal id> --key <court key> --node <url>\n' +
    '       courtchain gov list --node <url> [--json]',
  options: {
    node: { type: 'string', short: 'n', description: 'RPC URL of a node of the chain', env: 'COURTCHAIN_NODE' },
    key: { type: 'string', short: 'k', description: "a court member's key file (proposals and votes)", env: 'COURTCHAIN_KEY' },
    ttl: { type: 'string', description: 'blocks the proposal stays open (0 = the chain default, 1000)', default: '0' },
    action: { type: 'string', description: 'action type, instead of JSON (with --id, --role, --public-key, --peer-id, --addr)' },
    id: { type: 'string', description: 'member id the action is about' },
    role: { type: 'string', description: 'court or unit (addMember, setRole)' },
    'public-key': { type: 'string', description: 'hex Ed25519 key (addMember, rotateKey)' },
    'peer-id': { type: 'string', description: 'libp2p peer id of the member node (addMember)' },
    addr: { type: 'string', multiple: true, description: 'multiaddr of the member node (addMember; repeatable)' },
    json: { type: 'boolean', description: 'print raw JSON (list)', default: false },
  },
  run: (args) => runGov(args, processIo),
}

/** The gov command with its output injected. */
export async function runGov(args: ParsedArgs, io: Io): Promise<number> {
  const [sub, ...rest] = args.positionals
  const client = new CourtchainClient({ url: required(args, 'node') })
  if (sub === 'list') return list(client, args, io)
  if (sub !== 'propose' && sub !== 'vote') throw usage('expected "gov propose", "gov vote" or "gov list"')
  let item: GovItem
  if (sub === 'vote') {
    if (rest.length !== 1) throw usage('name exactly one proposal id')
    item = { op: 'vote', proposal: rest[0]! }
  } else {
    item = { op: 'propose', action: await actionOf(args, rest), ttl: intOption(args, 'ttl') }
  }
  parseGovItem(item, 'item') // the chain's own format rules, before anything is signed
  const key = await readKeyFile(required(args, 'key'))
  const { genesis } = await client.trustRoot()
  const p = signTx({ v: 1, chain: genesis.chainId, type: 'gov', from: key.id, nonce: Date.now() * 1000 + Math.floor(Math.random() * 1000), items: [item] }, genesisHash(genesis), (m) => ed25519Sign(key.seed, m))
  const r = await client.submitTx(p.tx) as { status: string; height?: number }
  const id = item.op === 'propose' ? proposalId(p.hash, 0) : item.proposal
  io.out(`${item.op === 'propose' ? 'proposed' : 'voted on'} ${id} as ${key.id}: tx ${p.hash} ${r.status}${r.height ? ` in block ${r.height}` : ''}`)
  const view = await govView(client)
  const open = view.proposals.find((x) => x.id === id)
  io.out(open ? `  ${open.approvals.length} of ${view.approvalsNeeded} approvals needed (${open.approvals.join(', ')}), open until block ${open.expires}`
    : `  no longer open: applied (or dropped) — ${view.pendingEpoch ? `validator set changes at block ${view.pendingEpoch.start}` : `validators: ${view.epoch.validators.map((v) => v.id).join(', ')}`}`)
  return 0
}

/** GET /v1/proposals (not in the client SDK yet). */
async function govView(client: CourtchainClient): Promise<GovView> {
  const r = await fetch(`${client.url.replace(/\/v1\/?$/, '').replace(/\/$/, '')}/v1/proposals`, { signal: AbortSignal.timeout(10_000) })
  const body = await r.json() as GovView & { code?: string; message?: string }
  if (!r.ok) throw new NodeError({ code: body.code ?? 'RPC_ERROR' }, body.message ?? `GET /v1/proposals: HTTP ${r.status}`)
  return body
}

interface GovView {
  height: number; courts: number; approvalsNeeded: number
  governance: { approvalNumerator: number; approvalDenominator: number; epochDelay: number }
  proposals: { id: string; action: GovAction; proposer: string; approvals: string[]; expires: number }[]
  pendingEpoch: { epoch: number; start: number; validators: { id: string }[] } | null
  epoch: { epoch: number; start: number; validators: { id: string }[] }
}

async function list(client: CourtchainClient, args: ParsedArgs, io: Io): Promise<number> {
  const v = await govView(client)
  if (args.values.json === true) { io.out(JSON.stringify(v, null, 2)); return 0 }
  const g = v.governance
  io.out(`rule        more than ${g.approvalNumerator}/${g.approvalDenominator} of ${v.courts} active courts (${v.approvalsNeeded} approvals); validator changes take effect ${g.epochDelay} blocks after approval`)
  io.out(`epoch       ${v.epoch.epoch} since block ${v.epoch.start}: ${v.epoch.validators.map((x) => x.id).join(', ')}`)
  if (v.pendingEpoch) io.out(`scheduled   epoch ${v.pendingEpoch.epoch} from block ${v.pendingEpoch.start}: ${v.pendingEpoch.validators.map((x) => x.id).join(', ')}`)
  if (v.proposals.length === 0) io.out(`proposals   none open at height ${v.height}`)
  for (const p of v.proposals) io.out(`${p.id}  ${JSON.stringify(p.action)}  ${p.approvals.length}/${v.approvalsNeeded} (${p.approvals.join(', ')}), expires after block ${p.expires}`)
  return 0
}

/** The action from JSON (inline or @file) or from --action and its flags. */
async function actionOf(args: ParsedArgs, rest: string[]): Promise<GovAction> {
  if (rest.length > 1) throw usage('give the action as one JSON argument')
  if (rest.length === 1) {
    const text = rest[0]!.startsWith('@') ? await readFile(rest[0]!.slice(1), 'utf8') : rest[0]!
    try { return JSON.parse(text) as GovAction } catch (e) { throw usage(`action is not JSON: ${(e as Error).message}`) }
  }
  const type = args.values.action
  if (typeof type !== 'string') throw usage('give the action as JSON or with --action')
  const v = args.values
  const fields: Record<string, unknown> = { type }
  if (typeof v.id === 'string') fields.id = v.id
  if (typeof v.role === 'string') fields.role = v.role
  if (typeof v['public-key'] === 'string') fields.publicKey = v['public-key']
  if (typeof v['peer-id'] === 'string') fields.peerId = v['peer-id']
  if (Array.isArray(v.addr)) fields.addrs = v.addr
  return fields as unknown as GovAction
}
