// Issue 4's integration checks, on 4 validator processes and 1 member-node process on loopback.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '../../src/crypto/index.js'
import { P2P } from '../../src/p2p/index.js'
import { startCluster, waitFor, type Cluster } from './harness.js'

let c: Cluster
const VALIDATORS = [0, 1, 2, 3]
const MEMBER = 4
const quiet = { info() {}, warn() {}, error() {}, debug() {} }

async function blockHash(i: number, height: number): Promise<string | undefined> {
  const b = await c.get(i, `/v1/blocks/${height}`)
  return b.hash
}

test.before(async () => {
  c = await startCluster({ nodes: 4, units: 2, members: 1 })
  await waitFor('every node answers /v1/status', async () => {
    const all = await Promise.all(c.urls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))
    return all.every((s) => s && s.chainId === 'devnet')
  }, 60_000)
})

test.after(async () => { await c?.stop() })

test('deposits commit with identical block hashes on every validator', async () => {
  for (let k = 0; k < 5; k++) {
    const r = await c.deposit(k % 4, `file-${k}`)
    assert.is(r.status, 200, JSON.stringify(r.body))
    assert.is(r.body.status, 'committed')
  }
  const height = (await c.get(0, '/v1/status')).height
  assert.ok(height >= 1)
  await waitFor('all validators at the same height', async () => {
    const hs = await Promise.all(VALIDATORS.map((i) => c.get(i, '/v1/status')))
    return hs.every((s) => s.height >= height)
  })
  for (let h = 1; h <= height; h++) {
    const hashes = await Promise.all(VALIDATORS.map((i) => blockHash(i, h)))
    assert.ok(hashes.every((x) => x && x === hashes[0]), `block ${h} differs: ${hashes.join(' ')}`)
  }
})

test('the member node follows the chain with verified certificates', async () => {
  const height = (await c.get(0, '/v1/status')).height
  await waitFor('member reaches the validators\' head', async () => (await c.get(MEMBER, '/v1/status')).height >= height)
  const status = await c.get(MEMBER, '/v1/status')
  assert.is(status.role, 'member')
  assert.is(await blockHash(MEMBER, height), await blockHash(0, height))
  // A tx submitted to the member node is forwarded to the validators and commits.
  const r = await c.deposit(MEMBER, 'via-member')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
})

test('a peer not in genesis cannot connect', async () => {
  const status = await c.get(0, '/v1/status')
  const node0 = (await c.get(0, '/v1/trust-root')).genesis.members.find((m: any) => m.id === status.self)
  const intruder = await P2P.init({
    seed: generateKeyPair().seed, listen: ['/ip4/127.0.0.1/tcp/0'], chainId: 'devnet',
    peers: [{ id: node0.id, peerId: node0.peerId, addrs: node0.addrs, dial: true }],
  }, { log: quiet })
  try {
    await new Promise((r) => setTimeout(r, 2000))
    assert.is(intruder.peers()[0]!.connected, false)
  } finally { await intruder.close() }
})

test('after kill -9 of a backup the others keep committing, and it catches up on restart', async () => {
  const s = await c.get(0, '/v1/status')
  const victim = VALIDATORS.find((i) => `court-${i + 1}` !== s.primary)!
  await c.kill(victim)
  const alive = VALIDATORS.filter((i) => i !== victim)
  for (let k = 0; k < 3; k++) {
    const r = await c.deposit(alive[k % alive.length]!, `while-down-${k}`)
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  }
  const height = (await c.get(alive[0]!, '/v1/status')).height
  c.start(victim)
  await waitFor('restarted node catches up', async () => (await c.get(victim, '/v1/status')).height >= height, 60_000)
  assert.is(await blockHash(victim, height), await blockHash(alive[0]!, height))
})

test('killing the primary leads to a view change and progress', async () => {
  const s = await c.get(0, '/v1/status')
  const primary = VALIDATORS.find((i) => `court-${i + 1}` === s.primary)!
  await c.kill(primary)
  const alive = VALIDATORS.filter((i) => i !== primary)
  const r = await c.deposit(alive[0]!, 'after-primary-died')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  const after = await c.get(alive[0]!, '/v1/status')
  assert.ok(after.view > s.view, `view ${after.view} after ${s.view}`)
  assert.is.not(after.primary, s.primary)
  c.start(primary)
  const height = after.height
  await waitFor('old primary catches up', async () => (await c.get(primary, '/v1/status')).height >= height, 60_000)
})

test('a node whose data dir was wiped rejoins and catches up', async () => {
  const victim = 3
  await c.kill(victim)
  await rm(join(c.homes[victim]!, 'data'), { recursive: true, force: true })
  c.start(victim)
  const r = await c.deposit(0, 'after-wipe')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  const height = (await c.get(0, '/v1/status')).height
  await waitFor('wiped node catches up', async () => (await c.get(victim, '/v1/status')).height >= height, 60_000)
  assert.is(await blockHash(victim, height), await blockHash(0, height))
})

test.run()
