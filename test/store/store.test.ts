import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import {
  EvidenceLog, consistencyProof, hashLeaf, inclusionProof, rootFromLeafHashes, verifyInclusion,
} from '../../src/merkle/index.js'
import { Store } from '../../src/store/index.js'
import { fromUtf8, isNodeError, toHex, u64be, utf8 } from '../../src/util/index.js'
import { syntheticBlock, syntheticDigest, syntheticLeaf, syntheticTxHash } from './synthetic.js'

const dirs: string[] = []
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'courtchain-store-')); dirs.push(d); return d }

/** Commits `sizes.length` synthetic blocks with those evidence counts; returns the store and log. */
async function commitAll(store: Store, log: EvidenceLog, sizes: number[]): Promise<void> {
  for (const n of sizes) {
    const { input, pending } = syntheticBlock(log, (store.head()?.height ?? 0) + 1, n)
    await store.commitBlock(input)
    log.commitAppend(pending)
  }
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  try { await p; assert.unreachable(`expected ${code}`) } catch (e) { assert.ok(isNodeError(e, code), `expected ${code}, got ${String(e)}`) }
}

test('a committed block reads back through every index', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  assert.is(store.head(), undefined)
  await commitAll(store, log, [3, 0, 120])
  const head = store.head()!
  assert.is(head.height, 3)
  assert.is(head.logSize, 123)
  assert.is(toHex(head.logRoot), toHex(log.root()))
  assert.is(fromUtf8((await store.getBlock(2))!).trim().slice(0, 7), 'block 2')
  assert.match(fromUtf8((await store.getCertificate(3))!), /height 3\n/)
  assert.is(await store.getBlock(4), undefined)
  const range = await store.getBlocks(1, 9)
  assert.equal(range.map((b) => b.height), [1, 2, 3])
  assert.ok(range.every((b) => b.certificate.length > 0))
  assert.equal((await store.getBlocks(1, 3, { maxBytes: 1 })).map((b) => b.height), [1])
  assert.equal(await store.getTx(syntheticTxHash(3, 1)), { height: 3, index: 1 })
  assert.equal(await store.getTx(toHex(syntheticTxHash(1, 0))), { height: 1, index: 0 })
  assert.is(await store.getTx(syntheticTxHash(2, 0)), undefined)
  // Evidence by id (bytes or hex), by leaf index, by digest, by case.
  const leaf = syntheticLeaf(3, 15)
  const found = await store.getEvidenceById(toHex(hashLeaf(leaf)))
  assert.is(found?.leafIndex, 3 + 15)
  // Which block holds a leaf: the store keeps no leaf bytes (they follow from the block).
  assert.is(await store.blockOfLeaf(18), 3)
  assert.is(await store.blockOfLeaf(0), 1)
  assert.is(await store.blockOfLeaf(2), 1, "block 2 added no evidence")
  assert.is(await store.blockOfLeaf(122), 3)
  assert.is(await store.blockOfLeaf(123), undefined)
  assert.equal(await store.findByDigest('sha256', syntheticDigest(3, 15)), [{ leafIndex: 18, id: toHex(hashLeaf(leaf)) }])
  assert.equal(await store.findByDigest('sha256', syntheticDigest(9, 9)), [])
  const sm3 = JSON.parse(fromUtf8(leaf)).digests.sm3 as string
  assert.equal((await store.findByDigest('sm3', sm3)).map((r) => r.leafIndex), [18])
  assert.equal((await store.caseEntries('case-3')).map((r) => r.leafIndex), [3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 103, 113])
  assert.equal((await store.caseEntries('case-3', 2)).map((r) => r.leafIndex), [3, 13])
  assert.equal(await store.caseEntries('case-'), [])
  assert.is(fromUtf8((await store.getState('nonce/notary-1'))!), '3')
  await store.close()
})

test('a digest deposited twice finds both leaves, oldest first, up to the limit', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  for (const height of [1, 2, 3]) {
    const { input, pending } = syntheticBlock(log, height, 4, { seed: 1 })
    await store.commitBlock(input)
    log.commitAppend(pending)
  }
  assert.equal((await store.findByDigest('sha256', syntheticDigest(1, 2))).map((r) => r.leafIndex), [2, 6, 10])
  assert.equal((await store.findByDigest('sha256', syntheticDigest(1, 2), 2)).map((r) => r.leafIndex), [2, 6])
  await store.close()
})

