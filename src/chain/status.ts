// A node's status as GET /v1/status answers it: declared once here, below the RPC that serves
// it and the client and page that read it, with its JSON schema (the RPC's response schema and
// the OpenAPI description).
export interface NodeStatus {
  chainId: string
  /** The genesis hash: what tx and vote signatures are bound to (signTx needs it). */
  genesisHash: string
  self: string
  role: 'validator' | 'member'
  height: number
  headHash: string
  headTime: number
  view: number
  primary: string | null
  validators: { id: string; online: boolean }[]
  peers: { id: string; connected: boolean }[]
  logSize: number
  mempool: number
  syncing: boolean
}

export const NODE_STATUS_SCHEMA = {
  type: 'object',
  required: ['chainId', 'genesisHash', 'self', 'role', 'height', 'headHash', 'headTime', 'view', 'primary', 'validators', 'peers', 'logSize', 'mempool', 'syncing'],
  properties: {
    chainId: { type: 'string' },
    genesisHash: { type: 'string', description: 'what tx and vote signatures are bound to: signTx needs it' },
    self: { type: 'string', description: "this node's member id" },
    role: { type: 'string', enum: ['validator', 'member'] },
    height: { type: 'integer', description: 'height of the last committed block' },
    headHash: { type: 'string' },
    headTime: { type: 'integer', description: 'its block time, ms since the epoch' },
    view: { type: 'integer' },
    primary: { type: ['string', 'null'] },
    validators: { type: 'array', items: { type: 'object', required: ['id', 'online'], properties: { id: { type: 'string' }, online: { type: 'boolean' } } } },
    peers: { type: 'array', items: { type: 'object', required: ['id', 'connected'], properties: { id: { type: 'string' }, connected: { type: 'boolean' } } } },
    logSize: { type: 'integer', description: 'evidence records in the log' },
    mempool: { type: 'integer', description: 'txs waiting' },
    syncing: { type: 'boolean' },
  },
} as const
