// Issue 6 end to end: chain A ('copyright-chain') and court chain B ('devnet'), 4 validator
// processes each. B's courts register A by governance, `courtchain relay --once` anchors A's
// checkpoints on B, and B's /v1/verify checks A's receipts against the registered keys and the
// anchored checkpoint, recording the report under a case. Forgeries and bad input change nothing.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { initialState, proposalId, signTx, validatorVkeys, type UnsignedTx } from '../../src/chain/index.js'
import { formatCheckpoint, parseCheckpoint, parseNote, signNote, type NoteSigner } from '../../src/checkpoint/index.js'
import { ed25519Sign, readKeyFile, sha256, type KeyFile } from '../../src/crypto/index.js'
import { toBase64, utf8 } from '../../src/util/index.js'
import { runRelay } from '../../src/cli/commands/relay.js'
import { startCluster, waitFor, type Cluster } from '../cluster/harness.js'

const ORIGIN = 'courtchain/copyright-chain'
const CASE_NO = '(2026)京0491民初66号'
const BIN = resolve('bin', 'courtchain')
let A: Cluster
let B: Cluster
const bKeys: Record<string, KeyFile> = {}
const aSigners: NoteSigner[] = []
let nonce = Date.now() * 1000
/** Two deposits on A: the first one's receipt is verified on B. */
const files: { digest: string; id: string; receipt: any }[] = []

async function submit(c: Cluster, key: KeyFile, type: UnsignedTx['type'], items: unknown[]): Promise<{ status: number; body: any; hash: string }> {
  const status = await c.get(0, '/v1/status')
  const p = signTx({ v: 1, chain: status.chainId, type, from: key.id, nonce: nonce++, items } as UnsignedTx, status.genesisHash, (m) => ed25519Sign(key.seed, m))
  const r = await c.post(0, '/v1/txs?wait=commit&timeoutMs=20000', p.tx)
  return { ...r, hash: p.hash }
}

function relay(extra: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [BIN, 'relay', '--from', A.urls[1]!, '--to', B.urls[2]!, '--key', join(B.dir, 'units', 'notary-1.json'), '--once', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { out += d })
    const timer = setTimeout(() => { p.kill('SIGKILL'); fail(new Error(`relay timed out: ${out}`)) }, 40_000)
    p.on('exit', (code) => { clearTimeout(timer); done({ code, out }) })
  })
}

/** The same relay round in this process (runRelay with its output captured): no process start-up. */
async function relayInProcess(): Promise<{ code: number; out: string }> {
  let out = ''
  const io = { out: (l: string) => { out += l + '\n' }, err: (l: string) => { out += l + '\n' }, errIsTTY: false }
  const values = { from: A.urls[1]!, to: B.urls[2]!, key: join(B.dir, 'units', 'notary-1.json'), interval: '5s', once: true }
  return { code: await runRelay({ values, positionals: [] }, io), out }
}

const chainOnB = async (): Promise<any> => (await B.get(0, '/v1/chains')).chains.find((c: any) => c.origin === ORIGIN)
/** B's state as far as these checks are concerned: foreign chains, tx and verification counts. */
const bSnapshot = async (): Promise<string> => {
  const [chains, stats] = await Promise.all([B.get(0, '/v1/chains'), B.get(0, '/v1/stats')])
  return JSON.stringify({ chains, txs: stats.txs, verifications: stats.verifications })
}

test.before(async () => {
  ;[A, B] = await Promise.all([startCluster({ nodes: 4, units: 1, chainId: 'copyright-chain' }), startCluster({ nodes: 4, units: 1 })])
  try {
    for (const [c, id] of [[A, 'copyright-chain'], [B, 'devnet']] as const) {
      await waitFor(`${id} answers`, async () => (await Promise.all(c.urls.map((_, i) => c.get(i, '/v1/status').catch(() => null)))).every((s) => s?.chainId === id), 60_000)
    }
  } catch (e) {
    console.error((e as Error).message, A.logs(0, 20))
    await Promise.all([A.stop(), B.stop()])
    throw e
  }
  for (let i = 1; i <= 4; i++) {
    bKeys[`court-${i}`] = await readKeyFile(join(B.dir, `node-${i}`, 'key.json'))
    const a = await readKeyFile(join(A.dir, `node-${i}`, 'key.json'))
    aSigners.push({ name: a.id, seed: a.seed })
  }
})

