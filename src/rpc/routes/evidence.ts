import type { FastifyInstance } from 'fastify'
import { NodeError } from '../../util/index.js'
import type { RpcDeps } from '../deps.js'
import { hex32 } from '../schemas.js'
import {
  caseViewSchema, chainsSchema, errors, consistencySchema, evidenceIdsSchema, evidenceViewSchema, json, lookupSchema, receiptSchema, statsSchema, text, trustRootSchema, verifyReportSchema,
} from '../responses.js'

const notFound = (what: string): NodeError => new NodeError({ code: 'NOT_FOUND' }, `${what} not found`)
const idParams = { type: 'object', properties: { id: hex32 }, required: ['id'] } as const
const uintString = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const
const digestParam = { type: 'string', pattern: '^(sha256|sm3):[0-9a-f]{64}$' } as const
/** Digests asked about in one lookup: a case folder of a few thousand files in one or two requests. */
const LOOKUP_MAX = 5000
const LOOKUPS_IN_FLIGHT = 32

/** Evidence lookup, receipts, checkpoints and proofs, the trust root, verification, cases. */
export function registerEvidenceRoutes(app: FastifyInstance, deps: RpcDeps): void {
  app.get<{ Querystring: { digest?: string; prefix?: string; limit?: string } }>('/v1/evidence', {
    schema: {
      description: 'evidence ids with that digest (the lookup a court makes when a party hands in a file), or whose id starts with a prefix of at least 4 hex digits',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { digest: digestParam, prefix: { type: 'string', pattern: '^[0-9a-f]{4,64}$' }, limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } },
      },
      response: json(evidenceIdsSchema, 'the ids, oldest first'),
    },
  }, async (req) => {
    const limit = Math.min(Number(req.query.limit ?? 100), 1000)
    const { digest, prefix } = req.query
    if ((digest === undefined) === (prefix === undefined)) throw new NodeError({ code: 'BAD_REQUEST' }, 'give exactly one of "digest" or "prefix"')
    if (prefix !== undefined) {
      const ids = await deps.evidenceIdsWithPrefix(prefix, limit)
      if (ids.length === 0) throw new NodeError({ code: 'NOT_FOUND' }, `no evidence id starts with ${prefix} on this chain`)
      return { prefix, ids }
    }
    const [alg, hex] = digest!.split(':') as ['sha256' | 'sm3', string]
    const ids = await deps.findEvidence(alg, hex, limit)
    if (ids.length === 0) throw new NodeError({ code: 'NOT_FOUND' }, `no evidence with ${alg} digest ${hex} on this chain`)
    return { digest, ids }
  })

  app.post<{ Body: { digests: string[] } }>('/v1/evidence/lookup', {
    schema: {
      description: 'which of these digests are already on chain, each with its first deposit (who, when, where): one request for a whole folder',
      body: { type: 'object', additionalProperties: false, required: ['digests'], properties: { digests: { type: 'array', maxItems: LOOKUP_MAX, items: digestParam } } },
      response: json(lookupSchema, 'the digests on chain, in the order asked'),
    },
  }, async (req) => {
    const digests = [...new Set(req.body.digests)]
    const found: { digest: string; count: number; first: unknown }[] = []
    // Index scans a few at a time: each is a LevelDB iterator on the thread pool.
    for (let from = 0; from < digests.length; from += LOOKUPS_IN_FLIGHT) {
      await Promise.all(digests.slice(from, from + LOOKUPS_IN_FLIGHT).map(async (digest) => {
        const [alg, hex] = digest.split(':') as ['sha256' | 'sm3', string]
        const ids = await deps.findEvidence(alg, hex, 1000)
        const first = ids.length > 0 ? await deps.getEvidence(ids[0]!) : null
        if (first) found.push({ digest, count: ids.length, first })
      }))
    }
    const order = new Map(digests.map((d, i) => [d, i]))
    found.sort((a, b) => order.get(a.digest)! - order.get(b.digest)!)
    return { found }
  })

  app.get<{ Params: { id: string } }>('/v1/evidence/:id', { schema: { description: 'the record, block, tx', params: idParams, response: json(evidenceViewSchema, 'the evidence') } },
    async (req) => (await deps.getEvidence(req.params.id)) ?? Promise.reject(notFound(`evidence ${req.params.id}`)))

  app.get<{ Params: { id: string } }>('/v1/evidence/:id/receipt', {
    schema: {
      description: 'the receipt: JSON courtchain.receipt/v2, or C2SP tlog-proof with Accept: text/plain', params: idParams,
      response: { ...errors, 200: { description: 'the receipt', content: { 'application/json': { schema: receiptSchema }, 'text/plain': { schema: { type: 'string' } } } } },
    },
  }, async (req, reply) => {
    if (req.headers.accept?.includes('text/plain') && !req.headers.accept.includes('application/json')) {
      const text = await deps.receiptText(req.params.id)
      if (text === null) throw notFound(`evidence ${req.params.id}`)
      return reply.type('text/plain; charset=utf-8').send(text)
    }
    return (await deps.receipt(req.params.id)) ?? Promise.reject(notFound(`evidence ${req.params.id}`))
  })

  app.get('/v1/checkpoint', { schema: { description: 'the latest signed checkpoint (C2SP signed note)', response: text('text/plain', 'the signed note') } }, async (_req, reply) => {
    const note = await deps.checkpoint()
    if (note === null) throw notFound('checkpoint (no block committed yet)')
    return reply.type('text/plain; charset=utf-8').send(note)
  })

  app.get<{ Querystring: { from: string; to: string } }>('/v1/proof/consistency', {
    schema: {
      description: 'RFC 6962 consistency proof between two log sizes (base64 hashes)',
      querystring: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: uintString, to: uintString } },
      response: json(consistencySchema, 'the proof'),
    },
  }, async (req) => {
    const from = Number(req.query.from), to = Number(req.query.to)
    return { from, to, proof: await deps.consistencyProof(from, to) }
  })

  app.get('/v1/trust-root', { schema: { description: 'genesis and the signed validator-set history', response: json(trustRootSchema, 'the trust root') } }, async () => deps.trustRoot())

  app.post<{ Body: unknown }>('/v1/verify', {
    schema: {
      description: 'verify a receipt (of this chain or a registered foreign one) or an evidence id against a digest; with record: true the report goes on chain',
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          receipt: { type: ['object', 'string'] },
          id: hex32,
          digest: digestParam,
          caseNo: { type: 'string', minLength: 1, maxLength: 128 },
          record: { type: 'boolean' },
          // Foreign receipts: consistency proof from the receipt's tree size to the
          // latest anchored size of its chain, fetched from that chain, and the size it is for.
          consistency: { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' } },
          anchoredSize: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
      response: json(verifyReportSchema, 'the verification report (and its on-chain record, with record: true)'),
    },
  }, async (req) => deps.verify(req.body))

  app.get('/v1/chains', { schema: { description: 'foreign chains and their anchors', response: json(chainsSchema, 'the registered chains') } }, async () => deps.chains())
  app.get<{ Params: { caseNo: string } }>('/v1/cases/:caseNo', {
    schema: { description: "a case's evidence and verifications", params: { type: 'object', properties: { caseNo: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['caseNo'] }, response: json(caseViewSchema, 'the case') },
  }, async (req) => deps.caseView(req.params.caseNo))
  app.get('/v1/stats', { schema: { description: 'counts: evidence, units, verifications, cases, foreign chains', response: json(statsSchema, 'the counts') } }, async () => deps.stats())
}
