// The node's HTTP API (docs/rpc.md): fastify with JSON schemas on every input, one error
// handler, body limits. Route groups live in routes/*; each takes only the deps it reads.
import Fastify, { type FastifyInstance } from 'fastify'
import { NodeError } from '../util/index.js'
import { toHttpError } from './errors.js'
import type { RpcDeps } from './deps.js'
import { registerChainRoutes } from './routes/chain.js'
import { registerEvidenceRoutes } from './routes/evidence.js'
import { registerOpsRoutes } from './routes/ops.js'
import { registerWeb } from './routes/web.js'
import { collectRoutes } from './openapi.js'

export interface RpcOptions {
  host: string
  port: number
  /** Largest request body in bytes (a tx of maxTxItems items fits with room). */
  bodyLimit: number
  /** Requests per second per client IP before 429 (0 = unlimited). */
  rateLimitPerSecond: number
  /** Serve HTTPS with this certificate chain and key (PEM); absent = plain HTTP. */
  tls?: { cert: string; key: string }
}
export const defaultRpcOptions: RpcOptions = { host: '127.0.0.1', port: 8545, bodyLimit: 2 * 1024 * 1024, rateLimitPerSecond: 0 }

/** Builds the fastify app (not listening yet), so tests can `inject` without a socket. */
export function buildRpc(opts: RpcOptions, deps: RpcDeps): FastifyInstance {
  const app = Fastify({
    // node:https under fastify, as its `https` option makes it; the type stays the plain server's
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    logger: false,
    bodyLimit: opts.bodyLimit,
    // Strict schemas: never drop, coerce or default what a client sent.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false, allowUnionTypes: true } },
    return503OnClosing: true,
    // Name the offending field: ajv's "must NOT have additional properties" alone does not.
    schemaErrorFormatter: (errors, dataVar) => new Error(errors.map((e) => {
      const extra = (e.params as { additionalProperty?: string } | undefined)?.additionalProperty
      return `${dataVar}${e.instancePath} ${e.message ?? 'is invalid'}${extra === undefined ? '' : `: "${extra}"`}`
    }).join(', ')),
  })
  // Every body is JSON: without this, fastify's built-in text/plain parser hands a string to the
  // schema ("body must be object", 400) instead of refusing the content type (415).
  app.removeContentTypeParser('text/plain')
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toHttpError(err)
    // A 503 is the node saying it cannot serve now (unhealthy, closing); what caused it is logged where it happened.
    if (status >= 500 && status !== 503) deps.log.error({ err, url: req.url }, 'rpc error')
    void reply.status(status).send(body)
  })
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'ROUTE_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` })
  })
  collectRoutes(app)
  if (opts.rateLimitPerSecond > 0) installRateLimit(app, opts.rateLimitPerSecond)
  registerOpsRoutes(app, deps)
  registerChainRoutes(app, deps)
  registerEvidenceRoutes(app, deps)
  registerWeb(app, deps)
  return app
}

/** A fixed one-second window per client address: a flood from one client slows only that client. */
function installRateLimit(app: FastifyInstance, perSecond: number): void {
  let window = 0
  let counts = new Map<string, number>()
  app.addHook('onRequest', async (req) => {
    const now = Math.floor(Date.now() / 1000)
    if (now !== window) { window = now; counts = new Map() }
    const n = (counts.get(req.ip) ?? 0) + 1
    counts.set(req.ip, n)
    if (n > perSecond) throw new NodeError({ code: 'RATE_LIMITED', limit: perSecond }, `more than ${perSecond} requests per second from ${req.ip}`)
  })
}

/** Builds and starts listening; returns the app and its URL. */
export async function startRpc(opts: RpcOptions, deps: RpcDeps): Promise<{ app: FastifyInstance; url: string }> {
  const app = buildRpc(opts, deps)
  await app.listen({ host: opts.host, port: opts.port })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : opts.port
  return { app, url: `${opts.tls ? 'https' : 'http'}://${opts.host}:${port}` }
}
