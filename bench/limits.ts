// The machine's ceilings, measured in the same run as the scenarios they bound:
// - Ed25519: every validator verifies every tx signature once (mempool admission), so single-item
//   tx/s ≤ native verify/s per core × cores ÷ validators.
// - Evidence: every validator hashes each item (tx items root, leaf record) and stores it (leaf,
//   indexes, log nodes; one fsynced batch per block), so items/s ≤ cores ÷ (validators × per-item cost).
import { availableParallelism, tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { blockEvidence, prepareTx, type EvidenceItem, type PreparedBlock, type PreparedTx, type UnsignedTx } from '../src/chain/index.js'
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyAsync, generateKeyPair, sha256 } from '../src/crypto/index.js'
import { Store } from '../src/store/index.js'
import { toHex, utf8 } from '../src/util/index.js'

export interface Limits {
  cores: number
  ed25519VerifyPerSec: number
  ed25519VerifyAsyncAllCoresPerSec: number
  ed25519SignPerSec: number
  itemCostUs: number
  itemHashUs: number
  itemStoreUs: number
}

/** Runs `f` repeatedly for about `ms` milliseconds; returns calls per second. */
function rateOf(f: () => void, ms: number): number {
  for (let i = 0; i < 200; i++) f()
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < ms) { for (let i = 0; i < 100; i++) f(); n += 100 }
  return n / ((performance.now() - t0) / 1000)
}

async function asyncRateOf(f: () => Promise<unknown>, ms: number, inflight = 64): Promise<number> {
  let n = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inflight }, async () => { while (performance.now() - t0 < ms) { await f(); n++ } }))
  return n / ((performance.now() - t0) / 1000)
}

/** Per-item cost of what every validator does for one evidence item, measured over `blocks` 1000-item blocks. */
async function itemCost(blocks: number): Promise<{ total: number; hash: number; store: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-bench-item-'))
  const store = await Store.open(join(dir, 'chain'))
  const log = await store.openEvidenceLog()
  let hashMs = 0, storeMs = 0, items = 0
  const t0 = performance.now()
  for (let h = 1; h <= blocks; h++) {
    // Two 500-item deposits, as the batched scenario sends them (signed outside the timing).
    const unsigned: UnsignedTx[] = [0, 1].map((t) => ({
      v: 1, chain: 'bench', type: 'deposit', from: 'notary-1', nonce: h * 2 + t,
      items: Array.from({ length: 500 }, (_, i): EvidenceItem => ({ digests: { sha256: toHex(sha256(utf8(`${h}/${t}/${i}`))) }, meta: { size: 1024 + i } })),
    }))
    const t1 = performance.now()
    const txs = unsigned.map((u) => ({ ...prepareTx(u, '00'.repeat(32)), tx: { ...u, sig: '00'.repeat(64) } }) as PreparedTx)
    const pb = { block: { header: { chain: 'bench', height: h, time: 1764201600000 + h } }, txs } as unknown as PreparedBlock
    const placed = blockEvidence(pb, log.size)
    const append = log.append(placed.map((p) => p.leafHash))
    const t2 = performance.now()
    await store.commitBlock({
      height: h, hash: sha256(utf8(`block/${h}`)), blockBytes: new Uint8Array(200), certificate: `courtchain/bench\n${append.size}\n`,
      txs: txs.map((t, index) => ({ hash: t.hash, index })),
      evidence: placed.map((p) => ({ leafIndex: p.leafIndex, id: p.id, digests: [{ alg: 'sha256' as const, hex: p.record.digests.sha256 }] })),
      logWrites: append.writes, logSize: append.size, logRoot: append.root, state: [],
    })
    log.commitAppend(append)
    storeMs += performance.now() - t2
    hashMs += t2 - t1
    items += placed.length
  }
  void t0
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return { total: ((hashMs + storeMs) * 1000) / items, hash: (hashMs * 1000) / items, store: (storeMs * 1000) / items }
}

export async function measureLimits(quick: boolean): Promise<Limits> {
  const k = generateKeyPair()
  const msg = utf8('courtchain/tx/v1\n{"chain":"devnet","count":1,"from":"notary-1","itemsRoot":"' + '0'.repeat(64) + '","nonce":1,"type":"deposit","v":1}')
  const sig = ed25519Sign(k.seed, msg)
  const pub = ed25519PublicKey(k.seed)
  const ms = quick ? 1000 : 3000
  const ed25519VerifyPerSec = rateOf(() => { if (!ed25519Verify(pub, msg, sig)) throw new Error('verify failed') }, ms)
  const ed25519VerifyAsyncAllCoresPerSec = await asyncRateOf(() => ed25519VerifyAsync(pub, msg, sig), ms)
  const ed25519SignPerSec = rateOf(() => ed25519Sign(k.seed, msg), ms / 2)
  const cost = await itemCost(quick ? 15 : 60)
  return { cores: availableParallelism(), ed25519VerifyPerSec, ed25519VerifyAsyncAllCoresPerSec, ed25519SignPerSec, itemCostUs: cost.total, itemHashUs: cost.hash, itemStoreUs: cost.store }
}
