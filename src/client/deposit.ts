// deposit(): evidence items (or local files, hashed here) → a check that none is on chain already
// → signed txs of at most maxTxItems items → submitted with a few in flight, each awaited to
// commit → every item's evidence id and receipt, all of a tx in one request. Each receipt's leaf
// is checked to hash to its id and to record this tx, item and digest, so the client does not
// depend on recomputing the node's record layout.
import { genesisHash, parseEvidenceItem, signTx, type EvidenceItem, type EvidenceRecord, type Receipt, type Tx, type TrustRoot } from '../chain/index.js'
import { ed25519PublicKey, ed25519Sign, type HashAlg } from '../crypto/index.js'
import { hashLeaf } from '../merkle/index.js'
import { verifyReceipt } from '../verify/index.js'
import { NodeError, abytes, fromBase64, fromUtf8, isNodeError, toHex } from '../util/index.js'
import { hashFiles, mediaTypeOf, type DepositFile, type HashProgress } from './files.js'
import type { DigestMatch, SubmitOptions, SubmitResult, TxReceipts, TxView } from './types.js'

/** What deposit() asks of a node: the calls of CourtchainClient it makes. */
export interface DepositNode {
  trustRoot(): Promise<TrustRoot>
  lookupDigests(digests: string[]): Promise<DigestMatch[]>
  submitTx(tx: Tx, opts?: SubmitOptions): Promise<SubmitResult>
  getTx(hash: string): Promise<TxView | null>
  txReceipts(hash: string): Promise<TxReceipts | null>
}

export type DepositInput = EvidenceItem[] | Array<string | DepositFile>

export type DepositProgress =
  | ({ phase: 'hash' } & HashProgress)
  | { phase: 'commit'; txs: number; txsTotal: number; items: number; itemsTotal: number }
  | { phase: 'receipt'; receipts: number; total: number }

export interface DepositOptions {
  /** The depositing member's key: its member id and 32-byte Ed25519 seed. */
  key: { id: string; seed: Uint8Array }
  /** Defaults to the trust root's chain id; when given, must match it. */
  chainId?: string
  /** Case number put in every item's meta (unless an item has its own). */
  caseNo?: string
  /** Label for items without one; with files, prefixed to each file's own label. */
  label?: string
  /** Items per tx; at most the genesis maxTxItems (the default). */
  batchSize?: number
  /** Txs in flight at once. */
  concurrency?: number
  /** Digests computed for files; sha256 is always included. */
  algs?: HashAlg[]
  /** Overall bound on waiting for each tx to commit. */
  commitTimeoutMs?: number
  /**
   * Deposit items whose digest is on chain already. Without it, such a deposit is refused
   * (ALREADY_ON_CHAIN, listing each one's first deposit) before anything is signed.
   */
  again?: boolean
  /** Check every receipt against the trust root and the item's digest before returning it. */
  verifyReceipts?: boolean
  onProgress?: (p: DepositProgress) => void
}

export interface DepositedTx { hash: string; height: number; index: number; items: number }

export interface DepositedItem {
  /** Position in the input. */
  index: number
  item: EvidenceItem
  /** The file it was hashed from, when the input was files. */
  path?: string
  tx: string
  /** Index of the item within its tx. */
  itemIndex: number
  height: number
  time: number
  id: string
  leafIndex: number
  receipt: Receipt
}

export interface DepositResult {
  chainId: string
  items: DepositedItem[]
  txs: DepositedTx[]
  firstHeight: number
  lastHeight: number
  elapsedMs: number
}

const DEFAULT_CONCURRENCY = 4
const DEFAULT_COMMIT_TIMEOUT_MS = 60_000
/** Room left under maxTxBytes for the tx envelope and the encoding's overhead. */
const TX_ENVELOPE_BYTES = 1024

let lastNonce = 0
/** A unique, increasing nonce: microseconds since the epoch, bumped past the last one handed out. */
export function nextNonce(): number {
  lastNonce = Math.max(Date.now() * 1000, lastNonce + 1)
  return lastNonce
}