test.after(async () => { await Promise.all([A?.stop(), B?.stop()]) })

test('relay refuses an origin B has not registered', async () => {
  const d = await A.deposit(0, 'copyright work #1')
  assert.is(d.body.status, 'committed', JSON.stringify(d.body))
  // The relay reads A through node 1, which may commit that block a moment after node 0.
  await waitFor('node 1 of A has the block', async () => (await A.get(1, '/v1/status')).height >= d.body.height)
  const r = await relayInProcess()
  assert.is(r.code, 1, r.out)
  assert.match(r.out, /UNKNOWN_CHAIN: courtchain\/copyright-chain is not registered on chain devnet/)
})

test("B's courts register A by governance: court-1 proposes, court-2 and court-3 approve", async () => {
  const vkeys = validatorVkeys(initialState((await A.get(0, '/v1/trust-root')).genesis))
  const action = { type: 'registerChain', origin: ORIGIN, vkeys, quorum: 3 }
  const prop = await submit(B, bKeys['court-1']!, 'gov', [{ op: 'propose', action, ttl: 1000 }])
  assert.is(prop.body.status, 'committed', JSON.stringify(prop.body))
  const id = proposalId(prop.hash, 0)
  assert.is(await chainOnB(), undefined, 'not registered before approval')
  for (const court of ['court-2', 'court-3']) {
    const v = await submit(B, bKeys[court]!, 'gov', [{ op: 'vote', proposal: id }])
    assert.is(v.body.status, 'committed', JSON.stringify(v.body))
  }
  const fc = await chainOnB()
  assert.ok(fc, 'registered')
  assert.is(fc.status, 'active')
  assert.is(fc.quorum, 3)
  assert.equal(fc.vkeys, vkeys)
  assert.is(fc.anchor, null)
  assert.is((await B.get(0, '/v1/stats')).foreignChains, 1)
})

test('a receipt of A verifies on B as "incomplete" before any anchor', async () => {
  const digest = [...sha256(utf8('copyright work #1'))].map((b) => b.toString(16).padStart(2, '0')).join('')
  const id = (await A.get(0, `/v1/evidence?digest=sha256:${digest}`)).ids[0]
  const receipt = await A.get(0, `/v1/evidence/${id}/receipt`)
  files.push({ digest, id, receipt })
  const r = await B.post(1, '/v1/verify', { receipt, digest: `sha256:${digest}` })
  assert.is(r.status, 200, JSON.stringify(r.body))
  assert.is(r.body.verdict, 'incomplete')
  assert.is(r.body.checks.find((c: any) => c.name === 'anchor').ok, null)
  assert.match(r.body.checks.find((c: any) => c.name === 'anchor').detail, /not checked/)
})

test('relay --once anchors A on B; a second round finds it up to date', async () => {
  const d = await A.deposit(0, 'copyright work #2')
  assert.is(d.body.status, 'committed')
  const head = parseCheckpoint(parseNote(await (await fetch(A.urls[1] + '/v1/checkpoint')).text()).body)
  const r = await relay()
  assert.is(r.code, 0, r.out)
  assert.match(r.out, /anchored courtchain\/copyright-chain size \d+ .*first anchor/)
  const fc = await chainOnB()
  assert.ok(fc.anchor.size >= 2 && fc.anchor.size >= head.size, JSON.stringify(fc.anchor))
  assert.ok(fc.anchor.height > 0)
  const again = await relayInProcess()
  assert.is(again.code, 0, again.out)
  assert.match(again.out, /up to date/)
})

