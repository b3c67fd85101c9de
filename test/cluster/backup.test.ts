// Backup of a running validator and restore after its store is lost, as docs/operations.md says:
// `courtchain backup` while it runs, more blocks, the store gone, `courtchain restore`, start.
// The restored node catches up from its peers and signs nothing until its head passes its vote
// fence (it may have voted after the backup), then signs again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { courtchain, deployHosts, waitFor, type Hosts } from './hosts.js'

const R = 2 // court-3
let h: Hosts
const acknowledged: string[] = []

test.before(async () => {
  h = await deployHosts({ setup: 'library' })
  await waitFor('all four healthy', async () => (await Promise.all(h.urls.map((_, i) => h.get(i, '/healthz').catch(() => null)))).every((r) => r?.ok === true), 60_000)
})
test.after(async () => { await h?.stop() })

async function deposit(i: number, label: string): Promise<number> {
  const r = await h.deposit(i, label)
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  acknowledged.push(r.digest)
  return r.body.height
}
async function signers(i: number, height: number): Promise<string[]> {
  const b = await h.get(i, `/v1/blocks/${height}`)
  return (b.certificate as string).split('\n').filter((l) => l.startsWith('— ')).map((l) => l.split(' ')[1]!)
}

test('a running validator backed up, lost and restored catches up, and signs again only past its vote fence', async () => {
  for (let k = 0; k < 3; k++) await deposit(k, `before-backup-${k}`)
  const file = join(h.dir, 'court-3.backup')
  const out = await courtchain(['backup', '--home', h.homes[R]!, '--out', file])
  assert.match(out, /from the running node: height \d+/)
  for (let k = 0; k < 3; k++) await deposit(k % 2, `after-backup-${k}`) // court-3 votes on these; its backup does not know
  await h.kill(R)
  await rm(join(h.homes[R]!, 'data', 'chain'), { recursive: true })
  const headAtLoss = (await h.get(0, '/v1/status')).height
  const restored = await courtchain(['restore', '--home', h.homes[R]!, '--from', file])
  assert.match(restored, /restored .*: height \d+/)
  h.start(R)
  const fence = await waitFor('the vote fence is set', async () => Number(/"fence":(\d+)[^\n]*vote fence set/.exec(h.logs(R, 1000))?.[1]) || null, 30_000)
  assert.ok(fence >= headAtLoss + 1, `fence ${fence} above the head ${headAtLoss} at the loss`)
  let k = 0
  const signedAt = await waitFor('the restored node signs again', async () => {
    const height = await deposit(k % 2 === 0 ? 0 : 3, `after-restore-${k++}`)
    const s = await h.get(R, '/v1/status')
    return s.height >= height && (await signers(R, height)).includes('court-3') && height
  }, 40_000)
  assert.ok(signedAt > fence, `first signature at ${signedAt}, fence ${fence}`)
  assert.match(h.logs(R, 1000), /vote fence passed/)
  for (let height = headAtLoss + 1; height <= fence; height++) {
    assert.not.ok((await signers(0, height)).includes('court-3'), `no signature of the restored node at ${height}, below its fence`)
  }
  await waitFor('the restored node is healthy', async () => (await h.get(R, '/healthz')).ok === true, 20_000)
  const head = (await h.get(0, '/v1/status')).height
  await waitFor('at the head', async () => (await h.get(R, '/v1/status')).height >= head)
  for (let height = 1; height <= head; height++) {
    const hashes = await Promise.all(h.urls.map(async (_, i) => (await h.get(i, `/v1/blocks/${height}`)).hash))
    assert.ok(hashes.every((x) => x === hashes[0]), `block ${height}`)
  }
  for (const digest of acknowledged) assert.ok((await h.get(R, `/v1/evidence?digest=sha256:${digest}`)).ids?.length === 1, digest)
})

test.run()
