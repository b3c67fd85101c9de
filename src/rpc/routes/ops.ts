import type { FastifyInstance } from 'fastify'
import type { RpcDeps } from '../deps.js'
import { registerDocs } from '../docs.js'
import { errors, healthSchema, text, unhealthySchema } from '../responses.js'

/** Liveness, metrics and the API description. */
export function registerOpsRoutes(app: FastifyInstance, deps: RpcDeps): void {
  const health = { 200: { description: 'healthy', ...healthSchema }, 503: { description: 'NODE_UNHEALTHY: the reasons say what to fix', ...unhealthySchema }, ...errors }
  app.get('/healthz', { schema: { description: 'health: 503 when the store cannot write, the node lags, has too few validator peers, or its clock is off', response: health } }, async (_req, reply) => {
    const h = deps.health?.() ?? { ok: true, height: deps.status().height, reasons: [] }
    if (h.ok) return h
    // 503 so a load balancer or probe takes the node out; the reasons say what to fix
    void reply.status(503)
    return { ...h, code: 'NODE_UNHEALTHY', message: h.reasons.map((r) => r.message).join('; ') }
  })
  app.get('/metrics', { schema: { description: 'Prometheus metrics', response: text('text/plain', 'Prometheus text format 0.0.4') } }, async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4')
    return deps.metrics()
  })
  registerDocs(app)
}