/** See the file comment; throws a NodeError naming the step (and tx) that failed. */
export async function deposit(client: DepositNode, input: DepositInput, opts: DepositOptions): Promise<DepositResult> {
  const started = Date.now()
  abytes(opts.key.seed, 'key.seed', 32)
  const trustRoot = await client.trustRoot()
  const chainId = checkKeyAndChain(trustRoot, opts)
  // Signatures are bound to the chain's genesis, recomputed here from the trust root's genesis.
  const genesis = genesisHash(trustRoot.genesis)
  const { maxTxItems, maxTxBytes } = trustRoot.genesis.consensus
  const batchSize = Math.min(opts.batchSize ?? maxTxItems, maxTxItems)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new NodeError({ code: 'BAD_BATCH_SIZE', batchSize }, `"batchSize" expected a positive whole number, got ${batchSize}`)

  const { items, paths } = await toItems(input, opts)
  if (items.length === 0) throw new NodeError({ code: 'NOTHING_TO_DEPOSIT' }, 'no evidence items to deposit')
  if (opts.again !== true) await refuseDeposited(client, items, paths)
  const batches = batch(items, batchSize, maxTxBytes - TX_ENVELOPE_BYTES)

  // A few txs in flight; each, once its block is final, fetches all its receipts in one answer
  // (while the others are still committing) and checks each is of this tx, item and digest.
  let committedTxs = 0
  let committedItems = 0
  let receipts = 0
  const progress = (): void => opts.onProgress?.({ phase: 'commit', txs: committedTxs, txsTotal: batches.length, items: committedItems, itemsTotal: items.length })
  progress()
  const sign = (msg: Uint8Array): Uint8Array => ed25519Sign(opts.key.seed, msg)
  const txs: DepositedTx[] = []
  const perTx = await mapPool(batches, opts.concurrency ?? DEFAULT_CONCURRENCY, async (b) => {
    const prepared = signTx({ v: 1, chain: chainId, type: 'deposit', from: opts.key.id, nonce: nextNonce(), items: b.map((i) => items[i]!) }, genesis, sign)
    const loc = await submitUntilCommitted(client, prepared.tx, prepared.hash, opts.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS)
    committedTxs++
    committedItems += b.length
    progress()
    txs.push({ hash: prepared.hash, height: loc.height, index: loc.index, items: b.length })
    const got = await txReceipts(client, prepared.hash, b.length)
    return b.map((inputIndex, itemIndex) => {
      const item = items[inputIndex]!
      const { id, receipt, record } = checkReceipt(got[itemIndex]!, prepared.hash, itemIndex, item)
      if (opts.verifyReceipts) {
        const report = verifyReceipt(receipt, trustRoot, { digest: { alg: 'sha256', hex: item.digests.sha256 } })
        if (!report.valid) {
          const failed = report.checks.find((c) => c.ok === false)
          throw new NodeError({ code: 'RECEIPT_INVALID', id, check: report.failed }, `receipt of evidence ${id} fails the ${report.failed} check: ${failed?.detail ?? ''}`)
        }
      }
      receipts++
      opts.onProgress?.({ phase: 'receipt', receipts, total: items.length })
      const d: DepositedItem = {
        index: inputIndex, item, tx: prepared.hash, itemIndex, height: record.height, time: record.time,
        id, leafIndex: receipt.leafIndex, receipt,
        ...(paths ? { path: paths[inputIndex]! } : {}),
      }
      return d
    })
  })
  const out = perTx.flat()
  out.sort((a, b) => a.index - b.index)
  const heights = txs.map((t) => t.height)
  txs.sort((a, b) => a.height - b.height || a.index - b.index)
  return {
    chainId, items: out,
    txs,
    firstHeight: Math.min(...heights), lastHeight: Math.max(...heights), elapsedMs: Date.now() - started,
  }
}

/** An input item whose digest is on chain already, with the first deposit of that digest. */
export interface AlreadyDeposited {
  index: number
  path?: string
  sha256: string
  /** Deposits of this digest on chain. */
  deposits: number
  id: string
  height: number
  time: number
  depositor: string
  label?: string
}

