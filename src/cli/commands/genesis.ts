import { readFile, writeFile } from 'node:fs/promises'
import { cardMember, DEFAULT_CONSENSUS, genesisHash, parseMemberCard, validateGenesis, type ConsensusParams, type Genesis, type GenesisMember } from '../../chain/index.js'
import { parseJsonStrict } from '../../codec/index.js'
import { ed25519Verify } from '../../crypto/index.js'
import { readGenesisFile } from '../../node/index.js'
import { peerIdOfPublicKey } from '../../p2p/index.js'
import { NodeError } from '../../util/index.js'
import { intOption, required, type Command } from '../args.js'

const MEMBER_RE = /^([a-z0-9][a-z0-9._-]{0,63})=([0-9a-f]{64})(?:@(\/\S+))?$/

/** Parses `name=<hex pubkey>[@<multiaddr>]`; validators and member nodes need the address. */
export function parseMemberSpec(spec: string, role: GenesisMember['role'], validator: boolean): GenesisMember {
  const m = MEMBER_RE.exec(spec)
  if (!m) throw new NodeError({ code: 'USAGE' }, `"${spec}" expected <name>=<64 hex public key>[@<multiaddr>]`)
  const [, id, publicKey, addr] = m as unknown as [string, string, string, string | undefined]
  if (validator && !addr) throw new NodeError({ code: 'USAGE' }, `validator "${id}" needs @<multiaddr>`)
  return {
    id: id!, role, publicKey: publicKey!, ...(validator ? { validator: true } : {}),
    ...(addr ? { peerId: peerIdOfPublicKey(publicKey!), addrs: [addr] } : {}),
  }
}

/**
 * The genesis entries of signed member cards (member-card): each signature checked against the
 * key the card names, each peer id against that key, and the chain id when the card names one.
 * Validators come first, then the other members, each group by id: the order does not depend on
 * file names, so two courts assembling the same cards with the same --time get the same hash.
 */
export async function membersFromCards(files: string[], chainId: string): Promise<GenesisMember[]> {
  const members: GenesisMember[] = []
  for (const file of files) {
    const card = parseMemberCard(parseJsonStrict(await readFile(file, 'utf8'), 1 << 16), ed25519Verify, file)
    if (card.peerId !== undefined && card.peerId !== peerIdOfPublicKey(card.publicKey)) {
      throw new NodeError({ code: 'MEMBER_CARD_INVALID', card: file }, `${file}: peer id ${card.peerId} is not the one of public key ${card.publicKey}`)
    }
    if (card.chainId !== undefined && card.chainId !== chainId) {
      throw new NodeError({ code: 'MEMBER_CARD_INVALID', card: file }, `${file}: the card is for chain "${card.chainId}", not "${chainId}"`)
    }
    members.push(cardMember(card))
  }
  const rank = (m: GenesisMember): number => (m.validator ? 0 : 1)
  return members.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

export const genesisCommand: Command = {
  name: 'genesis',
  summary: 'write a genesis file: court validators, unit members, consensus parameters',
  usage: 'genesis --chain-id <id> --cards <card.json>... [--validator <name>=<pubkey>@<multiaddr> ...] [--unit <name>=<pubkey>[@<multiaddr>] ...] --out genesis.json\n       genesis --hash genesis.json',
  options: {
    cards: { type: 'string', multiple: true, description: 'signed member cards (member-card); the files after --cards count too, so --cards cards/*.json works' },
    hash: { type: 'string', description: 'print the hash of this genesis file (and its members), which every court compares before starting' },
    'chain-id': { type: 'string', description: 'chain id, e.g. court-of-hangzhou' },
    validator: { type: 'string', multiple: true, description: 'court validator: <name>=<pubkey>@<multiaddr> (repeat)' },
    court: { type: 'string', multiple: true, description: 'court member without a node: <name>=<pubkey> (repeat)' },
    unit: { type: 'string', multiple: true, description: 'application unit: <name>=<pubkey>[@<multiaddr> of its member node] (repeat)' },
    'unit-validator': { type: 'string', multiple: true, description: 'application unit that votes in consensus: <name>=<pubkey>@<multiaddr>' },
    'test-chain': { type: 'boolean', description: 'mark as a test chain (allows fault-injection flags)', default: false },
    time: { type: 'string', description: 'genesis time, ms since epoch (default now)' },
    'max-block-txs': { type: 'string', description: 'txs per block', default: String(DEFAULT_CONSENSUS.maxBlockTxs) },
    'max-tx-items': { type: 'string', description: 'evidence items per tx', default: String(DEFAULT_CONSENSUS.maxTxItems) },
    'block-interval-ms': { type: 'string', description: 'primary waits this long to fill a block', default: String(DEFAULT_CONSENSUS.blockIntervalMs) },
    'view-timeout-ms': { type: 'string', description: 'view-change timer', default: String(DEFAULT_CONSENSUS.viewTimeoutMs) },
    'max-clock-skew-ms': { type: 'string', description: 'most two validators\' clocks differ by (block time precision)', default: String(DEFAULT_CONSENSUS.maxClockSkewMs) },
    'message-delay-ms': { type: 'string', description: 'longest from a primary stamping a block to a validator receiving it', default: String(DEFAULT_CONSENSUS.messageDelayMs) },
    out: { type: 'string', short: 'o', description: 'where to write genesis.json' },
  },
  async run(args) {
    if (typeof args.values.hash === 'string') {
      const g = await readGenesisFile(args.values.hash)
      console.log(genesisHash(g))
      for (const m of g.members) console.log(`  ${m.id.padEnd(20)} ${m.role}${m.validator ? ' validator' : ''}  ${m.publicKey}${m.addrs ? `  ${m.addrs.join(' ')}` : ''}`)
      return
    }
    const list = (k: string): string[] => (args.values[k] as string[] | undefined) ?? []
    const chainId = required(args, 'chain-id')
    if (args.positionals.length && !args.values.cards) throw new NodeError({ code: 'USAGE' }, `unexpected arguments ${args.positionals.join(' ')}`)
    const cards = args.values.cards ? await membersFromCards([...list('cards'), ...args.positionals], chainId) : []
    const consensus: ConsensusParams = {
      ...DEFAULT_CONSENSUS,
      maxBlockTxs: intOption(args, 'max-block-txs'),
      maxTxItems: intOption(args, 'max-tx-items'),
      blockIntervalMs: intOption(args, 'block-interval-ms'),
      viewTimeoutMs: intOption(args, 'view-timeout-ms'),
      maxClockSkewMs: intOption(args, 'max-clock-skew-ms'),
      messageDelayMs: intOption(args, 'message-delay-ms'),
    }
    const genesis: Genesis = validateGenesis({
      v: 1,
      chainId,
      time: args.values.time ? intOption(args, 'time') : Date.now(),
      ...(args.values['test-chain'] ? { testChain: true } : {}),
      members: [
        ...list('validator').map((s) => parseMemberSpec(s, 'court', true)),
        ...list('unit-validator').map((s) => parseMemberSpec(s, 'unit', true)),
        ...list('court').map((s) => parseMemberSpec(s, 'court', false)),
        ...list('unit').map((s) => parseMemberSpec(s, 'unit', false)),
        ...cards,
      ],
      consensus,
    })
    const out = required(args, 'out')
    await writeFile(out, JSON.stringify(genesis, null, 2) + '\n')
    console.log(`wrote ${out}: chain ${genesis.chainId}, ${genesis.members.filter((m) => m.validator).length} validators, ${genesis.members.length} members, hash ${genesisHash(genesis)}`)
  },
}
