// /docs: the OpenAPI document rendered by Swagger UI (the swagger-ui-dist package, served from
// node_modules by this node: the page makes no request elsewhere), and the raw document at
// /docs/openapi.json. The page has its own CSP, as strict as the verifier page's: scripts and
// styles from this origin only.
import type { FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openApiDocument } from './openapi.js'
import { json, text } from './responses.js'

/** The files of swagger-ui-dist the page loads; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>courtchain node API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#api', validatorUrl: null, deepLinking: true, tryItOutEnabled: false })\n`

function swaggerUiDir(): string {
  return dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')))
}

const headers = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }

/** /docs (the page), /docs/openapi.json (the document), /docs/init.js and /docs/assets/<file>. */
export function registerDocs(app: FastifyInstance): void {
  const sendPage = async (_req: unknown, reply: import('fastify').FastifyReply): Promise<unknown> =>
    reply.type('text/html; charset=utf-8').headers({ ...headers, 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' }).send(PAGE)
  app.get('/docs', { schema: { description: 'this API, readable (Swagger UI)', response: text('text/html', 'the page') } }, sendPage)
  app.get('/docs/', { schema: { hide: true } }, sendPage)
  app.get('/docs/openapi.json', { schema: { description: 'the OpenAPI 3.1 document of this API', response: json({ type: 'object', additionalProperties: true }, 'the document') } },
    async () => openApiDocument(app))
  app.get('/docs/init.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').headers(headers).send(INIT))
  let dir: string | null = null
  app.get<{ Params: { file: string } }>('/docs/assets/:file', { schema: { hide: true } }, async (req, reply) => {
    const type = ASSETS[req.params.file]
    if (!type) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no such file' })
    dir ??= swaggerUiDir()
    return reply.type(type).headers(headers).send(await readFile(join(dir, req.params.file)))
  })
}
