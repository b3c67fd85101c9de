// Response schemas of every route: the OpenAPI description of each answer, and fastify's
// serializer (fast-json-stringify), which writes only the properties a schema lists. So each
// schema lists every field the node sends; a part whose shape belongs to another layer and may
// grow (a block, a tx, a genesis, a governance view, a verification report) also keeps whatever
// it does not list (additionalProperties: true), so nothing signed is ever dropped.
import { NODE_STATUS_SCHEMA } from '../chain/index.js'
import { errorSchema } from './schemas.js'

const str = { type: 'string' } as const
const int = { type: 'integer' } as const
const bool = { type: 'boolean' } as const
const hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const
const v1 = { type: 'integer', const: 1 } as const
const txType = { type: 'string', enum: ['deposit', 'verify', 'gov', 'anchor'] } as const
const strings = { type: 'array', items: str } as const
/** An object described by its main fields that keeps every other field it has. */
const open = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> =>
  ({ type: 'object', additionalProperties: true, properties, ...(required.length ? { required } : {}) })
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)): Record<string, unknown> =>
  ({ type: 'object', properties, required })

/** Every route's error answer: {code, message} (src/rpc/errors.ts). */
export const errors = { '4xx': { description: '{code, message}: what was wrong with the request', ...errorSchema }, '5xx': { description: '{code, message}', ...errorSchema } }
/** A JSON answer with status 200 (or `status`). */
export const json = (schema: unknown, description: string, status = 200): Record<string, unknown> =>
  ({ [status]: { description, ...(schema as object) }, ...errors })
/** A text answer of `type` (fastify sends strings as they are). */
export const text = (type: string, description: string): Record<string, unknown> =>
  ({ 200: { description, content: { [type]: { schema: { type: 'string' } } } }, ...errors })

export const statusResponse = NODE_STATUS_SCHEMA

export const digestsSchema = obj({ sha256: hex, sm3: hex }, ['sha256'])
export const metaSchema = obj({ size: int, mediaType: str, label: str, caseNo: str, commitment: hex }, [])
export const recordSchema = obj({ v: v1, chain: str, height: int, time: int, tx: hex, item: int, depositor: str, digests: digestsSchema, meta: metaSchema },
  ['v', 'chain', 'height', 'time', 'tx', 'item', 'depositor', 'digests'])
export const evidenceViewSchema = obj({ id: hex, leafIndex: int, record: recordSchema, block: obj({ height: int, hash: hex }), tx: hex })

/** A signed tx header: the fields the depositor signed (src/chain/tx.ts), kept whole. */
const txHeaderSchema = open({ v: v1, chain: str, genesis: hex, type: txType, from: str, nonce: int, count: int, itemsRoot: hex }, ['v', 'chain', 'genesis', 'type', 'from', 'nonce', 'count', 'itemsRoot'])
/** A block header (src/chain/block.ts), kept whole: the receipt's depositor check hashes it. */
const blockHeaderSchema = open({ v: v1, chain: str, height: int, time: int, parent: hex, txRoot: hex, txCount: int, logSize: int, logRoot: hex, handover: hex },
  ['v', 'chain', 'height', 'time', 'parent', 'txRoot', 'txCount', 'logSize', 'logRoot'])
export const receiptSchema = obj({
  format: { type: 'string', const: 'courtchain.receipt/v2' }, chain: str, genesisHash: hex, id: hex,
  leaf: { type: 'string', description: 'the evidence record, canonical JSON, base64' }, leafIndex: int, treeSize: int,
  inclusion: { ...strings, description: 'RFC 6962 inclusion proof, base64 hashes, leaf to root' },
  checkpoint: { type: 'string', description: 'C2SP signed checkpoint: the commit certificate of the block' },
  depositor: obj({ id: str, publicKey: hex, tx: txHeaderSchema, sig: str, item: int, itemProof: strings, block: blockHeaderSchema, txIndex: int, txProof: strings }),
}, ['format', 'chain', 'id', 'leaf', 'leafIndex', 'treeSize', 'inclusion', 'checkpoint', 'depositor'])

const txSchemaOut = open({ v: v1, chain: str, type: txType, from: str, nonce: int, items: { type: 'array', items: { type: 'object', additionalProperties: true } }, sig: str },
  ['v', 'chain', 'type', 'from', 'nonce', 'items', 'sig'])
