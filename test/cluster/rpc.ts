// The RPC calls the cluster tests make, one node of a list at a time.
import { signTx, type EvidenceItem } from '../../src/chain/index.js'
import { ed25519Sign, sha256 } from '../../src/crypto/index.js'
import { toHex, utf8 } from '../../src/util/index.js'

export interface RpcClient {
  /** JSON (or `{text}` for a text body) on 200, else the error body with `httpStatus`. */
  get(i: number, path: string): Promise<any>
  post(i: number, path: string, body: unknown): Promise<{ status: number; body: any }>
  /** A one-item deposit by `unit` labelled `label`; waits for its commit unless `wait: false`. */
  deposit(i: number, label: string, opts?: { wait?: boolean }): Promise<{ status: number; body: any; digest: string }>
}

export function rpcClient(urls: string[], chainId: string, unit: { id: string; seed: Uint8Array }): RpcClient {
  let nonce = Date.now() * 1000
  let genesisHash: string | null = null // what signatures are bound to, as a client learns it: /v1/status
  const c: RpcClient = {
    async get(i, path) {
      const r = await fetch(urls[i] + path, { signal: AbortSignal.timeout(10_000) })
      const body = (r.headers.get('content-type') ?? '').includes('json') ? await r.json().catch(() => ({})) : { text: await r.text() }
      return r.status === 200 ? body : { httpStatus: r.status, ...body }
    },
    async post(i, path, body) {
      const r = await fetch(urls[i] + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(40_000) })
      return { status: r.status, body: await r.json() }
    },
    async deposit(i, label, o = {}) {
      const digest = toHex(sha256(utf8(label)))
      const item: EvidenceItem = { digests: { sha256: digest }, meta: { label } }
      genesisHash ??= (await c.get(i, '/v1/status')).genesisHash as string
      const p = signTx({ v: 1, chain: chainId, type: 'deposit', from: unit.id, nonce: nonce++, items: [item] }, genesisHash, (m) => ed25519Sign(unit.seed, m))
      return { ...(await c.post(i, `/v1/txs${o.wait === false ? '' : '?wait=commit&timeoutMs=20000'}`, p.tx)), digest }
    },
  }
  return c
}
