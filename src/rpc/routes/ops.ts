import type { FastifyInstance } from 'fastify'
import type { RpcDeps } from '../deps.js'
import { openApiDocument } from '../openapi.js'

/** Liveness, metrics and the API description. */
export function registerOpsRoutes(app: FastifyInstance, deps: RpcDeps): void {
  app.get('/healthz', async () => ({ ok: true, height: deps.status().height }))
  app.get('/metrics', async (_req, reply) => {
    void reply.type('text/plain; version=0.0.4')
    return deps.metrics()
  })
  app.get('/docs', async () => openApiDocument(app))
}
