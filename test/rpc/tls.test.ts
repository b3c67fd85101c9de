// The RPC over HTTPS from a node's own certificate (rpc.tls in config.json, --tls-cert/--tls-key).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_CONSENSUS, validateGenesis } from '../../src/chain/index.js'
import { initHome } from '../../src/cli/commands/init.js'
import { generateKeyPair, writeKeyFile } from '../../src/crypto/index.js'
import { loadNodeConfig } from '../../src/node/index.js'
import { peerIdFromSeed } from '../../src/p2p/index.js'
import { startRpc, type RpcDeps } from '../../src/rpc/index.js'
import { isNodeError, toHex } from '../../src/util/index.js'

let dir = ''
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'cc-tls-')) })
test.after(async () => { await rm(dir, { recursive: true, force: true }) })

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    }).on('error', reject).end()
  })
}

test('a node with rpc.tls in its config serves HTTPS with that certificate', async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=court-1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' })
  const k = generateKeyPair()
  const genesis = validateGenesis({ v: 1, chainId: 'tls', time: 1, consensus: DEFAULT_CONSENSUS,
    members: [{ id: 'court-1', role: 'court', validator: true, publicKey: toHex(k.publicKey), peerId: peerIdFromSeed(k.seed), addrs: ['/ip4/127.0.0.1/tcp/26601'] }] })
  await writeFile(join(dir, 'genesis.json'), JSON.stringify(genesis))
  await writeKeyFile(join(dir, 'k.json'), { id: 'court-1', seed: k.seed })
  const home = join(dir, 'home')
  await initHome({ home, genesisFile: join(dir, 'genesis.json'), keyFile: join(dir, 'k.json'), rpcPort: 0 })
  const cfg = JSON.parse(await readFile(join(home, 'config.json'), 'utf8'))
  await writeFile(join(home, 'config.json'), JSON.stringify({ ...cfg, rpc: { ...cfg.rpc, tls: { cert: '../cert.pem', key: '../key.pem' } } }))
  const { options } = await loadNodeConfig(home)
  assert.ok(options.rpc.tls?.cert.startsWith('-----BEGIN CERTIFICATE-----'))
  const deps = { log: { info() {}, warn() {}, error() {} }, webRoot: null, status: () => ({ height: 7 }) } as unknown as RpcDeps
  const rpc = await startRpc(options.rpc, deps)
  try {
    assert.match(rpc.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const r = await get(`${rpc.url}/healthz`, await readFile(join(dir, 'cert.pem'), 'utf8'))
    assert.is(r.status, 200)
    assert.equal(JSON.parse(r.body), { ok: true, height: 7, reasons: [] })
    const plain = await fetch(rpc.url.replace('https', 'http') + '/healthz').then((x) => x.status, () => 'refused')
    assert.is.not(plain, 200, 'no plain HTTP on the TLS port')
  } finally { await rpc.app.close() }
})

test('a certificate without its key is refused at start', async () => {
  const home = join(dir, 'home')
  const cfg = JSON.parse(await readFile(join(home, 'config.json'), 'utf8'))
  await writeFile(join(home, 'config.json'), JSON.stringify({ ...cfg, rpc: { ...cfg.rpc, tls: { cert: '../cert.pem' } } }))
  try { await loadNodeConfig(home); assert.unreachable() } catch (e) { assert.ok(isNodeError(e, 'CONFIG_INVALID'), String(e)) }
})

test.run()