/** Throws ALREADY_ON_CHAIN (data: `items`, AlreadyDeposited[]) when any item's SHA-256 is on chain; one lookup request per 5,000 items. */
async function refuseDeposited(client: DepositNode, items: EvidenceItem[], paths: string[] | null): Promise<void> {
  const found = new Map((await client.lookupDigests([...new Set(items.map((it) => `sha256:${it.digests.sha256}`))])).map((m) => [m.digest, m]))
  if (found.size === 0) return
  const already: AlreadyDeposited[] = []
  items.forEach((it, index) => {
    const m = found.get(`sha256:${it.digests.sha256}`)
    if (!m) return
    const r = m.first.record
    already.push({
      index, ...(paths ? { path: paths[index]! } : {}), sha256: it.digests.sha256, deposits: m.count,
      id: m.first.id, height: r.height, time: r.time, depositor: r.depositor, ...(r.meta?.label !== undefined ? { label: r.meta.label } : {}),
    })
  })
  const first = already[0]!
  throw new NodeError({ code: 'ALREADY_ON_CHAIN', items: already },
    `${already.length} of ${items.length} item${items.length === 1 ? '' : 's'} ${already.length === 1 ? 'is' : 'are'} on chain already (${first.path ?? `item ${first.index}`}: evidence ${first.id}, block ${first.height}); deposit again only on purpose (again: true)`)
}

/** The chain id to sign for; refuses a key the trust root gives to another member. */
function checkKeyAndChain(trustRoot: TrustRoot, opts: DepositOptions): string {
  const g = trustRoot.genesis
  if (opts.chainId !== undefined && opts.chainId !== g.chainId) {
    throw new NodeError({ code: 'WRONG_CHAIN', expected: opts.chainId, actual: g.chainId }, `the node serves chain "${g.chainId}", not "${opts.chainId}"`)
  }
  const member = g.members.find((m) => m.id === opts.key.id)
  const pub = toHex(ed25519PublicKey(opts.key.seed))
  // A member added later by governance is not in genesis: then the node alone can judge the key.
  if (member && member.publicKey !== pub) {
    throw new NodeError({ code: 'KEY_MISMATCH', member: opts.key.id, expected: member.publicKey, actual: pub },
      `the key file's public key ${pub} is not the key of member "${opts.key.id}" (${member.publicKey})`)
  }
  return g.chainId
}

/** Input to checked items; files are hashed and described (size, media type, label). */
async function toItems(input: DepositInput, opts: DepositOptions): Promise<{ items: EvidenceItem[]; paths: string[] | null }> {
  const isFile = (x: unknown): x is string | DepositFile => typeof x === 'string' || (typeof x === 'object' && x !== null && 'path' in x)
  if (input.length > 0 && input.every(isFile)) {
    const files = (input as Array<string | DepositFile>).map((f) => (typeof f === 'string' ? { path: f } : f))
    const hashed = await hashFiles(files.map((f) => f.path), opts.algs ?? ['sha256'], (p) => opts.onProgress?.({ phase: 'hash', ...p }))
    const items = hashed.map((h, i) => {
      const own = files[i]!.label
      const label = opts.label !== undefined && own !== undefined ? `${opts.label}: ${own}` : opts.label ?? own
      const mediaType = mediaTypeOf(h.path)
      const meta = {
        size: h.size,
        ...(mediaType ? { mediaType } : {}),
        ...(label !== undefined ? { label: label.slice(0, 1024) } : {}),
        ...(opts.caseNo !== undefined ? { caseNo: opts.caseNo } : {}),
      }
      return checkItem({ digests: h.digests, meta }, i)
    })
    return { items, paths: hashed.map((h) => h.path) }
  }
  if (input.some(isFile)) throw new NodeError({ code: 'BAD_DEPOSIT_INPUT' }, 'deposit input mixes files and evidence items')
  const items = (input as EvidenceItem[]).map((it, i) => {
    const meta = { ...(opts.label !== undefined ? { label: opts.label } : {}), ...(opts.caseNo !== undefined ? { caseNo: opts.caseNo } : {}), ...it.meta }
    return checkItem({ digests: it.digests, ...(Object.keys(meta).length > 0 ? { meta } : {}) }, i)
  })
  return { items, paths: null }
}

/** The chain's own item check, run before signing, so a bad item fails here with its index. */
function checkItem(item: EvidenceItem, i: number): EvidenceItem {
  return parseEvidenceItem(item, `items[${i}]`)
}

/** Groups item indexes into txs of at most `size` items and about `maxBytes` of JSON. */
function batch(items: EvidenceItem[], size: number, maxBytes: number): number[][] {
  const out: number[][] = []
  let cur: number[] = []
  let bytes = 0
  items.forEach((it, i) => {
    const n = Buffer.byteLength(JSON.stringify(it)) + 1
    if (cur.length > 0 && (cur.length >= size || bytes + n > maxBytes)) { out.push(cur); cur = []; bytes = 0 }
    cur.push(i)
    bytes += n
  })
  if (cur.length > 0) out.push(cur)
  return out
}

