// The WAL crash child (spawned by wal-crash.test.ts, killed with SIGKILL between its phases): one
// backup replica, v3, runs the real consensus engine on a real store's WAL. Committed heads go to
// a file (the store's block batch needs node blocks; what matters here is the WAL). Messages from
// the other replicas are made in-process with the simulator's fixtures. Prints each vote it sends.
// Does nothing unless COURTCHAIN_WAL_CHILD=1, so the test runner may import it safely.
import { readFileSync, writeFileSync, openSync, fsyncSync, closeSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConsensusEngine, type CommittedBlock, type ConsensusMessage } from '../../src/consensus/index.js'
import { simContext, type SimBlock } from '../../scripts/sim/app.js'
import { block, commit, prePrepare, prepare, validators } from './fixtures.js'
import { SIM_GENESIS } from '../../scripts/sim/app.js'
import { Store } from '../../src/store/index.js'
import { fromUtf8, utf8 } from '../../src/util/index.js'

const codec = {
  encodeBlock: (b: SimBlock): Uint8Array => utf8(JSON.stringify(b)),
  decodeBlock: (bytes: Uint8Array): SimBlock => JSON.parse(fromUtf8(bytes)) as SimBlock,
}
const quiet = { debug: () => {}, info: () => {}, warn: () => {} }

function writeDurably(file: string, text: string): void {
  writeFileSync(file, text)
  const fd = openSync(file, 'r')
  fsyncSync(fd)
  closeSync(fd)
}

async function main(dir: string, phase: string): Promise<void> {
  const store = await Store.open(join(dir, 'db'))
  const headFile = join(dir, 'head.json')
  const stored = existsSync(headFile) ? JSON.parse(readFileSync(headFile, 'utf8')) as { block: SimBlock; signers: string[] } : null
  const say = (msg: ConsensusMessage<SimBlock>): void => {
    if (msg.type === 'prepare' || msg.type === 'commit') process.stdout.write(`${msg.type} ${msg.view} ${msg.height} ${msg.digest}\n`)
  }
  const engine = new ConsensusEngine<SimBlock>({ ...codec, viewTimeoutMs: 60_000, requestTimeoutMs: 60_000, blockIntervalMs: 0, pipelineDepth: 4 }, {
    ctx: simContext(validators, 'v3'),
    transport: { broadcast: say, send: (_to, msg) => say(msg) },
    wal: { append: (r) => store.walAppend(r), load: () => store.walLoad(), truncate: (below) => store.walTruncate(below) },
    clock: { now: () => 1_000 },
    app: {
      // the certificate is not checked on start (the store's head is trusted): the signers suffice here
      head: () => stored ? { block: stored.block, certificate: [] } as CommittedBlock<SimBlock> : null,
      buildBlock: async () => { throw new Error('v3 is a backup in view 0') },
      onCommit: async (b) => { writeDurably(headFile, JSON.stringify({ block: b, signers: [] })) },
      onSyncNeeded: () => {},
    },
    log: quiet,
  })
  await engine.start()
  const feed = (msgs: ConsensusMessage<SimBlock>[]): void => { for (const m of msgs) engine.receive(m.from, m) }
  if (phase === 'first') {
    // heights 1..4 pre-prepared and prepared by the others: v3 sends its commits for all four
    let parent = SIM_GENESIS.hash
    const chain: SimBlock[] = []
    for (let h = 1; h <= 4; h++) { const b = block(h, parent, 10 + h, [`a${h}`]); chain.push(b); parent = b.hash }
    for (const b of chain) feed([prePrepare('v0', 0, b), prepare('v1', 0, b), prepare('v2', 0, b)])
    await engine.idle()
    // height 1 commits: the engine compacts its WAL while 2..4 are in flight
    feed([commit('v1', 0, chain[0]!), commit('v2', 0, chain[0]!)])
    await engine.idle()
    process.stdout.write('ready\n')
    await new Promise(() => {}) // wait for SIGKILL
  } else {
    // a conflicting block at height 2, view 0, with the others' prepares
    const other = block(2, stored!.block.hash, 12, ['conflicting'])
    feed([prePrepare('v0', 0, other), prepare('v1', 0, other), prepare('v2', 0, other), commit('v1', 0, other), commit('v2', 0, other)])
    await engine.idle()
    process.stdout.write(`done ${other.hash}\n`)
    await engine.stop()
    await store.close()
  }
}

if (process.env.COURTCHAIN_WAL_CHILD === '1') await main(process.argv[2]!, process.argv[3]!)
