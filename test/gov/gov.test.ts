// Issue 7 on a multi-process devnet: member onboarding and retirement, a 5th validator added
// (its node synced first), one of the original four removed, the chain committing throughout,
// and receipts from every epoch verified offline against genesis + the handover history.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { signTx, type EvidenceItem, type GovAction, type GovItem, type TrustRoot } from '../../src/chain/index.js'
import { ed25519Sign, generateKeyPair, readKeyFile, sha256, writeKeyFile } from '../../src/crypto/index.js'
import { peerIdFromSeed } from '../../src/p2p/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { verifyReceipt } from '../../src/verify/index.js'
import { startCluster, waitFor, type Cluster } from '../cluster/harness.js'
import { parseCommandArgs } from '../../src/cli/args.js'
import { govCommand, runGov } from '../../src/cli/commands/gov.js'

let c: Cluster
const seeds: Record<string, Uint8Array> = {}
let nonce = Date.now() * 1000
const COURT5 = 4 // index of the 5th validator's process

function signed(from: string, type: 'gov' | 'deposit', items: unknown[]) {
  return signTx({ v: 1, chain: 'devnet', type, from, nonce: nonce++, items: items as never }, c.genesisHash, (m) => ed25519Sign(seeds[from]!, m))
}
async function submit(i: number, from: string, type: 'gov' | 'deposit', items: unknown[]) {
  return c.post(i, '/v1/txs?wait=commit&timeoutMs=20000', signed(from, type, items).tx)
}
/** Proposes by `by[0]`, approves with the rest; returns the proposal id. */
async function govern(action: GovAction, by: string[], ttl = 0): Promise<string> {
  const p = await submit(0, by[0]!, 'gov', [{ op: 'propose', action, ttl } satisfies GovItem])
  assert.is(p.body.status, 'committed', JSON.stringify(p.body))
  const id = `${p.body.hash.slice(0, 16)}-0`
  for (const v of by.slice(1)) {
    const r = await submit(0, v, 'gov', [{ op: 'vote', proposal: id } satisfies GovItem])
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  }
  return id
}
async function depositAs(i: number, from: string, label: string) {
  const item: EvidenceItem = { digests: { sha256: toHex(sha256(utf8(label))) }, meta: { label } }
  return submit(i, from, 'deposit', [item])
}
async function receiptOf(i: number, label: string): Promise<unknown> {
  const found = await c.get(i, `/v1/evidence?digest=sha256:${toHex(sha256(utf8(label)))}`)
  const id = (found.ids ?? found)[0]
  return c.get(i, `/v1/evidence/${id}/receipt`)
}
/** Deposits until every running node reports `check` true (the chain must keep committing). */
async function commitUntil(what: string, nodes: number[], check: (s: any) => boolean): Promise<void> {
  let k = 0
  await waitFor(what, async () => {
    const r = await c.deposit(nodes[k % nodes.length]!, `${what}-${k++}`)
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
    const all = await Promise.all(nodes.map((i) => c.get(i, '/v1/status')))
    return all.every(check)
  }, 40_000)
}

test.before(async () => {
  c = await startCluster({ nodes: 4, units: 2, members: 0 })
  for (let i = 0; i < 4; i++) seeds[`court-${i + 1}`] = (await readKeyFile(join(c.homes[i]!, 'key.json'))).seed
  seeds['notary-1'] = (await readKeyFile(join(c.dir, 'units', 'notary-1.json'))).seed
  await waitFor('every node answers', async () => (await Promise.all(c.urls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))).every((s) => s?.chainId === 'devnet'), 60_000)
})
test.after(async () => { await c?.stop() })

let receiptBefore: unknown
test('a unit is onboarded and deposits; once retired its new deposits are refused and its old receipts still verify', async () => {
  const k = generateKeyPair()
  seeds['notary-9'] = k.seed
  await govern({ type: 'addMember', id: 'notary-9', role: 'unit', publicKey: toHex(k.publicKey) }, ['court-1', 'court-2', 'court-3'])
  // The node the deposit goes to must have applied the onboarding block first.
  const approvedAt = (await c.get(0, '/v1/status')).height
  await waitFor('every node saw the onboarding', async () => (await Promise.all([0, 1, 2, 3].map((i) => c.get(i, '/v1/status')))).every((s) => s.height >= approvedAt))
  const d = await depositAs(1, 'notary-9', 'notary-9-file')
  assert.is(d.body.status, 'committed', JSON.stringify(d.body))
  receiptBefore = await receiptOf(0, 'notary-9-file')
  await govern({ type: 'retireMember', id: 'notary-9' }, ['court-1', 'court-2', 'court-3'])
  const height = (await c.get(0, '/v1/status')).height
  await waitFor('every node saw the retirement', async () => (await Promise.all([0, 1, 2, 3].map((i) => c.get(i, '/v1/status')))).every((s) => s.height >= height))
  const refused = await depositAs(2, 'notary-9', 'notary-9-late')
  assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body))
  assert.is(refused.body.code, 'TX_MEMBER_RETIRED')
  const report = verifyReceipt(receiptBefore, await c.get(0, '/v1/trust-root'))
  assert.ok(report.valid, JSON.stringify(report.checks))
})