/** Node answers worth retrying the same signed tx for: it is busy, not refusing it. */
const BUSY = ['MEMPOOL_FULL', 'MEMBER_QUOTA', 'RATE_LIMITED', 'NOT_READY', 'SHUTTING_DOWN', 'TIMEOUT']

/**
 * Submits until the tx is committed: a 'pending' answer or DUPLICATE_TX (an earlier attempt got
 * through) turns into polling GET /v1/txs/:hash; a busy node is retried with backoff.
 */
async function submitUntilCommitted(client: DepositNode, tx: Tx, hash: string, timeoutMs: number): Promise<{ height: number; index: number }> {
  const deadline = Date.now() + timeoutMs
  let backoff = 100
  let res: SubmitResult | null = null
  while (res === null) {
    try {
      res = await client.submitTx(tx, { wait: 'commit', timeoutMs: Math.max(1, Math.min(deadline - Date.now(), 30_000)) })
    } catch (e) {
      if (isNodeError(e, 'DUPLICATE_TX')) break
      if (!isNodeError(e, ...BUSY) || Date.now() + backoff > deadline) throw withTx(e, hash)
      await sleep(backoff)
      backoff = Math.min(backoff * 2, 2000)
    }
  }
  if (res?.status === 'committed' && res.height !== undefined && res.index !== undefined) return { height: res.height, index: res.index }
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const view = await client.getTx(hash)
    if (view?.status === 'committed' && view.location) return view.location
    if (Date.now() + wait > deadline) {
      throw new NodeError({ code: 'COMMIT_TIMEOUT', tx: hash, timeoutMs }, `tx ${hash} was not committed within ${timeoutMs} ms (status: ${view?.status ?? 'unknown'})`)
    }
    await sleep(wait)
  }
}

function withTx(e: unknown, hash: string): unknown {
  if (e instanceof NodeError) return new NodeError({ ...e.type, tx: hash }, `tx ${hash}: ${e.message}`)
  return e
}

/**
 * The receipts of a committed tx, retried briefly: the node answered the commit, but a member
 * node may serve reads a moment behind its commit.
 */
async function txReceipts(client: DepositNode, hash: string, count: number): Promise<Receipt[]> {
  for (let attempt = 0; ; attempt++) {
    const res = await client.txReceipts(hash)
    if (res && res.receipts.length === count) return res.receipts
    if (attempt >= 4) {
      throw new NodeError({ code: 'EVIDENCE_NOT_FOUND', tx: hash, expected: count, actual: res?.receipts.length ?? null },
        `the node has ${res ? res.receipts.length : 'no'} receipts for committed tx ${hash}, expected ${count}`)
    }
    await sleep(100 * 2 ** attempt)
  }
}

/** A node's receipt for item `item` of tx `tx`: its leaf must hash to its id and record that tx, item and digest. */
function checkReceipt(receipt: Receipt, tx: string, item: number, deposited: EvidenceItem): { id: string; receipt: Receipt; record: EvidenceRecord } {
  // The record is read from the leaf only after the leaf is shown to be the id's preimage.
  const leaf = fromBase64(receipt.leaf, 'receipt.leaf')
  const id = toHex(hashLeaf(leaf))
  if (receipt.id !== id) throw new NodeError({ code: 'RECEIPT_MISMATCH', id: receipt.id }, `the node's receipt for ${receipt.id} carries another leaf`)
  const record = JSON.parse(fromUtf8(leaf, 'receipt.leaf')) as EvidenceRecord
  if (record.tx !== tx || record.item !== item || record.digests?.sha256 !== deposited.digests.sha256) {
    throw new NodeError({ code: 'RECEIPT_MISMATCH', id, tx, item }, `the node's receipt ${id} is not of item ${item} of tx ${tx}`)
  }
  return { id, receipt, record }
}

/** Runs `fn` over `items` with at most `n` in flight; results in input order; the first failure rejects. */
export async function mapPool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++
      try { out[i] = await fn(items[i]!, i) } catch (e) { failed = true; throw e }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker))
  return out
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
