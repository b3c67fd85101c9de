// CourtchainClient: the node's HTTP API (docs/rpc.md) as typed calls. Every non-2xx answer
// becomes a NodeError carrying the server's own {code, message} and the HTTP status, so callers
// branch on codes (DUPLICATE_TX, MEMPOOL_FULL, ...) exactly as the node names them.
import type { Receipt, Tx, TrustRoot } from '../chain/index.js'
import { NodeError, isNodeError } from '../util/index.js'
import { deposit, type DepositInput, type DepositOptions, type DepositResult } from './deposit.js'
import type { BlockView, DigestMatch, EvidenceView, ForeignChainView, NodeStatus, SubmitOptions, SubmitResult, TxReceipts, TxView, VerifyRequest } from './types.js'

export type FetchFn = typeof fetch

export interface ClientOptions {
  /** Base URL of a node's RPC, e.g. http://127.0.0.1:8545 (a trailing /v1 is tolerated). */
  url: string
  /** Injected fetch (tests, proxies); the global fetch by default. */
  fetch?: FetchFn
  /** Bound on each plain request; submissions that wait for commit add their own wait. */
  requestTimeoutMs?: number
}


interface RequestOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  accept?: string
  timeoutMs?: number
  /** Answer null instead of throwing when the node says NOT_FOUND. */
  nullOn404?: boolean
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Digests per POST /v1/evidence/lookup (the node takes at most 5,000). */
const LOOKUP_BATCH = 5000

export class CourtchainClient {
  readonly url: string
  private readonly fetchFn: FetchFn
  private readonly requestTimeoutMs: number
  private cachedTrustRoot: Promise<TrustRoot> | null = null

