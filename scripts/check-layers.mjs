#!/usr/bin/env node
// Fails when a module under src/ imports against the layers of docs/architecture.md "Layers": a
// module may import only from layers below its own, and only through that folder's index.ts (crypto
// also offers portable.ts, the half without node:*). src/verify and what it imports must stay
// browser-safe.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')
const LAYER = {
  util: 0, crypto: 1, codec: 1, merkle: 2, checkpoint: 2, chain: 3, verify: 4,
  store: 4, mempool: 4, p2p: 4, consensus: 5, sync: 5, client: 6, rpc: 6, web: 6, node: 7, cli: 8,
}
const ENTRIES = new Set(['index.ts', 'portable.ts'])
const IMPORT_RE = /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g
// Bare packages the browser-safe verifier may load (the web page maps them with an import map).
const BROWSER_PACKAGES = /^(@noble\/(hashes|curves)\/|cborg)/

const files = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
})
const problems = []
for (const file of files(src)) {
  const from = relative(src, file).split('/')[0]
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2]
    if (!spec.startsWith('.')) continue
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts')
    const to = relative(src, target).split('/')[0]
    if (to === from) continue
    const entry = relative(join(src, to), target)
    if (!(to in LAYER)) { problems.push(`${rel(file)}: imports unknown folder ${to}`); continue }
    if (LAYER[to] >= LAYER[from]) problems.push(`${rel(file)}: layer ${from} (${LAYER[from]}) imports ${to} (${LAYER[to]})`)
    if (!ENTRIES.has(entry)) problems.push(`${rel(file)}: imports ${to}/${entry}, not its index.ts`)
  }
}
// The verifier's whole import closure must run in a browser: no node:*, only allowed packages.
const seen = new Set()
const walk = (file, via) => {
  if (seen.has(file)) return
  seen.add(file)
  let text
  try { text = readFileSync(file, 'utf8') } catch { problems.push(`${via}: imports missing ${rel(file)}`); return }
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2]
    if (spec.startsWith('.')) walk(resolve(dirname(file), spec).replace(/\.js$/, '.ts'), rel(file))
    else if (!BROWSER_PACKAGES.test(spec)) problems.push(`${rel(file)}: browser-safe verifier reaches ${spec}`)
  }
}
walk(join(src, 'verify', 'index.ts'), 'verify')

// Nothing in src/ imports from tests, benchmarks or scripts, and no files of src/ import each
// other in a circle (type imports included: a circle is a knot for the reader even where the
// runtime does not see it).
const graph = new Map()
for (const file of files(src)) {
  const deps = []
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2]
    if (!spec.startsWith('.')) continue
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts')
    if (!target.startsWith(src + '/')) problems.push(`${rel(file)}: imports ${rel(target)}, outside src/ (test, bench or script code)`)
    else deps.push(target)
  }
  graph.set(file, deps)
}
const state = new Map() // 1: on the current path, 2: done
const path = []
const visit = (f) => {
  state.set(f, 1); path.push(f)
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1) problems.push(`import circle: ${path.slice(path.indexOf(d)).concat(d).map(rel).join(' -> ')}`)
    else if (!state.has(d)) visit(d)
  }
  path.pop(); state.set(f, 2)
}
for (const f of graph.keys()) if (!state.has(f)) visit(f)

function rel(f) { return relative(root, f) }
if (problems.length) { console.error(problems.join('\n')); console.error(`layers: ${problems.length} problem(s)`); process.exit(1) }
console.log('layers: ok')
