import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashLeaf, inclusionProof, consistencyProof, rootFromLeafHashes } from '../../src/merkle/index.js'
import { Store } from '../../src/store/index.js'
import { toHex } from '../../src/util/index.js'
import { crashItems, syntheticLeaf } from './synthetic.js'

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url))
const ROUNDS = 6

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its printed seed. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

/** Runs the child until it has reported `lines` lines plus `delayMs`, then SIGKILLs it. */
function runAndKill(dir: string, lines: number, delayMs: number): Promise<{ committed: number[]; wal: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], {
      env: { ...process.env, COURTCHAIN_CRASH_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    const committed: number[] = []
    const wal: number[] = []
    let buf = ''
    let seen = 0
    let armed = false
    const arm = (): void => { if (!armed) { armed = true; setTimeout(() => child.kill('SIGKILL'), delayMs) } }
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [kind, n] = buf.slice(0, nl).split(' ')
        buf = buf.slice(nl + 1)
        ;(kind === 'committed' ? committed : wal).push(Number(n))
        if (++seen >= lines) arm()
      }
    })
    if (lines === 0) arm()
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself: code ${code}, signal ${signal}`))
      else resolve({ committed, wal })
    })
  })
}

test('kill -9 at random moments loses no reported block and leaves a consistent store', async () => {
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1e9)
  const rand = prng(seed)
  const dir = mkdtempSync(join(tmpdir(), 'courtchain-crash-'))
  const leaves: Uint8Array[] = []
  let reportedHeight = 0
  const reportedWal: number[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Round 0 may kill the child while it is still opening the store.
      const { committed, wal } = await runAndKill(dir, round === 0 ? 0 : 2 + rand(60), rand(round === 0 ? 400 : 25))
      reportedHeight = Math.max(reportedHeight, ...committed)
      reportedWal.push(...wal)
      const where = `seed ${seed}, round ${round}`

      const store = await Store.open(dir)
      try {
        await store.checkConsistency()
        const head = store.head()
        const height = head?.height ?? 0
        assert.ok(height >= reportedHeight, `${where}: head ${height} is behind reported block ${reportedHeight}`)
        if (process.env.CRASH_DEBUG) console.log(where, {height, reportedHeight, wal: reportedWal.length})
        const blocks = await store.getBlocks(1, height)
        assert.equal(blocks.map((b) => b.height), Array.from({ length: height }, (_, i) => i + 1), where)
        assert.ok(blocks.every((b) => b.certificate.length > 0), where)
        // Recompute the whole log independently from the deterministic leaves.
        leaves.length = 0
        for (let h = 1; h <= height; h++) for (let i = 0; i < crashItems(h); i++) leaves.push(hashLeaf(syntheticLeaf(h, i)))
        assert.is(head?.logSize ?? 0, leaves.length, where)
        if (head !== undefined) assert.is(toHex(head.logRoot), toHex(rootFromLeafHashes(leaves)), where)
        const log = await store.openEvidenceLog()
        for (let k = 0; k < 20 && leaves.length > 0; k++) {
          const size = 1 + rand(leaves.length)
          const i = rand(size)
          assert.equal((await log.inclusionProof(i, size)).map(toHex), inclusionProof(i, leaves.slice(0, size)).map(toHex), where)
          const size1 = 1 + rand(size)
          assert.equal((await log.consistencyProof(size1, size)).map(toHex),
            consistencyProof(size1, leaves.slice(0, size)).map(toHex), where)
        }
        const walSeqs = new Set((await store.walLoad()).map((r) => r.seq))
        assert.ok(reportedWal.every((s) => walSeqs.has(s)), `${where}: a reported WAL record is missing`)
      } finally {
        await store.close()
      }
    }
    assert.ok(reportedHeight > 0, 'the child committed some blocks')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