  constructor(opts: ClientOptions) {
    // "127.0.0.1:8541" is not a URL and "localhost:8541" parses with the scheme "localhost:":
    // without "://" the likely meaning is plain http.
    const hint = opts.url.includes('://') ? '' : `; did you mean http://${opts.url}?`
    let parsed: URL
    try { parsed = new URL(opts.url) } catch {
      throw new NodeError({ code: 'BAD_NODE_URL', url: opts.url }, `node URL "${opts.url}" is not a URL${hint}`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new NodeError({ code: 'BAD_NODE_URL', url: opts.url }, `node URL "${opts.url}" must be http(s)${hint}`)
    }
    this.url = parsed.href.replace(/\/+$/, '').replace(/\/v1$/, '')
    this.fetchFn = opts.fetch ?? fetch
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  }

  /** GET /v1/status. */
  status(): Promise<NodeStatus> {
    return this.json('/v1/status')
  }

  /** GET /v1/trust-root; cached per client, since it changes only with governance. */
  trustRoot(opts: { refresh?: boolean } = {}): Promise<TrustRoot> {
    if (opts.refresh || this.cachedTrustRoot === null) {
      this.cachedTrustRoot = this.json<TrustRoot>('/v1/trust-root')
      this.cachedTrustRoot.catch(() => { this.cachedTrustRoot = null }) // never cache a failure
    }
    return this.cachedTrustRoot
  }

  /** POST /v1/txs (a signed tx); with wait 'commit' resolves once final or after `timeoutMs` as pending. */
  submitTx(tx: Tx, opts: SubmitOptions = {}): Promise<SubmitResult> {
    const wait = opts.wait ?? 'commit'
    const timeoutMs = Math.max(1, Math.min(opts.timeoutMs ?? 30_000, 300_000))
    const query = wait === 'commit' ? `?wait=commit&timeoutMs=${timeoutMs}` : '?wait=none'
    // The HTTP bound must outlast the node's own wait, or every slow commit looks like a dead node.
    return this.json(`/v1/txs${query}`, { method: 'POST', body: tx, timeoutMs: timeoutMs + this.requestTimeoutMs })
  }

  /** GET /v1/txs/:hash, or null when the node does not know the tx. */
  getTx(hash: string): Promise<TxView | null> {
    return this.json(`/v1/txs/${hex32(hash, 'hash')}`, { nullOn404: true })
  }

  /** GET /v1/blocks/:height with its commit certificate, or null above the head. */
  getBlock(height: number): Promise<BlockView | null> {
    if (!Number.isSafeInteger(height) || height < 0) throw new NodeError({ code: 'BAD_HEIGHT', height }, `"height" expected a whole number, got ${height}`)
    return this.json(`/v1/blocks/${height}`, { nullOn404: true })
  }

  /** Evidence ids whose `alg` digest is `hex` (GET /v1/evidence?digest=), oldest first; [] when none. */
  async findEvidence(alg: 'sha256' | 'sm3', hex: string, opts: { limit?: number } = {}): Promise<string[]> {
    if (alg !== 'sha256' && alg !== 'sm3') throw new NodeError({ code: 'BAD_HASH_ALG', alg }, `"alg" expected sha256 or sm3, got ${String(alg)}`)
    const limit = opts.limit !== undefined ? `&limit=${Math.max(1, Math.min(999, Math.floor(opts.limit)))}` : ''
    const res = await this.json<{ ids: string[] } | null>(`/v1/evidence?digest=${alg}:${hex32(hex, 'digest')}${limit}`, { nullOn404: true })
    return res?.ids ?? []
  }

  /** GET /v1/evidence/:id: the record, its block and tx; null when unknown. */
  getEvidence(id: string): Promise<EvidenceView | null> {
    return this.json(`/v1/evidence/${hex32(id, 'id')}`, { nullOn404: true })
  }

  /** The JSON receipt (courtchain.receipt/v2) of evidence `id`; null when unknown. */
  receipt(id: string): Promise<Receipt | null> {
    return this.json(`/v1/evidence/${hex32(id, 'id')}/receipt`, { nullOn404: true })
  }

  /** GET /v1/txs/:hash/receipts: every receipt of a committed tx's items, in item order; null until committed. */
  txReceipts(hash: string): Promise<TxReceipts | null> {
    return this.json(`/v1/txs/${hex32(hash, 'hash')}/receipts`, { nullOn404: true })
  }

  /**
   * POST /v1/evidence/lookup: which of `digests` ("sha256:<hex>") are on chain already, each with
   * its first deposit; a few thousand per request.
   */
  async lookupDigests(digests: string[]): Promise<DigestMatch[]> {
    const out: DigestMatch[] = []
    for (let from = 0; from < digests.length; from += LOOKUP_BATCH) {
      const res = await this.json<{ found: DigestMatch[] }>('/v1/evidence/lookup', { method: 'POST', body: { digests: digests.slice(from, from + LOOKUP_BATCH) } })
      out.push(...res.found)
    }
    return out
  }

  /**
   * The full evidence id that `idOrPrefix` names: a whole id as is, or a unique prefix of at
   * least 4 hex digits (as git takes short hashes); EVIDENCE_NOT_FOUND or AMBIGUOUS_ID otherwise.
   */
  async resolveEvidenceId(idOrPrefix: string): Promise<string> {
    const prefix = idOrPrefix.trim().toLowerCase()
    if (!/^[0-9a-f]{4,64}$/.test(prefix)) {
      throw new NodeError({ code: 'BAD_EVIDENCE_ID', actual: idOrPrefix }, `an evidence id is 64 hex digits (or a unique prefix of at least 4), got "${idOrPrefix}"`)
    }
    if (prefix.length === 64) return prefix
    const res = await this.json<{ ids: string[] } | null>(`/v1/evidence?prefix=${prefix}&limit=10`, { nullOn404: true })
    const ids = res?.ids ?? []
    if (ids.length === 0) throw new NodeError({ code: 'EVIDENCE_NOT_FOUND', prefix }, `no evidence id starts with ${prefix} on ${this.url}`)
    if (ids.length > 1) {
      throw new NodeError({ code: 'AMBIGUOUS_ID', prefix, ids }, `evidence id prefix ${prefix} is ambiguous: ${ids.length >= 10 ? '10 or more' : ids.length} ids start with it (${ids.slice(0, 3).map((i) => i.slice(0, prefix.length + 4)).join(', ')}${ids.length > 3 ? ', …' : ''}); give more digits`)
    }
    return ids[0]!
  }

  /** The receipt as C2SP tlog-proof text (Accept: text/plain); null when unknown. */
  async receiptText(id: string): Promise<string | null> {
    const res = await this.request(`/v1/evidence/${hex32(id, 'id')}/receipt`, { accept: 'text/plain', nullOn404: true })
    return res === null ? null : res.text()
  }

  /** POST /v1/verify: the node's verification report (and, with `record`, its on-chain record). */
  verify(body: VerifyRequest): Promise<unknown> {
    return this.json('/v1/verify', { method: 'POST', body })
  }

  /** GET /v1/checkpoint: the head's signed checkpoint note (C2SP signed note text); null before block 1. */
  async checkpoint(): Promise<string | null> {
    const res = await this.request('/v1/checkpoint', { accept: 'text/plain', nullOn404: true })
    return res === null ? null : res.text()
  }

  /** GET /v1/proof/consistency: RFC 6962 consistency proof (base64 hashes) between two log sizes. */
  async consistencyProof(from: number, to: number): Promise<string[]> {
    for (const [k, v] of [['from', from], ['to', to]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new NodeError({ code: 'BAD_SIZE', field: k }, `"${k}" expected a whole number, got ${v}`)
    }
    return (await this.json<{ proof: string[] }>(`/v1/proof/consistency?from=${from}&to=${to}`)).proof
  }

  /** GET /v1/chains: the foreign chains registered on this chain, with their latest anchors. */
  async chains(): Promise<ForeignChainView[]> {
    return (await this.json<{ chains: ForeignChainView[] }>('/v1/chains')).chains
  }

  /** Hashes, batches, signs and submits evidence, then fetches every item's receipt (see deposit.ts). */
  deposit(input: DepositInput, opts: DepositOptions): Promise<DepositResult> {
    return deposit(this, input, opts)
  }

  private async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(path, { ...opts, accept: opts.accept ?? 'application/json' })
    if (res === null) return null as T
    const text = await res.text()
    try { return JSON.parse(text) as T } catch {
      throw new NodeError({ code: 'BAD_RESPONSE', url: this.url + path, status: res.status }, `${this.url}${path} answered ${res.status} with a body that is not JSON`)
    }
  }

  /** One HTTP exchange; non-2xx throws the node's {code, message}, network failures NODE_UNREACHABLE. */
  private async request(path: string, opts: RequestOptions): Promise<Response | null> {
    const method = opts.method ?? 'GET'
    const url = this.url + path
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' }
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await this.fetchFn(url, {
        method, headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.requestTimeoutMs),
      })
    } catch (e) {
      const err = e as Error
      if (err.name === 'TimeoutError') throw new NodeError({ code: 'TIMEOUT', url, method }, `${method} ${url} timed out`)
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw new NodeError({ code: 'NODE_UNREACHABLE', url, method, cause: cause?.code ?? err.message },
        `cannot reach the node at ${this.url}: ${cause?.message ?? err.message}`)
    }
    if (res.ok) return res
    const body = await res.text().catch(() => '')
    let code = `HTTP_${res.status}`
    let message = `${method} ${path} failed with HTTP ${res.status}`
    try {
      const parsed = JSON.parse(body) as { code?: unknown; message?: unknown }
      if (typeof parsed.code === 'string') code = parsed.code
      if (typeof parsed.message === 'string') message = parsed.message
    } catch { /* not a JSON error body: keep the HTTP status as the code */ }
    if (opts.nullOn404 && res.status === 404 && code === 'NOT_FOUND') return null
    throw new NodeError({ code, status: res.status, method, path }, message)
  }
}

/** True when `e` is the node refusing a tx it already has (committed or pending). */
export function isDuplicateTx(e: unknown): boolean {
  return isNodeError(e, 'DUPLICATE_TX')
}

function hex32(s: string, label: string): string {
  if (typeof s !== 'string' || !/^[0-9a-f]{64}$/.test(s)) {
    throw new NodeError({ code: 'BAD_HEX', field: label }, `"${label}" expected 64 lowercase hex characters`)
  }
  return s
}
