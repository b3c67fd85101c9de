// Serving the web page (src/rpc/routes/web.ts) without a browser: the page, its modules, the
// import-map targets and the verifier's whole import closure answer with JS types; nothing
// outside the allowed folders is reachable.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildRpc, defaultRpcOptions } from '../../src/rpc/server.js'
import { verifyReceipt } from '../../src/verify/index.js'
import { makeTestChain } from './chain.js'

const chain = makeTestChain()
const app = buildRpc(defaultRpcOptions, chain.deps)
const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers })

const importMapOf = (html: string): Record<string, string> => {
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)
  assert.ok(m, 'index.html has an import map')
  return (JSON.parse(m![1]!) as { imports: Record<string, string> }).imports
}

test('the test chain is real: its first receipt verifies with courtchain/verify', () => {
  const id = chain.blocks[0]!.placed[0]!.id
  const report = verifyReceipt(chain.receipt(id), chain.trustRoot)
  assert.ok(report.valid, JSON.stringify(report.checks))
  assert.equal(report.signers, ['court-1', 'court-2', 'court-3'])
})

test('/ serves the page as HTML with a CSP that allows only this origin and the import map', async () => {
  const res = await get('/')
  assert.is(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/html/)
  const csp = res.headers['content-security-policy'] as string
  assert.match(csp, /default-src 'self'/)
  assert.match(csp, /connect-src 'self'/)
  assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/)
  assert.not.match(res.body, /https?:\/\//, 'the page names no external URL')
})

test('the page script, stylesheet and every module it imports answer 200 with the right type', async () => {
  const html = (await get('/')).body
  const srcs = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'))
  assert.ok(srcs.includes('lib/courtchain/web/app.js'))
  for (const s of srcs) {
    const res = await get('/' + s)
    assert.is(res.statusCode, 200, s)
    assert.match(res.headers['content-type'] as string, s.endsWith('.css') ? /^text\/css/ : /^text\/javascript/, s)
  }
})

test('the import map targets answer with JS, and so does the whole module graph from app.js', async () => {
  const imports = importMapOf((await get('/')).body)
  assert.equal(Object.keys(imports).sort(), ['@noble/curves/', '@noble/hashes/', 'cborg'])
  const resolveBare = (spec: string): string | null => {
    if (imports[spec]) return imports[spec]!
    const prefix = Object.keys(imports).find((k) => k.endsWith('/') && spec.startsWith(k))
    return prefix ? imports[prefix]! + spec.slice(prefix.length) : null
  }
  assert.is(resolveBare('cborg'), './lib/npm/cborg/cborg.js')
  // Walk the graph the browser would load: relative imports and mapped bare imports.
  const seen = new Set<string>()
  const queue = ['/lib/courtchain/web/app.js']
  while (queue.length) {
    const url = queue.shift()!
    if (seen.has(url)) continue
    seen.add(url)
    const res = await get(url)
    assert.is(res.statusCode, 200, url)
    assert.match(res.headers['content-type'] as string, /^text\/javascript/, url)
    const code = res.body.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '')
    for (const m of code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g)) {
      const spec = (m[1] ?? m[2])!
      const target = spec.startsWith('.') ? new URL(spec, 'http://x' + url).pathname : resolveBare(spec)
      assert.ok(target, `${url} imports ${spec}, which the import map does not cover`)
      queue.push(target!.startsWith('./') ? target!.slice(1) : target!)
    }
  }
  for (const must of ['/lib/courtchain/verify/index.js', '/lib/courtchain/crypto/portable.js', '/lib/courtchain/crypto/sm3.js', '/lib/npm/cborg/cborg.js', '/lib/npm/@noble/curves/ed25519.js', '/lib/npm/@noble/hashes/sha2.js']) {
    assert.ok(seen.has(must), `module graph reaches ${must}`)
  }
  assert.ok(![...seen].some((u) => /crypto\/(native|index|keyfile)\.js$/.test(u)), 'no node-only crypto module is loaded')
})

test('node-only modules and files outside the allowed folders are refused', async () => {
  for (const url of [
    '/lib/courtchain/crypto/native.js', '/lib/courtchain/crypto/index.js', '/lib/courtchain/crypto/keyfile.js',
    '/lib/courtchain/rpc/server.js', '/lib/courtchain/node/receipts.js', '/lib/courtchain/store/index.js',
    '/lib/npm/fastify/fastify.js', '/lib/npm/level/index.js', '/lib/npm/@noble/hashes/package.json',
    '/lib/courtchain/web/app.d.ts', '/web/app.ts',
  ]) {
    const res = await get(url)
    assert.is(res.statusCode, 404, url)
  }
})

test('path traversal is refused in every static route', async () => {
  for (const url of [
    '/web/../package.json', '/web/..%2fpackage.json', '/web/%2e%2e/%2e%2e/package.json', '/web/..%5c..%5cpackage.json',
    '/lib/courtchain/verify/../../../package.json', '/lib/courtchain/verify/..%2f..%2f..%2fpackage.json',
    '/lib/courtchain/util/%2e%2e/rpc/server.js', '/lib/courtchain/crypto/portable.js/../native.js',
    '/lib/npm/cborg/../fastify/fastify.js', '/lib/npm/cborg/..%2f..%2ffastify%2ffastify.js', '/lib/npm/@noble/hashes/%2e%2e/%2e%2e/level/index.js',
    '/web/%00index.html', '/web/.hidden.js',
  ]) {
    const res = await get(url)
    assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url} → ${res.statusCode}`)
    assert.not.match(res.body, /"name":\s*"courtchain"|from 'fastify'/, url)
  }
})

test('the API the page talks to answers from the real test chain', async () => {
  const id = chain.blocks[0]!.placed[0]!.id
  const digest = chain.blocks[0]!.placed[0]!.record.digests.sha256
  assert.equal(JSON.parse((await get(`/v1/evidence?digest=sha256:${digest}`)).body).ids, [id])
  assert.is((await get(`/v1/evidence?digest=sha256:${'0'.repeat(64)}`)).statusCode, 404)
  assert.is((await get(`/v1/evidence/${id}/receipt`)).statusCode, 200)
  assert.is(JSON.parse((await get('/v1/status')).body).height, chain.blocks.length)
})

test.after(async () => { await app.close() })
test.run()
