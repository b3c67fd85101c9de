import type { FastifyInstance } from 'fastify'

interface RouteInfo { method: string; url: string; schema?: Record<string, unknown> }
const routes = new WeakMap<FastifyInstance, RouteInfo[]>()

/** Records every route with its schema as it is registered (call before routes are added). */
export function collectRoutes(app: FastifyInstance): void {
  const list: RouteInfo[] = []
  routes.set(app, list)
  app.addHook('onRoute', (r) => {
    if ((r.schema as { hide?: boolean } | undefined)?.hide) return
    for (const method of ([] as string[]).concat(r.method)) if (method !== 'HEAD') list.push({ method, url: r.url, schema: r.schema as Record<string, unknown> | undefined })
  })
}

/** An OpenAPI 3.1 document built from the registered routes' JSON schemas. */
export function openApiDocument(app: FastifyInstance): unknown {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes.get(app) ?? []) {
    // fastify's wildcard (/web/*) is a path parameter of its own in OpenAPI.
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{path}')
    const wildcard = r.url.endsWith('*') ? [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }] : []
    const params = r.schema?.params as { properties?: Record<string, unknown> } | undefined
    const query = r.schema?.querystring as { properties?: Record<string, unknown> } | undefined
    ;(paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: (r.schema?.description as string | undefined) ?? `${r.method} ${r.url}`,
      parameters: [
        ...wildcard,
        ...Object.entries(params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
        ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', schema })),
      ],
      ...(r.schema?.body ? { requestBody: { content: { 'application/json': { schema: r.schema.body } } } } : {}),
      responses: responsesOf(r.schema?.response as Record<string, Record<string, unknown>> | undefined),
    }
  }
  return { openapi: '3.1.0', info: { title: 'courtchain node API', version: '1' }, paths }
}

/**
 * A route's fastify response schemas as OpenAPI responses: a plain schema is the JSON body; one
 * with `content` names its media types; '4xx' becomes '4XX'.
 */
function responsesOf(response: Record<string, Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [status, r] of Object.entries(response ?? {})) {
    const { description, content, ...schema } = r
    out[status.toUpperCase()] = { description: description ?? '', content: content ?? { 'application/json': { schema } } }
  }
  return out
}

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI document at /docs. */
    description?: string
    /** Left out of the OpenAPI document (the docs page's own assets). */
    hide?: boolean
  }
}
