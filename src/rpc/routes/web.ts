// The web page (docs/architecture.md "Layers": layer 6, src/web): the static page from
// `deps.webRoot`, the browser-safe half of the build (dist/src/{util,crypto/portable,...,verify,
// web}) under /lib/courtchain/, and the three packages the verifier imports under /lib/npm/ (the
// page maps them with an import map). Everything is read from a fixed allowlist of folders;
// nothing outside them is ever served.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RpcDeps } from '../deps.js'
import { errors } from '../responses.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon', '.png': 'image/png',
}

/** Folders of dist/src the browser may load: the pure layers and the page's compiled modules. */
const BROWSER_FOLDERS = new Set(['util', 'codec', 'merkle', 'checkpoint', 'chain', 'verify', 'web'])
/** In crypto only the portable half: native.ts and keyfile.ts import node:*. */
const BROWSER_CRYPTO = new Set(['portable.js', 'sm3.js', 'ed25519-rule.js'])
/** Bare packages of the verifier's import closure (scripts/check-layers.mjs BROWSER_PACKAGES). */
const PACKAGES: Record<string, string> = { '@noble/hashes': '@noble/hashes/sha2.js', '@noble/curves': '@noble/curves/ed25519.js', cborg: 'cborg' }

/** The repository root: the nearest folder above this module holding package.json (works from src/ and dist/). */
function findRepoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d)
    if (up === d) throw new Error('web: no package.json above ' + fileURLToPath(import.meta.url))
    d = up
  }
  return d
}

/** A package's folder, found the way Node resolves it (hoisted node_modules included). */
function packageDir(name: string, entry: string, repoRoot: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(entry)))
    // Walk up from the entry file to the folder named like the package.
    while (!dir.endsWith(sep + name.split('/').join(sep)) && dirname(dir) !== dir) dir = dirname(dir)
    if (existsSync(join(dir, 'package.json'))) return dir
  } catch { /* fall back below */ }
  return join(repoRoot, 'node_modules', ...name.split('/'))
}

/** `rel` resolved under `base`, or null when it escapes `base` or names no served file type. */
export function safeJoin(base: string, rel: string): string | null {
  if (rel.includes('\0') || rel.includes('\\')) return null
  let decoded: string
  try { decoded = decodeURIComponent(rel) } catch { return null }
  if (decoded.split('/').some((seg) => seg === '..' || seg.startsWith('.'))) return null
  const path = resolve(base, decoded)
  if (!path.startsWith(base + sep) || !TYPES[extname(path)]) return null
  return path
}

async function sendFile(reply: FastifyReply, path: string | null): Promise<FastifyReply> {
  if (path) {
    try {
      const body = await readFile(path)
      return reply.type(TYPES[extname(path)]!).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(body)
    } catch { /* fall through to 404 */ }
  }
  return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such file' })
}

/** Serves the web page and the browser modules it imports, from files only under the allowed folders. */
export function registerWeb(app: FastifyInstance, deps: RpcDeps): void {
  const webRoot = deps.webRoot ? resolve(deps.webRoot) : null
  if (!webRoot) return
  const repoRoot = findRepoRoot()
  const distSrc = join(repoRoot, 'dist', 'src')
  const packages = Object.fromEntries(Object.entries(PACKAGES).map(([name, entry]) => [name, packageDir(name, entry, repoRoot)]))

  // The page itself: strict CSP, no request may leave this origin (the verifier works offline).
  const csp = "default-src 'self'; script-src 'self' 'sha256-IMPORTMAP'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
  let page: { html: Buffer; csp: string } | null = null
  const loadPage = async (): Promise<{ html: Buffer; csp: string }> => {
    if (page) return page
    const html = await readFile(join(webRoot, 'index.html'))
    const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html.toString('utf8'))?.[1] ?? ''
    const { createHash } = await import('node:crypto')
    const hash = createHash('sha256').update(importMap).digest('base64')
    page = { html, csp: csp.replace('sha256-IMPORTMAP', `sha256-${hash}`) }
    return page
  }
  const sendPage = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    const { html, csp: policy } = await loadPage()
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').header('content-security-policy', policy)
      .header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').send(html)
  }
  const file = (description: string, type = '*/*'): { description: string; response: Record<string, unknown> } =>
    ({ description, response: { 200: { description, content: { [type]: { schema: { type: 'string' } } } }, ...errors } })
  app.get('/', { schema: file('the web page: verify a file, the dashboard, the explorer', 'text/html') }, sendPage)
  app.get('/index.html', { schema: { ...file('the web page', 'text/html'), hide: true } }, sendPage)

  app.get<{ Params: { '*': string } }>('/web/*', { schema: file("the page's styles and scripts") }, async (req, reply) => sendFile(reply, safeJoin(webRoot, req.params['*'])))

  app.get<{ Params: { '*': string } }>('/lib/courtchain/*', { schema: file("the browser-safe modules the page's verifier runs", 'text/javascript') }, async (req, reply) => {
    const rel = req.params['*']
    const [folder, file] = rel.split('/', 2)
    const allowed = BROWSER_FOLDERS.has(folder ?? '') || (folder === 'crypto' && BROWSER_CRYPTO.has(file ?? '') && rel === `crypto/${file}`)
    const ext = extname(rel)
    return sendFile(reply, allowed && (ext === '.js' || ext === '.map') ? safeJoin(distSrc, rel) : null)
  })

  app.get<{ Params: { '*': string } }>('/lib/npm/*', { schema: file("the packages the page's verifier imports", 'text/javascript') }, async (req, reply) => {
    const rel = req.params['*']
    const name = Object.keys(packages).find((n) => rel.startsWith(n + '/'))
    const path = name && extname(rel) === '.js' ? safeJoin(packages[name]!, rel.slice(name.length + 1)) : null
    return sendFile(reply, path)
  })
}