test('a block whose height is not head + 1 is refused and changes nothing', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  await expectCode(store.commitBlock(syntheticBlock(log, 2, 1).input), 'STORE_HEIGHT_GAP')
  await commitAll(store, log, [2])
  await expectCode(store.commitBlock(syntheticBlock(log, 3, 1).input), 'STORE_HEIGHT_GAP')
  await expectCode(store.commitBlock(syntheticBlock(log, 1, 1).input), 'STORE_HEIGHT_GAP')
  assert.is(store.head()!.height, 1)
  assert.is(await store.getBlock(3), undefined)
  await store.close()
})

test('evidence that does not continue the stored log is refused', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  await commitAll(store, log, [5])
  const { input } = syntheticBlock(log, 2, 3)
  await expectCode(store.commitBlock({ ...input, evidence: input.evidence.map((e) => ({ ...e, leafIndex: e.leafIndex + 1 })) }), 'STORE_LOG_MISMATCH')
  await expectCode(store.commitBlock({ ...input, logWrites: syntheticBlock(log, 2, 3, { seed: 99 }).input.logWrites }), 'STORE_LOG_MISMATCH')
  await expectCode(store.commitBlock({ ...input, logSize: 9 }), 'STORE_LOG_MISMATCH')
  assert.is(await store.getBlock(2), undefined)
  assert.is(store.head()!.logSize, 5)
  await store.close()
})

test('overlapping commitBlock calls are applied in call order', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  const a = syntheticBlock(log, 1, 4)
  const b = syntheticBlock(log, 2, 6, { after: a.pending })
  await Promise.all([store.commitBlock(a.input), store.commitBlock(b.input)])
  log.commitAppend(a.pending)
  log.commitAppend(b.pending)
  assert.is(store.head()!.height, 2)
  await store.checkConsistency()
  await store.close()
})

test('proofs from the persisted log match the in-memory tree after reopening', async () => {
  const dir = tempDir()
  let store = await Store.open(dir)
  const log = await store.openEvidenceLog()
  const sizes = [1, 7, 0, 33, 2, 64, 5, 17]
  await commitAll(store, log, sizes)
  const checkpoints = sizes.reduce<number[]>((acc, n) => [...acc, (acc.at(-1) ?? 0) + n], [])
  await store.close()

  store = await Store.open(dir)
  await store.checkConsistency()
  const reopened = await store.openEvidenceLog()
  const leaves = sizes.flatMap((n, h) => Array.from({ length: n }, (_, i) => hashLeaf(syntheticLeaf(h + 1, i))))
  assert.is(toHex(reopened.root()), toHex(rootFromLeafHashes(leaves)))
  for (const size of checkpoints.filter((s) => s > 0)) {
    const prefix = leaves.slice(0, size)
    const root = rootFromLeafHashes(prefix)
    assert.is(toHex(await reopened.rootAt(size)), toHex(root))
    for (let i = 0; i < size; i++) {
      const proof = await reopened.inclusionProof(i, size)
      assert.equal(proof.map(toHex), inclusionProof(i, prefix).map(toHex))
      assert.ok(verifyInclusion(i, size, leaves[i]!, proof, root))
    }
    for (const size2 of checkpoints.filter((s) => s >= size)) {
      assert.equal((await reopened.consistencyProof(size, size2)).map(toHex),
        consistencyProof(size, leaves.slice(0, size2)).map(toHex))
    }
  }
  await store.close()
})

test('synchronous and batched node reads agree, and proofs agree with and without the upper levels in memory', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  await commitAll(store, log, [100, 3, 60, 1, 40])
  const keys = [{ level: 0, index: 0 }, { level: 3, index: 7 }, { level: 7, index: 0 }, { level: 0, index: 204 }, { level: 8, index: 0 }]
  const batched = await store.logNodes.getNodes(keys)
  const sync = store.logNodes.getNodesSync!(keys)
  assert.equal(sync.map((h) => h && toHex(h)), batched.map((h) => h && toHex(h)))
  assert.is(sync[4], undefined, 'level 8 is not complete at 204 leaves')
  const n = log.size
  const reference = await EvidenceLog.open({ getNodes: (ks) => store.getNodes(ks) }, { size: n, upperLevel: 52 })
  for (const upperLevel of [0, 3, 6]) {
    const cached = await EvidenceLog.open(store.logNodes, { size: n, upperLevel })
    for (const size of [n, 163, 100]) {
      for (let i = 0; i < size; i += 3) {
        assert.equal((await cached.inclusionProof(i, size)).map(toHex), (await reference.inclusionProof(i, size)).map(toHex))
        assert.equal((await cached.consistencyProof(i, size)).map(toHex), (await reference.consistencyProof(i, size)).map(toHex))
      }
    }
  }
  await store.close()
})

