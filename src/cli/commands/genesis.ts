import { writeFile } from 'node:fs/promises'
import { DEFAULT_CONSENSUS, genesisHash, validateGenesis, type ConsensusParams, type Genesis, type GenesisMember } from '../../chain/index.js'
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

export const genesisCommand: Command = {
  name: 'genesis',
  summary: 'write a genesis file: court validators, unit members, consensus parameters',
  usage: 'genesis --chain-id <id> --validator <name>=<pubkey>@<multiaddr> ... [--unit <name>=<pubkey>[@<multiaddr>] ...] --out genesis.json',
  options: {
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
    const list = (k: string): string[] => (args.values[k] as string[] | undefined) ?? []
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
      chainId: required(args, 'chain-id'),
      time: args.values.time ? intOption(args, 'time') : Date.now(),
      ...(args.values['test-chain'] ? { testChain: true } : {}),
      members: [
        ...list('validator').map((s) => parseMemberSpec(s, 'court', true)),
        ...list('unit-validator').map((s) => parseMemberSpec(s, 'unit', true)),
        ...list('court').map((s) => parseMemberSpec(s, 'court', false)),
        ...list('unit').map((s) => parseMemberSpec(s, 'unit', false)),
      ],
      consensus,
    })
    const out = required(args, 'out')
    await writeFile(out, JSON.stringify(genesis, null, 2) + '\n')
    console.log(`wrote ${out}: chain ${genesis.chainId}, ${genesis.members.filter((m) => m.validator).length} validators, ${genesis.members.length} members, hash ${genesisHash(genesis)}`)
  },
}
