// `courtchain backup` and `courtchain restore` (docs/operations.md "Backup and restore").
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { genesisHash } from '../../chain/index.js'
import { adminRequest, loadNodeConfig } from '../../node/index.js'
import { restoreStore, Store } from '../../store/index.js'
import { isNodeError, NodeError } from '../../util/index.js'
import { required, type Command } from '../args.js'

const storeDir = (dataDir: string): string => join(dataDir, 'chain')

export const backupCommand: Command = {
  name: 'backup',
  summary: "write a consistent backup of a node's store (running or stopped) to a file",
  usage: 'backup --home <dir> --out <file>',
  options: {
    home: { type: 'string', description: 'node home folder', env: 'COURTCHAIN_HOME' },
    out: { type: 'string', short: 'o', description: 'backup file to create (a running node writes it: a path its user may write)' },
  },
  async run(args) {
    const { options } = await loadNodeConfig(required(args, 'home'))
    const out = resolve(required(args, 'out'))
    if (existsSync(out)) throw new NodeError({ code: 'BACKUP_EXISTS', file: out }, `${out} exists: backup never overwrites a file`)
    let r: { height: number; entries: number; bytes: number; sha256: string }
    let how = 'from the running node'
    try {
      r = await adminRequest(options.dataDir, { op: 'backup', out }) as typeof r
    } catch (e) {
      if (!isNodeError(e, 'ADMIN_UNREACHABLE')) throw e
      // No node runs on this store: read it directly (LevelDB's lock refuses if one does after all).
      how = 'from the stopped store'
      const store = await Store.open(storeDir(options.dataDir))
      try { r = await store.backup(out, { chainId: options.genesis.chainId, genesisHash: genesisHash(options.genesis), node: options.key.id }) } finally { await store.close() }
    }
    console.log(`wrote ${out} ${how}: height ${r.height}, ${r.entries} entries, ${r.bytes} bytes, sha256 ${r.sha256}`)
  },
}

export const restoreCommand: Command = {
  name: 'restore',
  summary: "rebuild a stopped node's store from a backup; it then catches up from its peers",
  usage: 'restore --home <dir> --from <file>',
  options: {
    home: { type: 'string', description: 'node home folder', env: 'COURTCHAIN_HOME' },
    from: { type: 'string', description: 'backup file (from courtchain backup)' },
  },
  async run(args) {
    const { options } = await loadNodeConfig(required(args, 'home'))
    const dir = storeDir(options.dataDir)
    if (existsSync(dir)) {
      throw new NodeError({ code: 'STORE_EXISTS', dir }, `${dir} exists: stop the node and move it aside (mv ${dir} ${dir}.old) before restoring`)
    }
    const want = { chainId: options.genesis.chainId, genesisHash: genesisHash(options.genesis) }
    let ofNode = ''
    const r = await restoreStore(resolve(required(args, 'from')), dir, {
      check: (h) => {
        ofNode = h.about.node ?? ''
        if (h.about.chainId !== want.chainId || h.about.genesisHash !== want.genesisHash) {
          throw new NodeError({ code: 'BACKUP_WRONG_CHAIN', ...want }, `the backup is of chain ${h.about.chainId} (genesis ${h.about.genesisHash}), this home runs ${want.chainId} (genesis ${want.genesisHash})`)
        }
      },
      prepare: async (s) => {
        // Another node's votes are not this node's: its WAL would only make it refuse votes it never cast.
        if (ofNode !== options.key.id) await s.walTruncate(Number.MAX_SAFE_INTEGER)
        // The node may have voted after the backup was taken: it votes again only past those heights.
        await s.setVoteFence('unknown')
      },
    })
    const from = ofNode !== options.key.id ? ` (a backup of ${ofNode || 'an unnamed node'}, without its consensus log)` : ''
    console.log(`restored ${dir}${from}: height ${r.header.height}, ${r.entries} entries, taken ${r.header.createdAt}`)
    console.log('start the node: it catches up from its peers, and votes again once its head passes the heights it may have voted at (its log says "vote fence passed")')
  },
}
