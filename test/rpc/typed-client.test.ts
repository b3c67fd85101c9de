// The OpenAPI document is good enough to build a client from: openapi-typescript generates the
// types of every operation, and tsc type-checks one call to each route against them (its path
// parameters, query and body, and the fields the client, page and CLI read from the answer),
// wrong calls included, which must fail. The status shape must match src/chain/status.ts both ways.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { buildRpc, defaultRpcOptions } from '../../src/rpc/server.js'
import { openApiDocument } from '../../src/rpc/openapi.js'
import { makeTestChain } from '../web/chain.js'
import { repoPath } from '../helpers.js'

const exec = promisify(execFile)

/** One typed GET/POST helper over the generated `paths`, and a call to every operation. */
const CALLS = `
import type { paths } from './api.js'
import type { NodeStatus, Receipt, TrustRoot } from '${repoPath('dist', 'src', 'chain', 'index.js')}'

type Op<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M & keyof paths[P]]>
type Params<O> = O extends { parameters: infer X } ? X : never
type Body<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never
type Answer<O> = O extends { responses: { 200: { content: infer C } } } ? C[keyof C] : never
declare function call<P extends keyof paths, M extends 'get' | 'post'>(method: M, path: P, req: { params?: Params<Op<P, M>>; body?: Body<Op<P, M>> }): Promise<Answer<Op<P, M>>>

const hash = '00'.repeat(32)
export async function everyRoute(): Promise<void> {
  // The shape declared once (src/chain/status.ts) and the one the document describes agree both ways.
  const status = await call('get', '/v1/status', {})
  const s1: NodeStatus = status
  const s2: typeof status = s1
  void s2
  const submitted = await call('post', '/v1/txs', { params: { query: { wait: 'commit' } }, body: { v: 1, chain: 'c', type: 'deposit', from: 'u', nonce: 1, items: [], sig: hash + hash } })
  const height: number = submitted.height
  const proposals = await call('get', '/v1/proposals', {})
  const needed: number | undefined = proposals.approvalsNeeded
  const tx = await call('get', '/v1/txs/{hash}', { params: { path: { hash } } })
  const txStatus: 'pending' | 'committed' = tx.status
  const batch = await call('get', '/v1/txs/{hash}/receipts', { params: { path: { hash } } })
  const receipts: Receipt[] = batch.receipts
  const itemsRoot: string = batch.receipts[0]!.depositor.tx.itemsRoot
  const block = await call('get', '/v1/blocks/{height}', { params: { path: { height: '1' } } })
  const txCount: number = block.block.header.txCount
  const ids: string[] = (await call('get', '/v1/evidence', { params: { query: { digest: 'sha256:' + hash } } })).ids
  const byPrefix: string[] = (await call('get', '/v1/evidence', { params: { query: { prefix: 'abcd' } } })).ids
  const found = await call('post', '/v1/evidence/lookup', { body: { digests: ['sha256:' + hash] } })
  const depositor: string = found.found[0]!.first.record.depositor
  const evidence = await call('get', '/v1/evidence/{id}', { params: { path: { id: hash } } })
  const label: string | undefined = evidence.record.meta?.label
  const receipt: Receipt | string = await call('get', '/v1/evidence/{id}/receipt', { params: { path: { id: hash } } })
  const note: string = await call('get', '/v1/checkpoint', {})
  const proof: string[] = (await call('get', '/v1/proof/consistency', { params: { query: { from: '1', to: '2' } } })).proof
  const trustRoot = await call('get', '/v1/trust-root', {})
  const genesisHash: TrustRoot['genesisHash'] = trustRoot.genesisHash
  const report = await call('post', '/v1/verify', { body: { id: hash, digest: 'sha256:' + hash } })
  const verdict: 'passes' | 'fails' | 'incomplete' = report.verdict
  const chains = (await call('get', '/v1/chains', {})).chains
  const origin: string = chains[0]!.origin
  const caseView = await call('get', '/v1/cases/{caseNo}', { params: { path: { caseNo: 'x' } } })
  const time: number = caseView.evidence[0]!.record.time
  const units: number | undefined = (await call('get', '/v1/stats', {})).units
  const ok: boolean = (await call('get', '/healthz', {})).ok
  const metrics: string = await call('get', '/metrics', {})
  const page: string = await call('get', '/docs', {})
  const doc = await call('get', '/docs/openapi.json', {})
  const home: string = await call('get', '/', {})
  const asset: string = await call('get', '/web/{path}', { params: { path: { path: 'style.css' } } })
  const lib: string = await call('get', '/lib/courtchain/{path}', { params: { path: { path: 'verify/index.js' } } })
  const npm: string = await call('get', '/lib/npm/{path}', { params: { path: { path: 'cborg/cborg.js' } } })
  void [height, needed, txStatus, receipts, itemsRoot, txCount, ids, byPrefix, depositor, label, receipt, note, proof, genesisHash, verdict, origin, time, units, ok, metrics, page, doc, home, asset, lib, npm]

  // Wrong calls fail: the types are real, not any.
  // @ts-expect-error: no such route
  await call('get', '/v1/nothing', {})
  // @ts-expect-error: the path parameter of a tx is its hash, not a height
  await call('get', '/v1/txs/{hash}', { params: { path: { height: 1 } } })
  // @ts-expect-error: a status has no such field
  void status.nosuchfield
  // @ts-expect-error: height is a number
  const wrong: string = status.height
  void wrong
}
`

/** Operations CALLS covers, to fail when a route is added without a typed call. */
const COVERED = new Set(['get /v1/status', 'post /v1/txs', 'get /v1/proposals', 'get /v1/txs/{hash}', 'get /v1/txs/{hash}/receipts', 'get /v1/blocks/{height}',
  'get /v1/evidence', 'post /v1/evidence/lookup', 'get /v1/evidence/{id}', 'get /v1/evidence/{id}/receipt', 'get /v1/checkpoint', 'get /v1/proof/consistency',
  'get /v1/trust-root', 'post /v1/verify', 'get /v1/chains', 'get /v1/cases/{caseNo}', 'get /v1/stats', 'get /healthz', 'get /metrics', 'get /docs',
  'get /docs/openapi.json', 'get /', 'get /web/{path}', 'get /lib/courtchain/{path}', 'get /lib/npm/{path}'])

test('a client generated from the OpenAPI document type-checks a call to every route, and refuses wrong ones', async () => {
  const chain = makeTestChain()
  const app = buildRpc(defaultRpcOptions, { ...chain.deps, proposals: async () => ({}) })
  await app.ready()
  const doc = openApiDocument(app) as { paths: Record<string, Record<string, unknown>> }
  await app.close()
  const ops = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`))
  assert.equal(ops.filter((o) => !COVERED.has(o)), [], 'every operation has a typed call')

  const dir = await mkdtemp(join(tmpdir(), 'courtchain-openapi-'))
  try {
    await writeFile(join(dir, 'openapi.json'), JSON.stringify(doc))
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n')
    await exec(process.execPath, [repoPath('node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')])
    await writeFile(join(dir, 'calls.ts'), CALLS)
    const tsc = [repoPath('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', '--typeRoots', repoPath('node_modules', '@types'), join(dir, 'calls.ts')]
    try { await exec(process.execPath, tsc, { cwd: dir }) } catch (e) {
      assert.unreachable(`tsc refused the typed calls:\n${(e as { stdout: string }).stdout}`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test.run()
