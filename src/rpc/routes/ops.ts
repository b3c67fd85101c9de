import type { FastifyInstance } from 'fastify'
import type { RpcDeps } from '../deps.js'
import { registerDocs } from '../docs.js'
import { healthSchema, json, text } from '../responses.js'

/** Liveness, metrics and the API description. */
export function registerOpsRoutes(app: FastifyInstance, deps: RpcDeps): void {
  app.get('/healthz', { schema: { description: 'liveness, with the height', response: json(healthSchema, 'alive') } }, async () => ({ ok: true, height: deps.status().height }))
  app.get('/metrics', { schema: { description: 'Prometheus metrics', response: text('text/plain', 'Prometheus text format 0.0.4') } }, async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4')
    return deps.metrics()
  })
  registerDocs(app)
}
