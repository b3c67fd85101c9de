// What the commands say when the user got something wrong: each message says what happened and
// what to do, and no expected failure prints a stack trace (the real bin, in its own process).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { depositCommand, runDeposit } from '../../src/cli/commands/deposit.js'
import { verifyCommand, runVerify } from '../../src/cli/commands/verify.js'
import { receiptCommand, runReceipt } from '../../src/cli/commands/receipt.js'
import { statusCommand, runStatus } from '../../src/cli/commands/status.js'
import { genesisHash, TRUST_ROOT_FORMAT } from '../../src/chain/index.js'
import { ed25519PublicKey } from '../../src/crypto/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import { sha256 } from '../../src/crypto/index.js'
import { repoPath } from '../helpers.js'
import type { FakeNode } from '../client/fake-node.js'
import { cliFixture, failure, run, type CliFixture } from './run.js'

const BIN = repoPath('bin', 'courtchain')
let fixture: CliFixture
let node: FakeNode
let dir = '', keyFile = '', trustRootFile = '', genesisFile = ''
const receiptsOf = async (folder: string, name: string): Promise<string[]> =>
  (await readdir(folder)).filter((f) => f.startsWith(`${name}.`) && f.endsWith('.receipt.json')).sort().map((f) => join(folder, f))

test.before(async () => {
  fixture = await cliFixture('cli-errors', 50)
  ;({ dir, node, keyFile, trustRootFile } = fixture)
  genesisFile = join(dir, 'genesis.json')
  await writeFile(genesisFile, JSON.stringify(node.genesis))
  await mkdir(join(dir, 'files'))
})

test.after(() => fixture.close())

const deposit = (args: string[]): ReturnType<typeof run> => run(depositCommand, runDeposit, [...args, '--key', keyFile, '--node', node.url])

test('a file already on chain: deposit names its evidence id, block, time and depositor and asks for --again', async () => {
  const file = join(dir, 'files', 'contract.txt')
  await writeFile(file, 'contract v1')
  const out = join(dir, 'receipts')
  assert.is((await deposit([file, '--out', out])).code, 0)
  const [first] = await receiptsOf(out, 'contract.txt')
  const id = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(first!, 'utf8'))).id as string
  const again = await deposit([file, '--out', out])
  assert.is(again.code, 1)
  assert.match(again.err, new RegExp(`already on chain: .*contract\\.txt — evidence ${id} in block \\d+, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC.*, deposited by notary-1`))
  assert.match(again.err, /nothing deposited: 1 of 1 file is on chain already .*pass --again to deposit it a second time/)
  assert.is((await receiptsOf(out, 'contract.txt')).length, 1, 'nothing was deposited')
  const forced = await deposit([file, '--out', out, '--again'])
  assert.is(forced.code, 0, forced.err)
  assert.is((await receiptsOf(out, 'contract.txt')).length, 2)
})

