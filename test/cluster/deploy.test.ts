// Four courts deploy a chain as docs/operations.md says, each on its own host (127.0.0.2–.5) with
// the same p2p and RPC ports, using only `bin/courtchain` processes: keygen, member-card,
// genesis --cards, init, start. Then the primary is killed, the others change view, and the
// restarted validator must sign certificates again within 10 s instead of following by sync.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { join } from 'node:path'
import { courtchain, deployHosts, waitFor, type Hosts } from './hosts.js'

let h: Hosts
const all = [0, 1, 2, 3]

test.before(async () => {
  const t0 = Date.now()
  // The default view timeout: with a shorter one the restarted validator's own view timer, not
  // the rule under test, may take it to the next view.
  h = await deployHosts({ setup: 'cli', viewTimeoutMs: 2000 })
  const t1 = Date.now()
  await waitFor('all four healthy', async () => (await Promise.all(all.map((i) => h.get(i, '/healthz').catch(() => null)))).every((r) => r?.ok === true), 60_000)
  console.log(`  set up by the CLI in ${t1 - t0} ms, all four healthy ${Date.now() - t1} ms later`)
})
test.after(async () => { await h?.stop() })

/** Signers of the commit certificate of block `height` as node i stored it. */
async function signers(i: number, height: number): Promise<string[]> {
  const b = await h.get(i, `/v1/blocks/${height}`)
  return (b.certificate as string).split('\n').filter((l) => l.startsWith('— ')).map((l) => l.split(' ')[1]!)
}

test('four courts on four hosts with the same ports agree on one genesis and commit deposits with identical blocks', async () => {
  const hashes = await Promise.all(h.homes.map(async (home) => (await courtchain(['genesis', '--hash', join(home, 'genesis.json')])).split('\n')[0]))
  assert.ok(hashes.every((x) => /^[0-9a-f]{64}$/.test(x!) && x === hashes[0]), hashes.join(' '))
  for (const i of all) {
    const s = await h.get(i, '/v1/status')
    assert.is(s.self, h.ids[i])
    assert.equal(s.peers.filter((p: any) => p.connected).length, 3, `${h.ids[i]} connected to the other three`)
    const r = await h.deposit(i, `deployed-${i}`)
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  }
  const head = (await h.get(0, '/v1/status')).height
  await waitFor('all at the head', async () => (await Promise.all(all.map((i) => h.get(i, '/v1/status')))).every((s) => s.height >= head))
  for (let height = 1; height <= head; height++) {
    const blocks = await Promise.all(all.map((i) => h.get(i, `/v1/blocks/${height}`)))
    assert.ok(blocks.every((b) => b.hash === blocks[0].hash), `block ${height} differs`)
  }
})

test('a primary killed during a view change comes back in the current view and signs certificates again within 10 s', async () => {
  const before = await h.get(0, '/v1/status')
  const victim = h.ids.indexOf(before.primary)
  const others = all.filter((i) => i !== victim)
  await h.kill(victim)
  // Its request timer makes the others change view to elect a new primary.
  const r = await h.deposit(others[0]!, 'while-the-primary-is-down')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  const view = (await h.get(others[0]!, '/v1/status')).view
  assert.ok(view > before.view, `view ${view} after ${before.view}`)

  h.start(victim)
  await waitFor('the restarted validator answers', () => h.get(victim, '/v1/status').catch(() => null), 30_000)
  const rejoined = Date.now()
  let k = 0
  const signed = await waitFor('a certificate signed by the restarted validator', async () => {
    const d = await h.deposit(others[k % others.length]!, `after-restart-${k++}`)
    assert.is(d.body.status, 'committed', JSON.stringify(d.body))
    const height = d.body.height as number
    const s = await h.get(victim, '/v1/status')
    if (s.height < height) return null
    return (await signers(victim, height)).includes(h.ids[victim]!) && { height, view: s.view, ms: Date.now() - rejoined }
  }, 10_000)
  console.log(`  ${h.ids[victim]} signed the certificate of block ${signed.height} in view ${signed.view}, ${signed.ms} ms after it answered again`)
  assert.is(signed.view, (await h.get(others[0]!, '/v1/status')).view, 'in the view the others are in')
})

test.run()
