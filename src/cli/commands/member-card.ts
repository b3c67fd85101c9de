// `courtchain member-card`: the signed genesis entry a court or unit hands to whoever assembles
// the genesis (docs/operations.md "Genesis ceremony").
import { writeFile } from 'node:fs/promises'
import { parseMemberCard, signMemberCard, type GenesisMember } from '../../chain/index.js'
import { ed25519Sign, ed25519Verify, readKeyFile } from '../../crypto/index.js'
import { peerIdFromSeed } from '../../p2p/index.js'
import { NodeError, toHex } from '../../util/index.js'
import { required, type Command } from '../args.js'

export const memberCardCommand: Command = {
  name: 'member-card',
  summary: 'print the signed genesis entry (member card) of a key, for the genesis ceremony',
  usage: 'member-card --key <file> --role court|unit [--validator] [--addr <multiaddr>]... [--id <id>] [--chain-id <id>] [--out <file>]',
  options: {
    key: { type: 'string', description: 'the member key file (from keygen); it signs the card' },
    role: { type: 'string', description: 'court or unit' },
    validator: { type: 'boolean', description: 'this member runs a validator (needs --addr)', default: false },
    addr: { type: 'string', multiple: true, description: 'multiaddr peers dial this node at, e.g. /ip4/203.0.113.7/tcp/26601 (repeat; a member without a node has none)' },
    id: { type: 'string', description: 'member id (default: the id in the key file)' },
    'chain-id': { type: 'string', description: 'bind the card to this chain id' },
    out: { type: 'string', short: 'o', description: 'write the card here instead of printing it' },
  },
  async run(args) {
    const key = await readKeyFile(required(args, 'key'))
    const role = required(args, 'role')
    if (role !== 'court' && role !== 'unit') throw new NodeError({ code: 'USAGE' }, `--role expected court or unit, got ${role}`)
    const addrs = (args.values.addr as string[] | undefined) ?? []
    const validator = args.values.validator === true
    if (validator && addrs.length === 0) throw new NodeError({ code: 'USAGE' }, 'a validator needs --addr: the address its peers dial')
    const member: GenesisMember = {
      id: typeof args.values.id === 'string' ? args.values.id : key.id, role, publicKey: toHex(key.publicKey),
      ...(validator ? { validator: true } : {}),
      ...(addrs.length ? { peerId: peerIdFromSeed(key.seed), addrs } : {}),
    }
    const chainId = typeof args.values['chain-id'] === 'string' ? args.values['chain-id'] : undefined
    const card = signMemberCard(member, (m) => ed25519Sign(key.seed, m), chainId)
    parseMemberCard(card, ed25519Verify, 'the new card') // the same checks the genesis command makes: a bad id fails here, not there
    const text = JSON.stringify(card, null, 2) + '\n'
    if (typeof args.values.out === 'string') {
      await writeFile(args.values.out, text, { flag: 'wx' })
      console.error(`wrote ${args.values.out}: ${member.id} (${role}${validator ? ', validator' : ''})`)
    } else process.stdout.write(text)
  },
}
