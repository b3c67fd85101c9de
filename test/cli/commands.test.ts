// deposit, verify, receipt and status commands end to end against the real RPC on a test node.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { depositCommand, runDeposit } from '../../src/cli/commands/deposit.js'
import { verifyCommand, runVerify } from '../../src/cli/commands/verify.js'
import { receiptCommand, runReceipt } from '../../src/cli/commands/receipt.js'
import { statusCommand, runStatus } from '../../src/cli/commands/status.js'
import { parseCommandArgs, type Command } from '../../src/cli/args.js'
import { cliFixture, run, type CliFixture, type Run, type Runner } from './run.js'
import type { FakeNode } from '../client/fake-node.js'

let fixture: CliFixture
let dir = ''
let node: FakeNode
let keyFile = ''
let trustRootFile = ''
let receiptsDir = ''
const evidence = join('case-17', 'evidence')

test.before(async () => {
  fixture = await cliFixture('cli', 50)
  ;({ dir, node, keyFile, trustRootFile } = fixture)
  receiptsDir = join(dir, 'receipts')
  // A folder of evidence with a subfolder and two files of identical content.
  const root = join(dir, evidence)
  await mkdir(join(root, 'chats'), { recursive: true })
  await writeFile(join(root, 'contract.pdf'), 'the signed contract')
  await writeFile(join(root, 'photo.jpg'), Buffer.alloc(200_000, 7))
  await writeFile(join(root, 'chats', 'wechat-1.txt'), 'message one')
  await writeFile(join(root, 'chats', 'wechat-2.txt'), 'message two')
  await writeFile(join(root, 'chats', 'copy-of-contract.pdf'), 'the signed contract')
  await writeFile(join(root, 'chats', 'empty.txt'), '')
  await writeFile(join(root, 'notes.txt'), 'notes')
})

test.after(() => fixture.close())

const receiptFor = async (name: string): Promise<string> => {
  const f = (await readdir(receiptsDir)).find((x) => x.startsWith(`${name}.`) && x.endsWith('.receipt.json'))
  assert.ok(f, `a receipt for ${name}`)
  return join(receiptsDir, f!)
}
const verifyOffline = (file: string, receipt: string): Promise<Run> =>
  run(verifyCommand, runVerify, [file, '--receipt', receipt, '--trust-root', trustRootFile])

test('deposit of a folder writes one receipt per file, batched into txs, with a summary', async () => {
  const r = await run(depositCommand, runDeposit, [join(dir, evidence), '--key', keyFile, '--node', node.url, '--out', receiptsDir, '--batch', '3', '--case', '2026沪0101民初17号'])
  assert.is(r.code, 0)
  assert.match(r.out, /deposited 7 files .* on chain testnet in 3 txs, block/)
  const files = await readdir(receiptsDir)
  assert.is(files.length, 7)
  for (const f of files) assert.match(f, /^[^/]+\.[0-9a-f]{12}\.receipt\.json$/)
  const receipt = JSON.parse(await readFile(await receiptFor('photo.jpg'), 'utf8'))
  const record = JSON.parse(Buffer.from(receipt.leaf, 'base64').toString('utf8'))
  assert.equal(record.meta, { size: 200_000, mediaType: 'image/jpeg', label: relLabel('photo.jpg'), caseNo: '2026沪0101民初17号' })
})

/** The label deposit gives a file under the evidence folder (relative to the working directory, or to the folder's parent). */
function relLabel(name: string): string {
  const abs = join(dir, evidence, name)
  return abs.startsWith(process.cwd() + '/') ? abs.slice(process.cwd().length + 1) : join('evidence', name)
}

