import type { FastifyInstance } from 'fastify'
import type { RpcDeps } from '../deps.js'
import { openApiDocument } from '../openapi.js'

/** Liveness, metrics and the API description. */
export function registerOpsRoutes(app: FastifyInstance, deps: RpcDeps): void {
  app.get('/healthz', async (_req, reply) => {
    const h = deps.health?.() ?? { ok: true, height: deps.status().height, reasons: [] }
    if (h.ok) return h
    // 503 so a load balancer or probe takes the node out; the reasons say what to fix
    void reply.status(503)
    return { ...h, code: 'NODE_UNHEALTHY', message: h.reasons.map((r) => r.message).join('; ') }
  })
  app.get('/metrics', async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4')
    return deps.metrics()
  })
  app.get('/docs', async () => openApiDocument(app))
}
