// The crash-consistency child (spawned by crash.test.ts, killed with SIGKILL at random moments):
// appends a WAL vote and commits deterministic blocks in a loop, printing each only after it is
// durable. Does nothing unless COURTCHAIN_CRASH_CHILD=1, so the test runner may import it safely.
import { Store } from '../../src/store/index.js'
import { utf8 } from '../../src/util/index.js'
import { crashItems, syntheticBlock } from './synthetic.js'

async function main(dir: string): Promise<void> {
  const store = await Store.open(dir)
  const log = await store.openEvidenceLog()
  for (;;) {
    const height = (store.head()?.height ?? 0) + 1
    const seq = await store.walAppend(utf8(`commit vote ${height}`))
    // stdout to a pipe is synchronous on Linux: once the parent reads a line, it was written.
    process.stdout.write(`wal ${seq}\n`)
    const { input, pending } = syntheticBlock(log, height, crashItems(height))
    await store.commitBlock(input)
    log.commitAppend(pending)
    process.stdout.write(`committed ${height}\n`)
  }
}

if (process.env.COURTCHAIN_CRASH_CHILD === '1') await main(process.argv[2]!)