test('units cannot vote and a change approved by too few courts never takes effect', async () => {
  const id = await govern({ type: 'removeValidator', id: 'court-2' }, ['court-1'], 3)
  const unitVote = await submit(0, 'notary-1', 'gov', [{ op: 'vote', proposal: id }])
  assert.is(unitVote.body.code, 'TX_FORBIDDEN', JSON.stringify(unitVote.body))
  assert.ok((await c.get(0, '/v1/proposals')).proposals.some((p: any) => p.id === id))
  for (let k = 0; k < 5; k++) await c.deposit(0, `expire-${k}`)
  const view = await c.get(0, '/v1/proposals')
  assert.not.ok(view.proposals.some((p: any) => p.id === id), 'expired')
  assert.is(view.pendingEpoch, null)
  assert.equal((await c.get(0, '/v1/status')).validators.map((v: any) => v.id), ['court-1', 'court-2', 'court-3', 'court-4'])
})

test('a 5th validator is added once its node follows the chain, then an original one is removed; the chain commits throughout', async () => {
  // The new court's node: its own home, started before governance admits it (it follows first).
  const k = generateKeyPair()
  seeds['court-5'] = k.seed
  const rpcBase = Number(new URL(c.urls[0]!).port) - 1
  const p2pPort = rpcBase - 100 + 5
  const home = join(c.dir, 'node-5')
  await mkdir(home, { recursive: true })
  await writeKeyFile(join(home, 'key.json'), { id: 'court-5', seed: k.seed }, { force: true })
  await writeFile(join(home, 'config.json'), JSON.stringify({ genesis: '../genesis.json', key: 'key.json', dataDir: 'data', listen: [`/ip4/127.0.0.1/tcp/${p2pPort}`], rpc: { host: '127.0.0.1', port: rpcBase + 5 } }))
  c.homes.push(home); c.urls.push(`http://127.0.0.1:${rpcBase + 5}`); c.procs.push(null)
  c.start(COURT5)
  await govern({ type: 'addMember', id: 'court-5', role: 'court', publicKey: toHex(k.publicKey), peerId: peerIdFromSeed(k.seed), addrs: [`/ip4/127.0.0.1/tcp/${p2pPort}`] }, ['court-1', 'court-2', 'court-3'])
  const head = (await c.get(0, '/v1/status')).height
  await waitFor('court-5 follows the chain', async () => (await c.get(COURT5, '/v1/status')).height >= head, 30_000)
  // 5 courts now: 4 approvals are more than 2/3.
  await govern({ type: 'addValidator', id: 'court-5' }, ['court-1', 'court-2', 'court-3', 'court-4'])
  const gov = await c.get(0, '/v1/proposals')
  assert.is(gov.pendingEpoch.epoch, 1)
  await commitUntil('epoch-1', [0, 1, 2, 3, COURT5], (s) => s.validators.length === 5)
  await waitFor('court-5 votes', async () => (await c.get(COURT5, '/v1/status')).role === 'validator', 10_000)
  await govern({ type: 'removeValidator', id: 'court-4' }, ['court-1', 'court-2', 'court-3', 'court-5'])
  await commitUntil('epoch-2', [0, 1, 2, COURT5], (s) => s.validators.length === 4 && !s.validators.some((v: any) => v.id === 'court-4'))
  await waitFor('court-4 follows as a member', async () => (await c.get(3, '/v1/status')).role === 'member', 10_000)
  // With court-4 out and court-1 down, only court-2, court-3 and court-5 remain: 3 of 4 is the
  // quorum, so a commit now needs the new validator's vote.
  await c.kill(3)
  await c.kill(0)
  const r = await c.deposit(1, 'needs-court-5')
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  c.start(0)
})

test('receipts from before and after the changes verify against genesis + history; a truncated history does not', async () => {
  const trustRoot: TrustRoot = await c.get(1, '/v1/trust-root')
  assert.is(trustRoot.history.length, 2)
  const after = await receiptOf(1, 'needs-court-5')
  const old = verifyReceipt(receiptBefore, trustRoot)
  assert.ok(old.valid, JSON.stringify(old.checks))
  const now = verifyReceipt(after, trustRoot)
  assert.ok(now.valid, JSON.stringify(now.checks))
  assert.ok(now.signers.includes('court-5'), now.signers.join(','))
  assert.not.ok(verifyReceipt(after, { ...trustRoot, history: [] }).valid, 'genesis alone does not know court-5')
  const forged = JSON.parse(JSON.stringify(trustRoot)) as TrustRoot
  forged.history[1]!.validators[0]!.publicKey = 'ab'.repeat(32)
  assert.is(verifyReceipt(after, forged).failed, 'checkpoint')
})

test('courtchain gov propose / vote / list drive the same rules', async () => {
  const out: string[] = []
  const io = { out: (l: string) => { out.push(l) }, err: (l: string) => { out.push(l) } }
  const gov = (argv: string[]): Promise<number> => runGov(parseCommandArgs(govCommand, [...argv, '--node', c.urls[1]!])!, io as never)
  assert.is(await gov(['propose', '--action', 'setRole', '--id', 'notary-1', '--role', 'court', '--key', join(c.homes[1]!, 'key.json')]), 0)
  const id = /proposed (\S+)/.exec(out.join('\n'))![1]!
  assert.is(await gov(['vote', id, '--key', join(c.homes[2]!, 'key.json')]), 0)
  assert.is(await gov(['list']), 0)
  assert.ok(out.some((l) => l.startsWith(id)), out.join('\n'))
  assert.ok(out.some((l) => /^epoch\s+2 /.test(l)), out.join('\n'))
})

test.run()