test('verify accepts every deposited file against its receipt offline, naming depositor, block and signers', async () => {
  for (const name of ['contract.pdf', 'photo.jpg', 'notes.txt', join('chats', 'wechat-1.txt'), join('chats', 'copy-of-contract.pdf'), join('chats', 'empty.txt')]) {
    const base = name.split('/').pop()!
    const r = await verifyOffline(join(dir, evidence, name), await receiptFor(base))
    assert.is(r.code, 0, `${name}: ${r.out}`)
    assert.match(r.out, /^VERIFIED: deposited by notary-1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC.* in block \d+, log leaf \d+ of \d+, signed by court-1, court-3, court-4/)
  }
  // The exported command object's run() gives the same verdict as an exit code.
  const args = parseCommandArgs(verifyCommand, [join(dir, evidence, 'notes.txt'), '--receipt', await receiptFor('notes.txt'), '--trust-root', trustRootFile])!
  const stdoutWrite = process.stdout.write.bind(process.stdout)
  process.stdout.write = (() => true) as typeof process.stdout.write // keep the test output readable
  try { assert.is(await verifyCommand.run(args), 0) } finally { process.stdout.write = stdoutWrite }
})

test('verify rejects a modified copy of a deposited file at the digest check', async () => {
  const copy = join(dir, 'contract-modified.pdf')
  await copyFile(join(dir, evidence, 'contract.pdf'), copy)
  await writeFile(copy, 'the signed contracT')
  const r = await verifyOffline(copy, await receiptFor('contract.pdf'))
  assert.is(r.code, 1)
  assert.match(r.out, /^FAILED: digest: file sha256 [0-9a-f]{64} differs from the deposited/)
  // A file deposited under another receipt does not match this one either.
  const other = await verifyOffline(join(dir, evidence, 'notes.txt'), await receiptFor('contract.pdf'))
  assert.is(other.code, 1)
})

test('verify rejects a receipt with one byte changed, wherever in the proof it is', async () => {
  const path = await receiptFor('contract.pdf')
  const text = await readFile(path, 'utf8')
  const receipt = JSON.parse(text)
  // Each value is found after its own key: a short one (the checkpoint's tree size) also occurs elsewhere.
  const targets: [string, string, string][] = [
    ['leaf', '"leaf"', receipt.leaf], ['inclusion', '"inclusion"', receipt.inclusion[0]], ['checkpoint', '"checkpoint"', receipt.checkpoint.split('\n')[1]],
    ['signature', '"checkpoint"', receipt.checkpoint.split('— court-3 ')[1].slice(0, 40)], ['depositor sig', '"sig"', receipt.depositor.sig],
    ['itemsRoot', '"itemsRoot"', receipt.depositor.tx.itemsRoot], ['id', '"id"', receipt.id], ['genesis hash', '"genesisHash"', receipt.genesisHash], ['block txRoot', '"txRoot"', receipt.depositor.block.txRoot],
  ]
  for (const [what, key, value] of targets) {
    const at = text.indexOf(value, text.indexOf(key)) + Math.floor(value.length / 2)
    assert.ok(at > 0, what)
    const c = text[at]!
    const swapped = text.slice(0, at) + (c === 'A' ? 'B' : c === '1' ? '2' : /[0-9]/.test(c) ? '1' : 'A') + text.slice(at + 1)
    assert.is.not(swapped, text)
    const bad = join(dir, `tampered-${what.replace(/ /g, '-')}.json`)
    await writeFile(bad, swapped)
    const r = await verifyOffline(join(dir, evidence, 'contract.pdf'), bad)
    assert.is(r.code, 1, `${what}: ${r.out}`)
    assert.match(r.out, /^FAILED: (format|chain|leaf|checkpoint|inclusion|depositor): /, what)
  }
  // leafIndex changed by one: the inclusion proof no longer reaches the root.
  const moved = join(dir, 'tampered-index.json')
  await writeFile(moved, JSON.stringify({ ...receipt, leafIndex: receipt.leafIndex + 1 }))
  assert.match((await verifyOffline(join(dir, evidence, 'contract.pdf'), moved)).out, /^FAILED: inclusion: /)
})

