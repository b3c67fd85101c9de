// `courtchain init` and what `start` loads from the home it writes: the listen address must serve
// the genesis address peers dial.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CONSENSUS, validateGenesis } from '../../src/chain/index.js'
import { initHome } from '../../src/cli/commands/init.js'
import { generateKeyPair, writeKeyFile } from '../../src/crypto/index.js'
import { loadNodeConfig, serves, unreachableAddrs } from '../../src/node/index.js'
import { peerIdFromSeed } from '../../src/p2p/index.js'
import { isNodeError, toHex } from '../../src/util/index.js'

let dir = ''
const court = generateKeyPair()
const unit = generateKeyPair()
const ADDR = '/ip4/127.0.0.3/tcp/26601'

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-init-'))
  const genesis = validateGenesis({
    v: 1, chainId: 'init-test', time: 1, consensus: DEFAULT_CONSENSUS,
    members: [
      { id: 'court-2', role: 'court', validator: true, publicKey: toHex(court.publicKey), peerId: peerIdFromSeed(court.seed), addrs: [ADDR] },
      { id: 'notary-1', role: 'unit', publicKey: toHex(unit.publicKey) },
    ],
  })
  await writeFile(join(dir, 'genesis.json'), JSON.stringify(genesis))
  await writeKeyFile(join(dir, 'court.key'), { id: 'court-2', seed: court.seed })
  await writeKeyFile(join(dir, 'unit.key'), { id: 'my-unit', seed: unit.seed })
})
test.after(async () => { await rm(dir, { recursive: true, force: true }) })

const init = (name: string, o: { listen?: string[]; announce?: string[]; key?: string } = {}) =>
  initHome({ home: join(dir, name), genesisFile: join(dir, 'genesis.json'), keyFile: join(dir, o.key ?? 'court.key'), ...o })

async function refused(p: Promise<unknown>, code: string): Promise<string> {
  try { await p } catch (e) { assert.ok(isNodeError(e, code), `${code}: ${(e as Error).message}`); return (e as Error).message }
  assert.unreachable(`expected ${code}`)
  return ''
}

test('a listen address serves a genesis address on the same port and host, or on every interface', () => {
  assert.ok(serves('/ip4/127.0.0.3/tcp/26601', ADDR))
  assert.ok(serves('/ip4/0.0.0.0/tcp/26601', ADDR))
  assert.ok(serves('/ip6/::/tcp/26601', ADDR), 'a dual-stack wildcard')
  assert.ok(serves('/ip4/0.0.0.0/tcp/26601', '/dns4/court2.example/tcp/26601'))
  assert.not.ok(serves('/ip4/127.0.0.1/tcp/26601', ADDR), 'another host')
  assert.not.ok(serves('/ip4/127.0.0.3/tcp/26602', ADDR), 'another port')
  assert.not.ok(serves('/ip4/127.0.0.1/tcp/0', ADDR), 'an ephemeral port')
  assert.not.ok(serves('/ip4/0.0.0.0/tcp/26601', '/ip6/::1/tcp/26601'), 'ip4 wildcard and an ip6 address')
  assert.equal(unreachableAddrs([ADDR], ['/ip4/127.0.0.1/tcp/0'], [ADDR]), [], 'announced')
})

test('init writes a home that start loads, listening on the genesis address by default', async () => {
  const r = await init('a')
  assert.is(r.id, 'court-2')
  assert.ok(r.validator)
  const { options } = await loadNodeConfig(join(dir, 'a'))
  assert.equal(options.listen, [ADDR])
  assert.is(options.key.id, 'court-2')
  assert.is(options.rpc.host, '127.0.0.1')
  assert.is((await stat(join(dir, 'a', 'key.json'))).mode & 0o777, 0o600)
  assert.equal(await readFile(join(dir, 'a', 'genesis.json')), await readFile(join(dir, 'genesis.json')), 'the genesis is copied byte for byte')
})

test('init refuses to overwrite a home', async () => {
  await refused(init('a'), 'HOME_EXISTS')
})

test('init refuses a validator listen address that does not serve its genesis address, and names the fix', async () => {
  const msg = await refused(init('b', { listen: ['/ip4/127.0.0.1/tcp/26601'] }), 'CONFIG_UNREACHABLE')
  assert.match(msg, '--listen /ip4/127.0.0.3/tcp/26601')
  assert.match(msg, '--listen /ip4/0.0.0.0/tcp/26601')
  await init('b', { listen: ['/ip4/0.0.0.0/tcp/26601'] })
  await init('c', { listen: ['/ip4/10.0.0.7/tcp/4001'], announce: [ADDR] })
})

test('a member without a node gets its genesis id in its key and listens on loopback', async () => {
  const r = await init('unit', { key: 'unit.key' })
  assert.is(r.id, 'notary-1')
  assert.ok(r.notes.some((n) => n.includes('notary-1')))
  const { options } = await loadNodeConfig(join(dir, 'unit'))
  assert.is(options.key.id, 'notary-1')
  assert.equal(options.listen, ['/ip4/127.0.0.1/tcp/0'])
})

/** A home written by hand, as an operator who read no docs would: config.json next to the shared files. */
async function handHome(name: string, cfg: Record<string, unknown>): Promise<string> {
  const home = join(dir, name)
  await mkdir(home)
  await writeFile(join(home, 'config.json'), JSON.stringify({ genesis: '../genesis.json', key: '../court.key', ...cfg }))
  return home
}

test('start without "listen" listens on the genesis address, not on 127.0.0.1:0', async () => {
  const { options } = await loadNodeConfig(await handHome('nolisten', {}))
  assert.equal(options.listen, [ADDR])
})

test('start refuses a validator that would not be reachable at its genesis address, with the line to fix', async () => {
  const home = await handHome('elsewhere', { listen: ['/ip4/127.0.0.1/tcp/0'] })
  const msg = await refused(loadNodeConfig(home), 'CONFIG_UNREACHABLE')
  assert.match(msg, `set "listen": ["${ADDR}"] in ${join(home, 'config.json')}`)
  const announced = await handHome('announced', { listen: ['/ip4/127.0.0.1/tcp/0'], announce: [ADDR] })
  assert.equal((await loadNodeConfig(announced)).options.listen, ['/ip4/127.0.0.1/tcp/0'])
})

test.run()