test('a glob matching two receipts: verify picks the one of the file\'s digest, or says "2 receipts match; name one"', async () => {
  // contract.txt now has two receipts of one content; deposit v2 for a third of another.
  const file = join(dir, 'files', 'contract.txt')
  const out = join(dir, 'receipts-two')
  await writeFile(file, 'contract v2')
  assert.is((await deposit([file, '--out', out])).code, 0)
  await writeFile(file, 'contract v3')
  assert.is((await deposit([file, '--out', out])).code, 0)
  const two = await receiptsOf(out, 'contract.txt')
  assert.is(two.length, 2)
  // The shell expands receipts/contract.txt.*.receipt.json into two arguments.
  const picked = await run(verifyCommand, runVerify, [file, '--receipt', ...two, '--trust-root', trustRootFile])
  assert.is(picked.code, 0, picked.out)
  assert.match(picked.out, /^VERIFIED: /)
  assert.match(picked.err, /1 of 2 receipts are of this file's digest/)
  await writeFile(file, 'contract v4, never deposited')
  const neither = await failure(verifyCommand, runVerify, [file, '--receipt', ...two, '--trust-root', trustRootFile])
  assert.is(neither.code, 'USAGE')
  assert.match(neither.message, /^2 receipts match; name one \(none is of this file's sha256 [0-9a-f]{64}: the file differs from every deposit\):\n {2}.*contract\.txt\.[0-9a-f]{12}\.receipt\.json {2}\(.*contract\.txt, deposited .* in block \d+\)\n/)
  // A second file to verify is still refused as before.
  const other = join(dir, 'files', 'other.txt')
  await writeFile(other, 'other')
  assert.match((await failure(verifyCommand, runVerify, [file, other, '--receipt', two[0]!, '--trust-root', trustRootFile])).message, /name exactly one file to verify/)
})

test('a folder of receipts: verify picks every receipt of the file (deposited twice) and checks each', async () => {
  const file = join(dir, 'files', 'contract.txt')
  await writeFile(file, 'contract v1') // deposited twice in the first test
  const r = await run(verifyCommand, runVerify, [file, '--receipt', join(dir, 'receipts'), '--trust-root', trustRootFile])
  assert.is(r.code, 0, r.out)
  assert.is(r.out.match(/^VERIFIED: /gm)?.length, 2)
  await writeFile(file, 'changed again')
  const none = await failure(verifyCommand, runVerify, [file, '--receipt', join(dir, 'receipts'), '--trust-root', trustRootFile])
  assert.match(none.message, /^2 receipts match; name one/)
})

test('a receipt against another chain\'s trust root says so in words, with both genesis hashes', async () => {
  const [receipt] = await receiptsOf(join(dir, 'receipts'), 'contract.txt')
  const file = join(dir, 'files', 'contract.txt')
  await writeFile(file, 'contract v1')
  // Same chain id, other validator keys: a second devnet, or a trust root from elsewhere.
  const foreign = structuredClone(node.genesis)
  for (const m of foreign.members) if (m.validator) m.publicKey = toHex(ed25519PublicKey(sha256(utf8(`another chain ${m.id}`))))
  const foreignFile = join(dir, 'foreign-trust-root.json')
  await writeFile(foreignFile, JSON.stringify({ format: TRUST_ROOT_FORMAT, genesis: foreign, genesisHash: genesisHash(foreign), history: [] }))
  const words = "this receipt was not signed by the validators of this trust root: it belongs to another chain, or the trust root is not this chain's"
  const r = await run(verifyCommand, runVerify, [file, '--receipt', receipt!, '--trust-root', foreignFile])
  assert.is(r.code, 1)
  assert.ok(r.out.startsWith(`FAILED: chain: ${words} (receipt's genesis ${genesisHash(node.genesis)}, trust root's genesis ${genesisHash(foreign)})`), r.out)
  // A receipt that does not name its genesis (older, or stripped) fails at the signatures, in the same words.
  const bare = join(dir, 'no-genesis.receipt.json')
  const { genesisHash: _named, ...rest } = JSON.parse((await import('node:fs')).readFileSync(receipt!, 'utf8')) as Record<string, unknown>
  await writeFile(bare, JSON.stringify(rest))
  const s = await run(verifyCommand, runVerify, [file, '--receipt', bare, '--trust-root', foreignFile])
  assert.is(s.code, 1)
  assert.ok(s.out.startsWith(`FAILED: checkpoint: ${words} (receipt's genesis not stated in the receipt, trust root's genesis ${genesisHash(foreign)})`), s.out)
  assert.not.match(r.out + s.out, /note expected/)
})

test('usage errors say what to do: a node URL without http://, a missing trust root, a genesis passed as --key, a short id', async () => {
  const file = join(dir, 'files', 'contract.txt')
  const url = await failure(statusCommand, runStatus, ['--node', '127.0.0.1:8541'])
  assert.is(url.code, 'BAD_NODE_URL')
  assert.match(url.message, /did you mean http:\/\/127\.0\.0\.1:8541\?/)
  const [receipt] = await receiptsOf(join(dir, 'receipts'), 'contract.txt')
  const trust = await failure(verifyCommand, runVerify, [file, '--receipt', receipt!])
  assert.is(trust.code, 'USAGE')
  assert.match(trust.message, /^--trust-root is required: save the chain's trust root once from a node you trust: curl -s http:\/\/<node>\/v1\/trust-root > trust-root\.json/)
  for (const [path, what] of [[genesisFile, 'a genesis file'], [trustRootFile, 'a trust root'], [receipt!, 'a receipt']] as const) {
    const key = await failure(depositCommand, runDeposit, [file, '--key', path, '--node', node.url])
    assert.is(key.code, 'NOT_A_KEY_FILE')
    assert.is(key.message, `${path} is ${what}, not a key file: --key takes the unit's own key file, written by \`courtchain keygen\` (on a devnet: devnet/units/<unit>.json)`)
  }
  const short = await failure(receiptCommand, runReceipt, ['abc', '--node', node.url])
  assert.match(short.message, /an evidence id is 64 hex digits, or a unique prefix of at least 4; got "abc"/)
})

test('receipt takes a unique prefix of an evidence id, as typed from the evidence line of verify', async () => {
  const [receipt] = await receiptsOf(join(dir, 'receipts'), 'contract.txt')
  const id = JSON.parse((await import('node:fs')).readFileSync(receipt!, 'utf8')).id as string
  const r = await run(receiptCommand, runReceipt, [id.slice(0, 12), '--node', node.url])
  assert.is(r.code, 0, r.err)
  assert.is(JSON.parse(r.out).id, id)
})

test('no stack trace on an expected failure or a closed pipe (verify … | head -1)', async () => {
  const exec = promisify(execFile)
  const sh = async (cmd: string): Promise<{ stdout: string; stderr: string; code: number }> => {
    try { const r = await exec('sh', ['-c', cmd], { env: { ...process.env, COURTCHAIN_DEBUG: '' } }); return { ...r, code: 0 } } catch (e) {
      const x = e as { stdout: string; stderr: string; code: number }
      return { stdout: x.stdout, stderr: x.stderr, code: x.code }
    }
  }
  const file = join(dir, 'files', 'contract.txt')
  await writeFile(file, 'contract v1')
  const [receipt] = await receiptsOf(join(dir, 'receipts'), 'contract.txt')
  const noStack = (what: string, stderr: string): void => {
    assert.not.match(stderr, /\n\s+at /, `${what}: ${stderr}`)
    assert.not.match(stderr, /EPIPE|Unhandled|node:internal/, `${what}: ${stderr}`)
  }
  // A usage error, a node that is not there, a wrong file, a refusal: each its own process.
  const failures = [
    `node ${BIN} verify ${file} --receipt ${receipt}`,
    `node ${BIN} status --node http://127.0.0.1:9`,
    `node ${BIN} deposit ${file} --key ${genesisFile} --node ${node.url}`,
    `node ${BIN} deposit ${file} --key ${keyFile} --node ${node.url} --out ${join(dir, 'receipts')}`,
  ]
  for (const r of await Promise.all(failures.map(async (cmd) => ({ cmd, ...(await sh(cmd)) })))) {
    const cmd = r.cmd
    assert.ok(r.code !== 0, `${cmd} should fail`)
    assert.ok(r.stderr.trim().length > 0, `${cmd} says why`)
    noStack(cmd, r.stderr)
  }
  // Output far larger than a pipe's buffer, cut after the first bytes: every later write meets EPIPE.
  const many = join(dir, 'many')
  await mkdir(many)
  for (let i = 0; i < 300; i++) await writeFile(join(many, `page-${i}.txt`), `page ${i}`)
  const bundle = join(dir, 'many.bundle.json')
  assert.is((await deposit([many, '--out', join(dir, 'receipts-many'), '--bundle', bundle])).code, 0)
  const piped = await sh(`node ${BIN} verify ${many} --bundle ${bundle} --trust-root ${trustRootFile} --json 2>${join(dir, 'stderr.txt')} | head -c 20; cat ${join(dir, 'stderr.txt')} >&2`)
  assert.is(piped.stdout.length, 20)
  noStack('verify | head', piped.stderr)
  assert.is(piped.stderr, '')
  const head1 = await sh(`node ${BIN} verify ${file} --receipt ${join(dir, 'receipts')} --trust-root ${trustRootFile} 2>${join(dir, 'stderr1.txt')} | head -1; cat ${join(dir, 'stderr1.txt')} >&2`)
  assert.match(head1.stdout, /^VERIFIED: /)
  noStack('verify | head -1', head1.stderr)
})

test.run()