test('receipt --text fetches the C2SP tlog-proof form, which verify accepts offline', async () => {
  const receipt = JSON.parse(await readFile(await receiptFor('notes.txt'), 'utf8'))
  const out = join(dir, 'notes.tlog-proof')
  const r = await run(receiptCommand, runReceipt, [receipt.id, '--node', node.url, '--text', '--out', out])
  assert.is(r.code, 0)
  assert.match(await readFile(out, 'utf8'), /^c2sp\.org\/tlog-proof@v1\n/)
  const v = await verifyOffline(join(dir, evidence, 'notes.txt'), out)
  assert.is(v.code, 0, v.out)
  assert.match(v.out, /no depositor signature/)
  const json = await run(receiptCommand, runReceipt, [receipt.id, '--node', node.url])
  assert.equal(JSON.parse(json.out), receipt)
  const missing = await run(receiptCommand, runReceipt, ['00'.repeat(32), '--node', node.url])
  assert.is(missing.code, 1)
  assert.match(missing.err, /NOT FOUND/)
})

test('verify --node finds the evidence by digest and verifies it locally; an unknown file is NOT FOUND', async () => {
  const found = await run(verifyCommand, runVerify, [join(dir, evidence, 'chats', 'wechat-2.txt'), '--node', node.url, '--trust-root', trustRootFile])
  assert.is(found.code, 0, found.out)
  assert.match(found.out, /^VERIFIED: deposited by notary-1/)
  // Two files of one content: both deposits are found and both verify.
  const twice = await run(verifyCommand, runVerify, [join(dir, evidence, 'contract.pdf'), '--node', node.url])
  assert.is(twice.code, 0, twice.out)
  assert.match(twice.out, /^found 2 deposits of this file/)
  assert.is(twice.out.match(/VERIFIED/g)?.length, 2)
  const stranger = join(dir, 'never-deposited.txt')
  await writeFile(stranger, 'nobody deposited this')
  const nf = await run(verifyCommand, runVerify, [stranger, '--node', node.url])
  assert.is(nf.code, 1)
  assert.match(nf.out, /^NOT FOUND: no evidence with sha256 [0-9a-f]{64} on chain testnet/)
})

test('verify --node --case --record passes through to POST /v1/verify and reports the node error', async () => {
  const r = await run(verifyCommand, runVerify, [join(dir, evidence, 'notes.txt'), '--node', node.url, '--case', '2026沪0101民初17号', '--record'])
  assert.is(r.code, 1)
  assert.match(r.out, /VERIFIED/)
  assert.match(r.out, /node verification failed: NOT_READY: /)
})

test('status prints height, view, primary, validators online, peers and log size', async () => {
  const r = await run(statusCommand, runStatus, ['--node', node.url])
  assert.is(r.code, 0)
  assert.match(r.out, new RegExp(`height\\s+${node.height}\\b`))
  assert.match(r.out, /view\s+0, primary court-1/)
  assert.match(r.out, /validators\s+3\/4 online \(quorum 3\); offline: court-2/)
  assert.match(r.out, /peers\s+2\/3 connected/)
  assert.match(r.out, /log size\s+7 evidence records/)
})

test('commands refuse missing options with a USAGE error', async () => {
  const usage = async (cmd: Command, runner: Runner, argv: string[]): Promise<void> => {
    try { await run(cmd, runner, argv) } catch (e) { assert.is((e as { code?: string }).code, 'USAGE'); return }
    assert.unreachable(`${cmd.name} ${argv.join(' ')} should be a usage error`)
  }
  await usage(depositCommand, runDeposit, ['--key', keyFile, '--node', node.url])
  await usage(verifyCommand, runVerify, [join(dir, evidence, 'notes.txt')])
  await usage(verifyCommand, runVerify, [join(dir, evidence, 'notes.txt'), '--receipt', 'r.json'])
  await usage(verifyCommand, runVerify, [join(dir, evidence, 'notes.txt'), '--record', '--receipt', 'r.json', '--trust-root', trustRootFile])
  await usage(receiptCommand, runReceipt, ['xyz', '--node', node.url])
  await usage(statusCommand, runStatus, [])
})

test.run()
