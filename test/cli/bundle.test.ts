// deposit --bundle and verify <folder> --bundle: a case folder checked as a whole.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { depositCommand, runDeposit } from '../../src/cli/commands/deposit.js'
import { verifyCommand, runVerify } from '../../src/cli/commands/verify.js'
import { BUNDLE_FORMAT, type ReceiptBundle } from '../../src/client/index.js'
import type { FakeNode } from '../client/fake-node.js'
import { cliFixture, run, type CliFixture } from './run.js'

let fixture: CliFixture
let dir = ''
let node: FakeNode
let keyFile = ''
let trustRootFile = ''

test.before(async () => {
  fixture = await cliFixture('bundle', 3)
  ;({ dir, node, keyFile, trustRootFile } = fixture)
})

test.after(() => fixture.close())

test('verify --bundle lists the one file changed, the one removed and the one added; the untouched folder verifies', async () => {
  const folder = join(dir, 'case-17')
  await mkdir(join(folder, 'chats'), { recursive: true })
  const files: Record<string, string> = {
    'contract.pdf': 'the signed contract', 'photo.jpg': 'a photo', 'notes.txt': 'notes',
    'chats/wechat-1.txt': 'message one', 'chats/wechat-2.txt': 'message two',
  }
  for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content)
  const bundlePath = join(dir, 'case-17.bundle.json')
  const dep = await run(depositCommand, runDeposit, [folder, '--key', keyFile, '--node', node.url, '--out', join(dir, 'receipts'), '--case', '2026沪0101民初17号', '--bundle', bundlePath])
  assert.is(dep.code, 0, dep.err)
  assert.match(dep.out, /bundle: .*case-17\.bundle\.json/)

  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as ReceiptBundle
  assert.is(bundle.format, BUNDLE_FORMAT)
  assert.is(bundle.caseNo, '2026沪0101民初17号')
  assert.is(bundle.genesisHash, node.trustRoot().genesisHash)
  assert.equal(Object.keys(bundle.index).sort(), Object.keys(files).sort())
  for (const e of Object.values(bundle.index)) assert.is(bundle.receipts[e.id]!.id, e.id)

  const verify = (): ReturnType<typeof run> => run(verifyCommand, runVerify, [folder, '--bundle', bundlePath, '--trust-root', trustRootFile])
  const clean = await verify()
  assert.is(clean.code, 0, clean.out)
  assert.is(clean.out, `VERIFIED: 5 of 5 deposited files verified in ${folder} (case 2026沪0101民初17号) on chain testnet`)

  await writeFile(join(folder, 'chats', 'wechat-2.txt'), 'message two, edited')
  await unlink(join(folder, 'photo.jpg'))
  await writeFile(join(folder, 'chats', 'wechat-3.txt'), 'a message added later')
  const r = await verify()
  assert.is(r.code, 1)
  const lines = r.out.split('\n')
  assert.is(lines.length, 4, r.out)
  assert.match(lines[0]!, new RegExp(`^CHANGED {2}chats/wechat-2\\.txt: sha256 [0-9a-f]{64} differs from the deposited ${bundle.index['chats/wechat-2.txt']!.sha256} \\(evidence ${bundle.index['chats/wechat-2.txt']!.id.slice(0, 12)}…\\)$`))
  assert.match(lines[1]!, /^ADDED {4}chats\/wechat-3\.txt: not in the bundle/)
  assert.match(lines[2]!, new RegExp(`^MISSING {2}photo\\.jpg: deposited as evidence ${bundle.index['photo.jpg']!.id.slice(0, 12)}…, not in the folder$`))
  assert.is(lines[3], `FAILED: 3 of 5 deposited files verified in ${folder} (case 2026沪0101民初17号) on chain testnet; 1 changed, 1 missing, 1 added`)

  // --json carries the same verdicts for a program.
  const json = await run(verifyCommand, runVerify, [folder, '--bundle', bundlePath, '--trust-root', trustRootFile, '--json'])
  const report = JSON.parse(json.out) as { valid: boolean; changed: number; missing: number; added: number; verified: number }
  assert.equal([report.valid, report.verified, report.changed, report.missing, report.added], [false, 3, 1, 1, 1])
})

test('verify --bundle refuses a trust root of another chain, naming both genesis hashes', async () => {
  const folder = join(dir, 'small')
  await mkdir(folder)
  await writeFile(join(folder, 'a.txt'), 'a')
  const bundlePath = join(dir, 'small.bundle.json')
  assert.is((await run(depositCommand, runDeposit, [folder, '--key', keyFile, '--node', node.url, '--out', join(dir, 'receipts-small'), '--bundle', bundlePath])).code, 0)
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as ReceiptBundle
  const tampered = join(dir, 'other-genesis.bundle.json')
  await writeFile(tampered, JSON.stringify({ ...bundle, genesisHash: 'ab'.repeat(32) }))
  const r = await run(verifyCommand, runVerify, [folder, '--bundle', tampered, '--trust-root', trustRootFile])
  assert.is(r.code, 1)
  assert.match(r.out, new RegExp(`^FAILED: the bundle was deposited on chain "testnet" with genesis ${'ab'.repeat(32)}; the trust root is of chain "testnet" with genesis ${node.trustRoot().genesisHash}`))
})

test.run()
