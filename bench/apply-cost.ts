// A profiling aid, not a benchmark: what a syncing node does per evidence item, in one process
// and without the network — decodeBlock, blockEvidence, the log append and Store.commitBlock on
// a real LevelDB — over blocks of 1000-item deposits encoded up front. It prints µs per item for
// each stage; run it under `--cpu-prof` or `--trace-gc` to see where the time goes.
//
//   node [--cpu-prof] dist/bench/apply-cost.js [--blocks 150] [--txs 3] [--stage all|decode|nowrite] [--ahead]
//
// --ahead: each block's hashes are found first, untimed (block sync has a worker thread do that,
// sync/ahead.ts), so the figures are what is left on the main thread.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { blockEvidence, decodeBlock, hashBlockAhead, makeBlock, signTx, type PreparedTx, type UnsignedTx } from '../src/chain/index.js'
import { sha256 } from '../src/crypto/index.js'
import { Store } from '../src/store/index.js'
import { toHex, utf8 } from '../src/util/index.js'
import { arg, flag } from './common.js'

const blocks = Number(arg('blocks', '150'))
const txsPerBlock = Number(arg('txs', '3'))
const stage = arg('stage', 'all')
const ITEMS = 1000
const limits = { chainId: 'bench', genesisHash: '00'.repeat(32), maxBlockBytes: 64 << 20, maxBlockTxs: 10_000, maxTxItems: 10_000 }

// The blocks' bytes, as a peer's range answer carries them. The signatures are dummies: sync's
// per-tx signature check (one Ed25519 verify per tx, not per item) is not timed here.
const encoded: Uint8Array[] = []
for (let h = 1; h <= blocks; h++) {
  const txs = Array.from({ length: txsPerBlock }, (_, t): PreparedTx => {
    const u: UnsignedTx = {
      v: 1, chain: 'bench', type: 'deposit', from: 'notary-1', nonce: h * 100 + t,
      items: Array.from({ length: ITEMS }, (_, i) => ({ digests: { sha256: toHex(sha256(utf8(`${h}/${t}/${i}`))) }, meta: { size: 1024 + i } })),
    }
    return signTx(u, limits.genesisHash, () => new Uint8Array(64))
  })
  encoded.push(makeBlock({ chain: 'bench', height: h, time: 1_764_201_600_000 + h, parent: '00'.repeat(32), logSize: 0, logRoot: '00'.repeat(32) }, txs).bytes)
}

const ahead = flag('ahead') ? encoded.map((b) => hashBlockAhead(b, limits)) : []

const dir = mkdtempSync(join(tmpdir(), 'cc-apply-cost-'))
const store = await Store.open(join(dir, 'chain'))
const log = await store.openEvidenceLog()
const ms = { decode: 0, place: 0, append: 0, write: 0 }
const t0 = performance.now()
try {
  for (let h = 1; h <= blocks; h++) {
    let a = performance.now()
    const pb = decodeBlock(encoded[h - 1]!, limits, undefined, ahead[h - 1])
    let b = performance.now()
    ms.decode += b - a
    if (stage === 'decode') continue
    const placed = blockEvidence(pb, log.size)
    a = performance.now()
    ms.place += a - b
    const append = log.append(placed.map((p) => p.leafHash))
    b = performance.now()
    ms.append += b - a
    // One fsync per 30 blocks, as block sync fsyncs once per range.
    if (stage !== 'nowrite') await store.commitBlock({
      height: h, hash: sha256(utf8(`block/${h}`)), blockBytes: pb.bytes, certificate: `courtchain/bench\n${append.size}\n`,
      txs: pb.txs.map((t, index) => ({ hash: t.hash, index })),
      evidence: placed.map((p) => ({ leafIndex: p.leafIndex, id: p.leafHash, digests: [{ alg: 'sha256' as const, hex: p.record.digests.sha256 }] })),
      logWrites: append.writes, logSize: append.size, logRoot: append.root, state: [{ key: 'stats', value: utf8('{}') }],
    }, { fsync: h % 30 === 0 })
    log.commitAppend(append)
    ms.write += performance.now() - b
  }
  const total = performance.now() - t0
  const n = blocks * txsPerBlock * ITEMS
  const us = (x: number): string => ((x * 1000) / n).toFixed(2)
  console.log(`${n} items (${stage}${ahead.length ? ', hashed ahead' : ''}): ${((n / total) * 1000).toFixed(0)} items/s; µs per item: decode ${us(ms.decode)}, place ${us(ms.place)}, append ${us(ms.append)}, commitBlock ${us(ms.write)}, total ${us(total)}`)
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
