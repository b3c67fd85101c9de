import type { FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { RpcDeps } from '../deps.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.map': 'application/json',
}

/** Serves the web page and the browser modules it imports, from files only under `webRoot`. */
export function registerWeb(app: FastifyInstance, deps: RpcDeps): void {
  const root = deps.webRoot
  if (!root) return
  app.get('/', async (_req, reply) => reply.type(TYPES['.html']!).send(await readFile(join(root, 'index.html'))))
  app.get<{ Params: { '*': string } }>('/web/*', async (req, reply) => {
    const rel = normalize(req.params['*'])
    const path = join(root, rel)
    if (!path.startsWith(root + sep) || !TYPES[extname(path)]) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such file' })
    try {
      return reply.type(TYPES[extname(path)]!).header('cache-control', 'no-cache').send(await readFile(path))
    } catch {
      return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such file' })
    }
  })
}
