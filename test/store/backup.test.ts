// Store backups (src/store/backup.ts, restore.ts): one snapshot while commits go on, restored
// byte for byte, and a damaged file refused before anything takes the store's place.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { restoreStore, Store } from '../../src/store/index.js'
import { isNodeError, toHex, utf8 } from '../../src/util/index.js'
import { syntheticBlock } from './synthetic.js'

let dir = ''
test.before(() => { dir = mkdtempSync(join(tmpdir(), 'cc-backup-')) })
test.after(() => rmSync(dir, { recursive: true, force: true }))

async function commitBlocks(store: Store, n: number, items = 30): Promise<void> {
  const log = await store.openEvidenceLog()
  for (let i = 0; i < n; i++) {
    const { input, pending } = syntheticBlock(log, (store.head()?.height ?? 0) + 1, items)
    await store.commitBlock(input)
    log.commitAppend(pending)
  }
}

/** Every key and value of a closed store, hex, in order. */
async function dump(path: string): Promise<string[]> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  const out: string[] = []
  for await (const [k, v] of db.iterator()) out.push(`${toHex(k)}=${toHex(v)}`)
  await db.close()
  return out
}

/** A store of `blocks` synthetic blocks under `name`, closed, and a backup of it. */
async function backedUp(name: string, blocks: number): Promise<{ src: string; file: string }> {
  const src = join(dir, name)
  const store = await Store.open(src)
  await commitBlocks(store, blocks)
  const file = join(dir, `${name}.backup`)
  await store.backup(file, {})
  await store.close()
  return { src, file }
}

const restore = (file: string, to: string) => restoreStore(file, to, { check: () => undefined, prepare: async () => undefined })

test('a backup taken while blocks commit holds one instant: whole blocks, the head naming the last, the WAL', async () => {
  const src = join(dir, 'src')
  const store = await Store.open(src)
  await commitBlocks(store, 5)
  await store.walAppend(utf8('a vote'))
  const file = join(dir, 'live.backup')
  const during = commitBlocks(store, 5) // commits race the snapshot
  const r = await store.backup(file, { chainId: 'c', node: 'court-1' })
  await during
  await store.close()
  assert.ok(r.height >= 5 && r.height <= 10, `height ${r.height}`)
  const to = join(dir, 'restored')
  const back = await restore(file, to)
  assert.is(back.header.height, r.height)
  assert.is(back.sha256, r.sha256)
  const s = await Store.open(to)
  await s.checkConsistency()
  assert.is(s.head()!.height, r.height)
  assert.equal((await s.walLoad()).map((w) => new TextDecoder().decode(w.record)), ['a vote'])
  await s.close()
})

test('a backup of a stopped store restores to the same keys and values', async () => {
  const { src, file } = await backedUp('quiet', 3)
  await restore(file, join(dir, 'quiet-restored'))
  assert.equal(await dump(join(dir, 'quiet-restored')), await dump(src))
})

test('a corrupt, truncated or extended backup is refused and leaves no store behind', async () => {
  const { file } = await backedUp('damage', 2)
  const good = await readFile(file)
  const cases: [string, Uint8Array][] = [
    ['a flipped bit', (() => { const b = Uint8Array.from(good); b[Math.floor(b.length / 2)]! ^= 1; return b })()],
    ['a wrong checksum', (() => { const b = Uint8Array.from(good); b[b.length - 1]! ^= 1; return b })()],
    ['trailing bytes', Buffer.concat([good.subarray(0, good.length - 32), Buffer.from([0]), good.subarray(good.length - 32)])],
    ['another magic', Buffer.concat([Buffer.from('courtchain-backup/v9\n'), good.subarray(21)])],
  ]
  for (const [what, bytes] of cases) {
    const f = join(dir, 'bad.backup')
    await writeFile(f, bytes)
    const to = join(dir, `bad-${what.replace(/\W/g, '')}`)
    try { await restore(f, to); assert.unreachable(what) } catch (e) { assert.ok(isNodeError(e, 'BACKUP_INVALID'), `${what}: ${String(e)}`) }
    assert.not.ok(existsSync(to) || existsSync(`${to}.restoring`), `${what}: nothing left`)
  }
  await truncate(file, good.length - 40)
  try { await restore(file, join(dir, 'bad-truncated')); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'BACKUP_INVALID'), String(e)) }
})

test('backup never replaces a file; the vote fence of a restored store reads back', async () => {
  const store = await Store.open(join(dir, 'fence'))
  const file = join(dir, 'exists.backup')
  await writeFile(file, 'keep me')
  try { await store.backup(file, {}); assert.unreachable() } catch (e) { assert.is((e as NodeJS.ErrnoException).code, 'EEXIST') }
  assert.is(await readFile(file, 'utf8'), 'keep me')
  assert.is(await store.voteFence(), null)
  await store.setVoteFence('unknown')
  assert.is(await store.voteFence(), 'unknown')
  await store.setVoteFence(42)
  assert.is(await store.voteFence(), 42)
  await store.setVoteFence(null)
  assert.is(await store.voteFence(), null)
  await store.close()
})

test.run()