const locationSchema = obj({ height: int, index: int, blockHash: hex })
export const submitCommitted = obj({ hash: hex, status: { type: 'string', enum: ['committed'] }, height: int, index: int, blockHash: hex })
export const submitPending = obj({ hash: hex, status: { type: 'string', enum: ['pending'] } })
export const txViewSchema = obj({ hash: hex, status: { type: 'string', enum: ['pending', 'committed'] }, location: locationSchema, tx: txSchemaOut }, ['hash', 'status', 'tx'])
export const txReceiptsSchema = obj({ hash: hex, height: int, index: int, blockHash: hex, receipts: { type: 'array', items: receiptSchema } })

export const blockViewSchema = obj({ height: int, hash: hex, block: open({ header: blockHeaderSchema, txs: { type: 'array', items: txSchemaOut } }, ['header', 'txs']), certificate: str })

export const evidenceIdsSchema = obj({ digest: str, prefix: str, ids: { type: 'array', items: hex } }, ['ids'])
export const lookupSchema = obj({ found: { type: 'array', items: obj({ digest: str, count: int, first: evidenceViewSchema }) } })
export const consistencySchema = obj({ from: int, to: int, proof: strings })

const memberSchema = open({ id: str, role: str, publicKey: hex, validator: bool, peerId: str, addrs: strings }, ['id', 'role', 'publicKey'])
export const trustRootSchema = obj({
  format: { type: 'string', const: 'courtchain.trust-root/v1' },
  genesis: open({ v: int, chainId: str, time: int, members: { type: 'array', items: memberSchema }, consensus: open({}) }, ['chainId', 'members']),
  genesisHash: hex,
  history: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'validator-set handovers after genesis, oldest first' },
})

const checkSchema = open({ name: str, ok: { type: ['boolean', 'null'] }, detail: str, why: open({ key: str, params: open({}) }) }, ['name', 'ok', 'detail'])
export const verifyReportSchema = open({
  verdict: { type: 'string', enum: ['passes', 'fails', 'incomplete'] }, valid: bool, failed: { type: ['string', 'null'] }, checks: { type: 'array', items: checkSchema },
  evidenceId: { type: ['string', 'null'] }, chain: { type: ['string', 'null'] }, record: { anyOf: [recordSchema, { type: 'null' }] },
  leafIndex: { type: ['integer', 'null'] }, treeSize: { type: ['integer', 'null'] }, signers: strings,
  storageTime: { type: ['integer', 'null'] }, storedAt: { type: ['string', 'null'] }, depositor: { type: ['string', 'null'] },
  caseNo: { type: ['string', 'null'] }, checkedBy: str, checkedAt: int,
  recorded: obj({ tx: hex, evidenceId: hex, reportDigest: hex, receipt: receiptSchema }),
}, ['verdict', 'valid', 'checks'])

const foreignChainSchema = obj({
  origin: str, status: { type: 'string', enum: ['active', 'retired', 'equivocated'] }, quorum: int, vkeys: strings, registeredAt: int,
  anchor: { anyOf: [obj({ size: int, root: str, height: int, checkpoint: str }), { type: 'null' }] },
  fork: { anyOf: [obj({ a: str, b: str, height: int }), { type: 'null' }] },
})
export const chainsSchema = obj({ chains: { type: 'array', items: foreignChainSchema } })

const caseEntrySchema = obj({ id: hex, leafIndex: int, record: recordSchema })
export const caseViewSchema = obj({ caseNo: str, evidence: { type: 'array', items: caseEntrySchema }, verifications: { type: 'array', items: caseEntrySchema } })
export const statsSchema = open({ height: int, evidence: int, txs: int, units: int, courts: int, validators: int, verifications: int, cases: int, foreignChains: int })
export const proposalsSchema = open({
  height: int, courts: int, governance: open({}), approvalsNeeded: int,
  proposals: { type: 'array', items: { type: 'object', additionalProperties: true } },
  pendingEpoch: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] }, epoch: { type: 'object', additionalProperties: true },
})
const healthReasons = { type: 'array', items: obj({ code: str, message: str }) }
export const healthSchema = obj({ ok: bool, height: int, reasons: healthReasons })
export const unhealthySchema = obj({ ok: bool, height: int, reasons: healthReasons, code: str, message: str })
