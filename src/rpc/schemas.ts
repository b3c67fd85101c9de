// JSON schemas shared by routes. They mirror the strict parsers in src/chain, which run again
// after them: the schema gives early, precise 400s and the OpenAPI description.
export const hex32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const
export const memberId = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' } as const

export const evidenceItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['digests'],
  properties: {
    digests: { type: 'object', additionalProperties: false, required: ['sha256'], properties: { sha256: hex32, sm3: hex32 } },
    meta: {
      type: 'object', additionalProperties: false, minProperties: 1,
      properties: {
        size: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        mediaType: { type: 'string', maxLength: 255 },
        label: { type: 'string', maxLength: 1024 },
        caseNo: { type: 'string', minLength: 1, maxLength: 128 },
        commitment: hex32,
      },
    },
  },
} as const

export const txSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'chain', 'type', 'from', 'nonce', 'items', 'sig'],
  properties: {
    v: { const: 1 },
    chain: memberId,
    type: { enum: ['deposit', 'verify', 'gov', 'anchor'] },
    from: memberId,
    nonce: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    // Item count limits are the chain's (genesis maxTxItems): checked with a precise code after.
    // Gov and anchor items are checked by the chain's strict parsers (parseTx) only.
    items: { type: 'array', items: { type: 'object' } },
    sig: { type: 'string', pattern: '^[0-9a-f]{128}$' },
  },
  allOf: [{ if: { properties: { type: { enum: ['deposit', 'verify'] } } }, then: { properties: { items: { type: 'array', items: evidenceItemSchema } } } }],
} as const

export const errorSchema = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } as const
