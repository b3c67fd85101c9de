import { generateKeyPair, writeKeyFile } from '../../crypto/index.js'
import { vkey } from '../../checkpoint/index.js'
import { peerIdFromSeed } from '../../p2p/index.js'
import { toHex } from '../../util/index.js'
import { required, type Command } from '../args.js'

export const keygen: Command = {
  name: 'keygen',
  summary: 'create an Ed25519 key file (mode 0600) for a validator, member node or depositing unit',
  usage: 'keygen --out <file> [--name <member id>] [--force]',
  options: {
    out: { type: 'string', short: 'o', description: 'where to write the key file' },
    name: { type: 'string', description: 'member id the key is for (the vkey name)', default: 'member' },
    force: { type: 'boolean', description: 'overwrite an existing file', default: false },
    json: { type: 'boolean', description: 'print the public parts as JSON', default: false },
  },
  async run(args) {
    const out = required(args, 'out')
    const name = String(args.values.name)
    const { seed, publicKey } = generateKeyPair()
    await writeKeyFile(out, { id: name, seed, publicKey }, { force: args.values.force === true })
    const info = { file: out, id: name, publicKey: toHex(publicKey), vkey: vkey(name, publicKey), peerId: peerIdFromSeed(seed) }
    if (args.values.json) console.log(JSON.stringify(info, null, 2))
    else console.log(`wrote ${out}\npublic key: ${info.publicKey}\nvkey:       ${info.vkey}\npeer id:    ${info.peerId}`)
  },
}