test('the bulk path writes the same layout as commitBlock', async () => {
  const one = await Store.open(tempDir())
  const bulk = await Store.open(tempDir())
  const logOne = await one.openEvidenceLog()
  const logBulk = await bulk.openEvidenceLog()
  await commitAll(one, logOne, [10, 20, 30])
  const blocks = []
  let after
  for (const [h, n] of [[1, 10], [2, 20], [3, 30]] as const) {
    const b = syntheticBlock(logBulk, h, n, { after })
    blocks.push(b)
    after = b.pending
  }
  await bulk.bulkAppendEvidence(blocks.map((b) => b.input))
  for (const b of blocks) logBulk.commitAppend(b.pending)
  assert.equal(bulk.head(), one.head())
  await bulk.checkConsistency()
  for (const size of [10, 30, 60]) {
    assert.equal((await logBulk.inclusionProof(7, size)).map(toHex), (await logOne.inclusionProof(7, size)).map(toHex))
  }
  assert.equal(await bulk.getBlocks(1, 3), await one.getBlocks(1, 3))
  assert.equal(await bulk.caseEntries('case-2'), await one.caseEntries('case-2'))
  await one.close()
  await bulk.close()
})

test('WAL records survive reopening, in order, and truncate below a sequence number', async () => {
  const dir = tempDir()
  let store = await Store.open(dir)
  assert.equal(await store.walLoad(), [])
  for (const s of ['prepare 1', 'commit 1', 'prepare 2']) await store.walAppend(utf8(s))
  await store.close()
  store = await Store.open(dir)
  assert.is(await store.walAppend(utf8('commit 2')), 4)
  assert.equal((await store.walLoad()).map((r) => [r.seq, fromUtf8(r.record)]),
    [[1, 'prepare 1'], [2, 'commit 1'], [3, 'prepare 2'], [4, 'commit 2']])
  await store.walTruncate(3)
  assert.equal((await store.walLoad()).map((r) => r.seq), [3, 4])
  await store.close()
})

test('state keys are set and deleted with the block that changes them', async () => {
  const store = await Store.open(tempDir())
  const log = await store.openEvidenceLog()
  const { input, pending } = syntheticBlock(log, 1, 0)
  await store.commitBlock({ ...input, state: [{ key: 'members', value: utf8('v1') }, { key: 'gone', value: utf8('x') }] })
  log.commitAppend(pending)
  const next = syntheticBlock(log, 2, 0)
  await store.commitBlock({ ...next.input, state: [{ key: 'gone', value: null }] })
  assert.is(fromUtf8((await store.getState('members'))!), 'v1')
  assert.is(await store.getState('gone'), undefined)
  await store.close()
})

/** A store in a fresh folder whose META "format" says `format`. */
async function storeOfFormat(format: number): Promise<string> {
  const dir = tempDir()
  await (await Store.open(dir)).close()
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.put(Uint8Array.of(0x08, ...utf8('format')), u64be(format))
  await db.close()
  return dir
}

test('a store of another format version is refused', async () => {
  await expectCode(Store.open(await storeOfFormat(99)), 'STORE_FORMAT')
})

test('a store from before signed tx roots (format 2) is refused with the change and how to re-sync', async () => {
  const dir = await storeOfFormat(2)
  try { await Store.open(dir); assert.unreachable('opened') } catch (e) {
    assert.ok(isNodeError(e, 'STORE_FORMAT'), String(e))
    const m = (e as Error).message
    assert.match(m, `store ${dir} is format 2, this courtchain reads format 3`)
    assert.match(m, "format 3: a block's tx root commits to each tx's signature")
    assert.match(m, 'Delete that folder and start the node again (`courtchain start --home <node home>`): it re-syncs the chain from its peers')
  }
})

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

test.run()
