// A validator whose disk fills (its data dir on a small tmpfs): /healthz turns 503, it refuses
// txs with NODE_UNHEALTHY, the others keep committing; when space returns it exits with code 75,
// and restarted (as systemd's Restart=on-failure would) it is healthy and at the head again with
// the same blocks, and every receipt acknowledged before, during and after is there.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { EXIT_STORE_RECOVERED } from '../../src/node/health.js'
import { deployHosts, waitFor, type Hosts } from './hosts.js'

const FULL = 2 // court-3: not the primary of view 0
let h: Hosts
let mounted = ''
let canMount = true
const acknowledged: string[] = [] // digests of deposits answered "committed"

const healthz = async (i: number): Promise<any> => h.get(i, '/healthz')
const dataDir = (): string => join(h.homes[FULL]!, 'data')

test.before(async () => {
  h = await deployHosts({
    setup: 'library',
    beforeStart: async (hosts) => {
      const dir = join(hosts.homes[FULL]!, 'data')
      mkdirSync(dir, { recursive: true })
      try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { stdio: 'pipe' }); mounted = dir } catch (e) {
        canMount = false
        console.log(`disk-full test: cannot mount a tmpfs (${(e as Error).message.split('\n')[0]}); it needs root`)
      }
    },
  })
  await waitFor('all four healthy', async () => (await Promise.all(h.urls.map((_, i) => healthz(i).catch(() => null)))).every((r) => r?.ok === true), 60_000)
})

test.after(async () => {
  await h?.stop().catch(() => undefined)
  if (mounted) execFileSync('umount', ['-l', mounted])
})

/** Fills the file system of `dir` with one file until it refuses a byte more. */
function fill(dir: string): string {
  const file = join(dir, 'filler')
  const fd = openSync(file, 'w')
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = new Uint8Array(size)
      try { for (;;) writeSync(fd, chunk) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e }
    }
  } finally { closeSync(fd) }
  return file
}

async function deposit(i: number, label: string): Promise<void> {
  const r = await h.deposit(i, label)
  if (r.status === 200 && r.body.status === 'committed') acknowledged.push(r.digest)
  else assert.unreachable(`deposit ${label} on node ${i}: ${r.status} ${JSON.stringify(r.body)}`)
}

test('a full disk: 503 with the reason, txs refused, one error log; the others keep committing; exit 75 and a clean restart when space returns', async () => {
  if (!canMount) return
  for (let k = 0; k < 3; k++) await deposit(k % 4, `before-${k}`)
  const filler = fill(dataDir())
  // A block of a few hundred bytes may still fit in a page the log file already has: keep
  // committing until this node's next write needs a page the full disk cannot give.
  let k = 0
  await waitFor('the full node reports its store', async () => {
    await deposit(0, `while-full-${k++}`)
    const r = await healthz(FULL)
    return r.httpStatus === 503 && r.reasons?.some((x: any) => x.code === 'STORE_WRITE_FAILED') && r
  }, 60_000)
  const r = await healthz(FULL)
  assert.is(r.code, 'NODE_UNHEALTHY')
  assert.match(r.message, /cannot write/)
  const tx = await h.deposit(FULL, 'sent-to-the-full-node')
  assert.is(tx.status, 503, JSON.stringify(tx.body))
  assert.is(tx.body.code, 'NODE_UNHEALTHY')
  for (let j = 0; j < 3; j++) await deposit([0, 1, 3][j]!, `others-${j}`)
  const metrics = (await h.get(FULL, '/metrics')).text as string
  assert.match(metrics, /^courtchain_healthy 0$/m)
  assert.match(metrics, /^courtchain_store_write_errors_total [1-9]/m)
  const lines = h.logs(FULL, 100_000).split('\n').filter((l) => l.includes('"mod":"health"'))
  assert.is(lines.filter((l) => l.includes('"level":50')).length, 1, `one error log so far:\n${lines.join('\n')}`)

  const exited = h.exited(FULL)
  unlinkSync(filler)
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))])
  assert.is(code, EXIT_STORE_RECOVERED, h.logs(FULL))
  h.start(FULL) // what systemd's Restart=on-failure does
  await deposit(1, 'after-space-returned')
  const head = (await h.get(0, '/v1/status')).height
  await waitFor('the restarted node is healthy at the head', async () => {
    const s = await healthz(FULL).catch(() => null)
    return s?.ok === true && s.height >= head
  }, 30_000)
  for (let height = 1; height <= head; height++) {
    const hashes = await Promise.all(h.urls.map(async (_, i) => (await h.get(i, `/v1/blocks/${height}`)).hash))
    assert.ok(hashes.every((x) => x && x === hashes[0]), `block ${height}: ${hashes.join(' ')}`)
  }
  for (const digest of acknowledged) {
    const found = await h.get(FULL, `/v1/evidence?digest=sha256:${digest}`)
    assert.ok(found.ids?.length === 1, `evidence ${digest} on the restarted node: ${JSON.stringify(found)}`)
    const receipt = await h.get(FULL, `/v1/evidence/${found.ids[0]}/receipt`)
    assert.ok(receipt.leaf, `receipt of ${digest}`)
  }
})

test.run()
