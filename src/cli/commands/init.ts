// `courtchain init`: the home folder `courtchain start --home` runs, written from the genesis the
// courts agreed on and this node's key, with its listen address checked against that genesis.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { genesisHash } from '../../chain/index.js'
import { readKeyFile, writeKeyFile } from '../../crypto/index.js'
import { reachabilityFix, readGenesisFile, unreachableAddrs, type NodeConfigFile } from '../../node/index.js'
import { NodeError, toHex } from '../../util/index.js'
import { intOption, required, type Command } from '../args.js'

export interface InitOptions {
  home: string
  genesisFile: string
  keyFile: string
  /** p2p listen multiaddrs; default the node's genesis addresses */
  listen?: string[]
  announce?: string[]
  rpcHost?: string
  rpcPort?: number
}

/**
 * Writes `<home>/{config.json, genesis.json, key.json}`; refuses an existing home and a
 * validator whose listen addresses do not serve its genesis addresses. Returns what it wrote.
 */
export async function initHome(o: InitOptions): Promise<{ id: string; validator: boolean; config: NodeConfigFile; genesisHash: string; notes: string[] }> {
  const files = ['config.json', 'genesis.json', 'key.json'].map((f) => join(o.home, f))
  const existing = files.filter((f) => existsSync(f))
  if (existing.length) throw new NodeError({ code: 'HOME_EXISTS', files: existing }, `${existing.join(', ')} already exist: init never overwrites a home (move it aside first)`)
  const genesis = await readGenesisFile(o.genesisFile)
  const key = await readKeyFile(o.keyFile)
  const publicKey = toHex(key.publicKey)
  const notes: string[] = []
  // The genesis names the member; the key file's own id is only a label the operator chose.
  const member = genesis.members.find((m) => m.publicKey === publicKey)
  const sameId = genesis.members.find((m) => m.id === key.id)
  if (!member && sameId) throw new NodeError({ code: 'KEY_NOT_IN_GENESIS', id: key.id }, `genesis lists ${key.id} with another public key than ${o.keyFile}: wrong key file or wrong genesis`)
  const id = member?.id ?? key.id
  if (!member) notes.push(`${id} is not in this genesis: the node will follow the chain until governance admits it`)
  else if (member.id !== key.id) notes.push(`the key file names itself ${key.id}; genesis lists this key as ${member.id}, the name used here`)
  const listen = o.listen?.length ? o.listen : member?.addrs?.length ? member.addrs : ['/ip4/127.0.0.1/tcp/0']
  const announce = o.announce ?? []
  const missing = member?.validator ? unreachableAddrs(member.addrs ?? [], listen, announce) : []
  if (missing.length) throw new NodeError({ code: 'CONFIG_UNREACHABLE', missing }, reachabilityFix(id, missing, listen, (a) => `pass ${a.map((x) => `--listen ${x}`).join(' ')}`))
  const config: NodeConfigFile = {
    genesis: 'genesis.json', key: 'key.json', dataDir: 'data', listen,
    ...(announce.length ? { announce } : {}),
    rpc: { host: o.rpcHost ?? '127.0.0.1', port: o.rpcPort ?? 8545 },
  }
  await mkdir(o.home, { recursive: true, mode: 0o700 })
  // The genesis is copied byte for byte: its hash is what the courts compared.
  await writeFile(files[1]!, await readFile(o.genesisFile), { flag: 'wx' })
  await writeKeyFile(files[2]!, { id, seed: key.seed })
  await writeFile(files[0]!, JSON.stringify(config, null, 2) + '\n', { flag: 'wx' })
  return { id, validator: member?.validator === true, config, genesisHash: genesisHash(genesis), notes }
}

export const initCommand: Command = {
  name: 'init',
  summary: "write a node's home folder (config, genesis, key) for `start --home`",
  usage: 'init --home <dir> --genesis <file> --key <file> [--listen <multiaddr>]... [--announce <multiaddr>]... [--rpc-host <h>] [--rpc-port <p>]',
  options: {
    home: { type: 'string', description: 'home folder to create', env: 'COURTCHAIN_HOME' },
    genesis: { type: 'string', description: 'the agreed genesis.json (check its hash with "courtchain genesis --hash")' },
    key: { type: 'string', description: "this node's key file (from keygen); copied into the home with mode 0600" },
    listen: { type: 'string', multiple: true, description: 'p2p listen multiaddr (repeat; default: the genesis addresses of this node)' },
    announce: { type: 'string', multiple: true, description: 'a genesis address a port forward or NAT maps to a listen address (repeat)' },
    'rpc-host': { type: 'string', description: 'RPC listen address', default: '127.0.0.1' },
    'rpc-port': { type: 'string', description: 'RPC port', default: '8545' },
  },
  async run(args) {
    const home = resolve(required(args, 'home'))
    const r = await initHome({
      home, genesisFile: required(args, 'genesis'), keyFile: required(args, 'key'),
      ...(args.values.listen ? { listen: args.values.listen as string[] } : {}),
      ...(args.values.announce ? { announce: args.values.announce as string[] } : {}),
      rpcHost: String(args.values['rpc-host']), rpcPort: intOption(args, 'rpc-port'),
    })
    for (const n of r.notes) console.log(`note: ${n}`)
    console.log(`wrote ${home}: ${r.id} (${r.validator ? 'validator' : 'member node'}), genesis ${r.genesisHash}`)
    console.log(`  p2p ${r.config.listen!.join(', ')}   rpc http://${r.config.rpc!.host}:${r.config.rpc!.port}`)
    console.log(`start it: courtchain start --home ${home}`)
  },
}
