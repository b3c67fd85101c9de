import type { FastifyInstance } from 'fastify'
import { NodeError } from '../../util/index.js'
import type { RpcDeps } from '../deps.js'
import { hex32, txSchema } from '../schemas.js'
import { blockViewSchema, json, proposalsSchema, statusResponse, submitCommitted, submitPending, txReceiptsSchema, txViewSchema } from '../responses.js'

const notFound = (what: string): NodeError => new NodeError({ code: 'NOT_FOUND' }, `${what} not found`)

/** Status, tx submission and lookup, blocks with their commit certificates. */
export function registerChainRoutes(app: FastifyInstance, deps: RpcDeps): void {
  app.get('/v1/status', { schema: { description: 'chain id and genesis hash, height, view, primary, validators, peers, log size, role', response: json(statusResponse, 'the status') } }, async () => deps.status())

  app.post<{ Body: unknown; Querystring: { wait?: 'commit'; timeoutMs?: string } }>('/v1/txs', {
    schema: {
      description: 'submit a signed tx; ?wait=commit waits for finality',
      body: txSchema,
      querystring: { type: 'object', additionalProperties: false, properties: { wait: { enum: ['commit', 'none'] }, timeoutMs: { type: 'string', pattern: '^[0-9]{1,6}$' } } },
      response: { ...json(submitCommitted, 'committed, with its place'), 202: { description: 'accepted, not committed yet (or not within the wait)', ...submitPending } },
    },
  }, async (req, reply) => {
    const { hash } = await deps.submitTx(req.body)
    if (req.query.wait !== 'commit') return reply.status(202).send({ hash, status: 'pending' })
    const timeoutMs = Math.min(Number(req.query.timeoutMs ?? 30_000), 300_000)
    const location = await deps.waitForCommit(hash, timeoutMs)
    if (!location) return reply.status(202).send({ hash, status: 'pending' })
    return { hash, status: 'committed', ...location }
  })

  app.get('/v1/proposals', { schema: { description: 'open governance proposals, the approval rule and the validator epoch (current and scheduled)', response: json(proposalsSchema, 'the governance view') } }, async () => deps.proposals ? deps.proposals() : Promise.reject(notFound('governance view')))

  app.get<{ Params: { hash: string } }>('/v1/txs/:hash', {
    schema: { description: 'a tx and its status', params: { type: 'object', properties: { hash: hex32 }, required: ['hash'] }, response: json(txViewSchema, 'the tx') },
  }, async (req) => (await deps.getTx(req.params.hash)) ?? Promise.reject(notFound(`tx ${req.params.hash}`)))

  app.get<{ Params: { hash: string } }>('/v1/txs/:hash/receipts', {
    schema: { description: "every receipt of a committed tx's evidence items, in item order, in one answer", params: { type: 'object', properties: { hash: hex32 }, required: ['hash'] }, response: json(txReceiptsSchema, 'where the tx is and its receipts') },
  }, async (req) => {
    const found = await deps.txReceipts(req.params.hash)
    if (!found) throw notFound(`committed tx ${req.params.hash}`)
    return { hash: req.params.hash, ...found }
  })

  app.get<{ Params: { height: string } }>('/v1/blocks/:height', {
    schema: { description: 'a block with its commit certificate', params: { type: 'object', properties: { height: { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } }, required: ['height'] }, response: json(blockViewSchema, 'the block') },
  }, async (req) => {
    // The pattern admits 16 digits; above 2^53 − 1 Number() would round to another height.
    const height = Number(req.params.height)
    if (!Number.isSafeInteger(height)) throw new NodeError({ code: 'BAD_REQUEST' }, `params/height must be at most ${Number.MAX_SAFE_INTEGER}`)
    return (await deps.getBlock(height)) ?? Promise.reject(notFound(`block ${req.params.height}`))
  })
}