test('B verifies A\'s receipt against the anchor and records the report under the case', async () => {
  const { receipt, digest, id } = files[0]!
  const fc = await chainOnB()
  const consistency = (await A.get(2, `/v1/proof/consistency?from=${receipt.treeSize}&to=${fc.anchor.size}`)).proof
  const noProof = await B.post(0, '/v1/verify', { receipt, digest: `sha256:${digest}` })
  assert.is(noProof.body.verdict, 'incomplete', JSON.stringify(noProof.body))
  const r = await B.post(0, '/v1/verify', { receipt, digest: `sha256:${digest}`, consistency, anchoredSize: fc.anchor.size, record: true, caseNo: CASE_NO })
  assert.is(r.status, 200, JSON.stringify(r.body))
  const rep = r.body
  assert.is(rep.verdict, 'passes', JSON.stringify(rep.checks))
  assert.equal(rep.checks.map((c: any) => [c.name, c.ok]), [['format', true], ['registry', true], ['leaf', true], ['checkpoint', true], ['inclusion', true], ['depositor', true], ['digest', true], ['anchor', true]])
  assert.match(rep.checks.find((c: any) => c.name === 'depositor').detail, /member registry is not known here/)
  assert.is(rep.origin, ORIGIN)
  assert.is(rep.chain, 'copyright-chain')
  assert.is(rep.evidenceId, id)
  assert.is(rep.depositor, 'notary-1')
  assert.ok(rep.storageTime > 0 && typeof rep.storedAt === 'string')
  assert.is(rep.checkedBy, 'court-1')
  assert.ok(rep.checkedAt > 0)
  assert.is(rep.caseNo, CASE_NO)
  assert.is(rep.recorded.receipt.chain, 'devnet')
  const view = await B.get(0, `/v1/cases/${encodeURIComponent(CASE_NO)}`)
  const v = view.verifications.find((e: any) => e.id === rep.recorded.evidenceId)
  assert.ok(v, JSON.stringify(view))
  assert.is(v.record.meta.label, `verification:passes:${id}@${ORIGIN}`)
  assert.is(v.record.digests.sha256, rep.recorded.reportDigest)
})

test('a tampered receipt or another file gives a "fails" report naming the check', async () => {
  const { receipt, digest } = files[0]!
  const fc = await chainOnB()
  const consistency = (await A.get(0, `/v1/proof/consistency?from=${receipt.treeSize}&to=${fc.anchor.size}`)).proof
  const other = await B.post(0, '/v1/verify', { receipt, digest: `sha256:${'ab'.repeat(32)}`, consistency })
  assert.is(other.body.verdict, 'fails')
  assert.is(other.body.failed, 'digest')
  const badLeaf = { ...receipt, id: undefined, leaf: Buffer.from(Buffer.from(receipt.leaf, 'base64').toString().replace('notary-1', 'notary-9')).toString('base64') }
  const leafRep = await B.post(0, '/v1/verify', { receipt: badLeaf, digest: `sha256:${digest}`, consistency })
  assert.is(leafRep.body.verdict, 'fails')
  assert.is(leafRep.body.failed, 'inclusion')
  const badSig = { ...receipt, depositor: { ...receipt.depositor, sig: receipt.depositor.sig.replace(/^./, (c: string) => (c === '0' ? '1' : '0')) } }
  const sigRep = await B.post(0, '/v1/verify', { receipt: badSig, digest: `sha256:${digest}`, consistency })
  assert.is(sigRep.body.failed, 'depositor')
})

test('bad verify input gets precise 4xx and changes nothing', async () => {
  const { receipt, digest } = files[0]!
  const before = await bSnapshot()
  const fc = await chainOnB()
  const unknown = await B.post(0, '/v1/verify', { receipt: { ...receipt, chain: 'nosuch-chain' }, digest: `sha256:${digest}` })
  assert.is(unknown.status, 422)
  assert.is(unknown.body.code, 'UNKNOWN_CHAIN')
  const malformed = await B.post(0, '/v1/verify', { receipt: { format: 'courtchain.receipt/v1', chain: 'copyright-chain', leaf: 5 } })
  assert.is(malformed.status, 400)
  assert.is(malformed.body.code, 'FOREIGN_RECEIPT_MALFORMED')
  const stale = await B.post(0, '/v1/verify', { receipt, consistency: [], anchoredSize: fc.anchor.size - 1, record: true, caseNo: CASE_NO })
  assert.is(stale.status, 409)
  assert.is(stale.body.code, 'FOREIGN_STALE_CONSISTENCY')
  const wrong = await B.post(0, '/v1/verify', { receipt, consistency: [toBase64(new Uint8Array(32).fill(9))], record: true, caseNo: CASE_NO })
  assert.is(wrong.status, 422)
  assert.is(wrong.body.code, 'FOREIGN_BAD_CONSISTENCY')
  assert.is(await bSnapshot(), before)
})

test('forged, minority-signed and stale checkpoints of A are refused and change no state', async () => {
  const relayer = await readKeyFile(join(B.dir, 'units', 'notary-1.json'))
  const head = (await chainOnB()).anchor
  const cp = parseCheckpoint(parseNote(head.checkpoint).body)
  const rewritten = formatCheckpoint({ ...cp, root: sha256(utf8('rewritten history')) })
  const before = await bSnapshot()
  const strangers = [1, 2, 3, 4].map((i) => ({ name: `court-${i}`, seed: sha256(utf8(`stranger-${i}`)) }))
  const forged = await submit(B, relayer, 'anchor', [{ origin: ORIGIN, checkpoint: signNote(rewritten, strangers), proof: [] }])
  assert.is(forged.status, 422, JSON.stringify(forged.body))
  assert.is(forged.body.code, 'ANCHOR_QUORUM')
  const minority = await submit(B, relayer, 'anchor', [{ origin: ORIGIN, checkpoint: signNote(rewritten, aSigners.slice(0, 2)), proof: [] }])
  assert.is(minority.status, 422)
  assert.is(minority.body.code, 'ANCHOR_QUORUM')
  const block1 = await A.get(0, '/v1/blocks/1')
  const stale = await submit(B, relayer, 'anchor', [{ origin: ORIGIN, checkpoint: block1.certificate, proof: [] }])
  assert.is(stale.status, 409, JSON.stringify(stale.body))
  assert.is(stale.body.code, 'ANCHOR_STALE')
  const unknown = await submit(B, relayer, 'anchor', [{ origin: 'courtchain/nosuch', checkpoint: head.checkpoint, proof: [] }])
  assert.is(unknown.status, 422)
  assert.is(unknown.body.code, 'ANCHOR_UNKNOWN_CHAIN')
  assert.is(await bSnapshot(), before)
})

test("a quorum of A's validators signing a conflicting checkpoint is caught: A becomes equivocated", async () => {
  const relayer = await readKeyFile(join(B.dir, 'units', 'notary-1.json'))
  const head = (await chainOnB()).anchor
  const cp = parseCheckpoint(parseNote(head.checkpoint).body)
  const conflicting = signNote(formatCheckpoint({ ...cp, root: sha256(utf8('rewritten history')) }), aSigners.slice(0, 3))
  const r = await submit(B, relayer, 'anchor', [{ origin: ORIGIN, checkpoint: conflicting, proof: [] }])
  assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  const fc = await chainOnB()
  assert.is(fc.status, 'equivocated')
  assert.is(fc.fork.a, head.checkpoint)
  assert.is(fc.fork.b, conflicting)
  const { receipt, digest } = files[0]!
  const v = await B.post(0, '/v1/verify', { receipt, digest: `sha256:${digest}` })
  assert.is(v.body.verdict, 'fails')
  assert.is(v.body.failed, 'registry')
  // The relay reads B through node 2, which may apply the anchoring block a moment after node 0.
  await waitFor('node 2 of B sees A equivocated', async () => (await B.get(2, '/v1/chains')).chains.find((c: any) => c.origin === ORIGIN)?.status === 'equivocated')
  const again = await relayInProcess()
  assert.is(again.code, 1)
  assert.match(again.out, /equivocated/)
})

test.run()
