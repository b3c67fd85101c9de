// An in-memory node behind the real RPC (src/rpc buildRpc) for client and command tests: txs are
// parsed and checked by the chain's rules, blocks are made with makeBlock, evidence records with
// blockEvidence, certificates are real signed notes by 3 of 4 validators, receipts are built by
// the node's assembleReceipt. Only consensus is missing: every batch commits at once.
import type { FastifyInstance } from 'fastify'
import {
  assembleCertificate, assembleReceipt, blockCheckpointBody, blockEvidence, recordJson, checkTxSender, genesisHash, initialState, makeBlock, parseTx,
  DEFAULT_CONSENSUS, TRUST_ROOT_FORMAT,
  type ChainState, type Genesis, type PlacedEvidence, type PreparedBlock, type PreparedTx, type Receipt, type TrustRoot,
} from '../../src/chain/index.js'
import { formatTlogProof } from '../../src/checkpoint/index.js'
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from '../../src/crypto/index.js'
import { inclusionProof, rootFromLeafHashes } from '../../src/merkle/index.js'
import { startRpc, type RpcDeps, type TxLocation } from '../../src/rpc/index.js'
import { NodeError, toHex, utf8 } from '../../src/util/index.js'

export const CHAIN_ID = 'testnet'
export const seedOf = (name: string): Uint8Array => sha256(utf8(`courtchain test key ${name}`))
export const VALIDATORS = ['court-1', 'court-2', 'court-3', 'court-4']
export const UNIT = 'notary-1'

/** A genesis of 4 court validators and one notary unit; `maxTxItems` small so deposits span txs. */
export function testGenesis(maxTxItems = 4): Genesis {
  return {
    v: 1, chainId: CHAIN_ID, time: 1764201600000, testChain: true,
    members: [
      ...VALIDATORS.map((id, i) => ({
        id, role: 'court' as const, publicKey: toHex(ed25519PublicKey(seedOf(id))), validator: true,
        peerId: `12D3KooWTestPeer${i + 1}`, addrs: [`/ip4/127.0.0.1/tcp/${26601 + i}`],
      })),
      { id: UNIT, role: 'unit' as const, publicKey: toHex(ed25519PublicKey(seedOf(UNIT))) },
    ],
    consensus: { ...DEFAULT_CONSENSUS, maxTxItems },
  }
}

interface Committed { pb: PreparedBlock; certificate: string }

export interface FakeNodeOptions {
  maxTxItems?: number
  /** Delay between a tx's admission and the block that commits it. */
  commitDelayMs?: number
  /** Caps the node's wait=commit hold, so the client sees 'pending' and has to poll. */
  waitCapMs?: number
}

export class FakeNode {
  readonly genesis: Genesis
  readonly state: ChainState
  url = ''
  submitted = 0
  /** GET /v1/txs/:hash/receipts answered. */
  receiptBatches = 0
  private app: FastifyInstance | null = null
  private readonly blocks: Committed[] = []
  private readonly leafHashes: Uint8Array[] = []
  private readonly evidence = new Map<string, PlacedEvidence & { blockHash: string }>()
  private readonly byDigest = new Map<string, string[]>()
  private readonly txs = new Map<string, { p: PreparedTx; location?: TxLocation }>()
  private pending: PreparedTx[] = []
  private flushTimer: NodeJS.Timeout | null = null
  private readonly waiters = new Map<string, ((loc: TxLocation) => void)[]>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(readonly opts: FakeNodeOptions = {}) {
    this.genesis = testGenesis(opts.maxTxItems)
    this.state = initialState(this.genesis)
  }

  async start(): Promise<this> {
    const { app, url } = await startRpc({ host: '127.0.0.1', port: 0, bodyLimit: 2 * 1024 * 1024, rateLimitPerSecond: 0 }, this.deps())
    this.app = app
    this.url = url
    return this
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    for (const t of this.timers) clearTimeout(t)
    await this.app?.close()
  }

  trustRoot(): TrustRoot {
    return { format: TRUST_ROOT_FORMAT, genesis: this.genesis, genesisHash: genesisHash(this.genesis), history: [] }
  }

  get height(): number { return this.blocks.length }

  /** Commits everything pending as one block, certified by court-1, court-3 and court-4 (court-2 is "down"). */
  private commitPending(): void {
    this.flushTimer = null
    const txs = this.pending
    this.pending = []
    if (txs.length === 0) return
    const height = this.blocks.length + 1
    const prev = this.blocks[height - 2]
    const parent = prev ? prev.pb.hash : genesisHash(this.genesis)
    const time = Math.max(Date.now(), (prev?.pb.block.header.time ?? 0) + 1)
    // Records depend on the block's height, time and txs, not on the log root it ends with.
    const draft = makeBlock({ chain: CHAIN_ID, height, time, parent, logSize: 0, logRoot: '00'.repeat(32) }, txs)
    const placed = blockEvidence(draft, this.leafHashes.length)
    this.leafHashes.push(...placed.map((e) => e.leafHash))
    const pb = makeBlock({ chain: CHAIN_ID, height, time, parent, logSize: this.leafHashes.length, logRoot: toHex(rootFromLeafHashes(this.leafHashes)) }, txs)
    const body = utf8(blockCheckpointBody(pb))
    const votes = ['court-1', 'court-3', 'court-4'].map((signer) => ({ signer, sig: ed25519Sign(seedOf(signer), body) }))
    this.blocks.push({ pb, certificate: assembleCertificate(pb, votes, this.state) })
    for (const e of placed) {
      this.evidence.set(e.id, { ...e, blockHash: pb.hash })
      for (const [alg, hex] of Object.entries(e.record.digests)) {
        const k = `${alg}:${hex}`
        this.byDigest.set(k, [...(this.byDigest.get(k) ?? []), e.id])
      }
    }
    txs.forEach((p, index) => {
      const location = { height, index, blockHash: pb.hash }
      this.txs.get(p.hash)!.location = location
      for (const w of this.waiters.get(p.hash) ?? []) w(location)
      this.waiters.delete(p.hash)
    })
  }

  private receipt(id: string): Receipt | null {
    const ev = this.evidence.get(id)
    if (!ev) return null
    const { pb, certificate } = this.blocks[ev.record.height - 1]!
    const inclusion = inclusionProof(ev.leafIndex, this.leafHashes.slice(0, pb.block.header.logSize))
    return assembleReceipt({ ...ev, leafBytes: utf8(recordJson(ev.record)), pb, certificate }, inclusion, { publicKey: this.state.members.get(ev.record.depositor)!.publicKey, genesisHash: genesisHash(this.genesis) })
  }

  private deps(): RpcDeps {
    const notReady = (what: string) => async (): Promise<never> => { throw new NodeError({ code: 'NOT_READY' }, `${what} is not available on this test node`) }
    return {
      log: { info() {}, warn() {}, error() {} },
      status: () => ({
        chainId: CHAIN_ID, genesisHash: genesisHash(this.genesis), self: 'court-1', role: 'validator', height: this.height,
        headHash: this.blocks.at(-1)?.pb.hash ?? genesisHash(this.genesis), headTime: this.blocks.at(-1)?.pb.block.header.time ?? this.genesis.time,
        view: 0, primary: 'court-1',
        validators: VALIDATORS.map((id) => ({ id, online: id !== 'court-2' })),
        peers: VALIDATORS.slice(1).map((id) => ({ id, connected: id !== 'court-2' })),
        logSize: this.leafHashes.length, mempool: this.pending.length, syncing: false,
      }),
      submitTx: async (body) => {
        const p = parseTx(body, { chainId: CHAIN_ID, genesisHash: genesisHash(this.genesis), maxTxItems: this.genesis.consensus.maxTxItems })
        checkTxSender(p, this.state, ed25519Verify)
        if (this.txs.has(p.hash)) throw new NodeError({ code: 'DUPLICATE_TX', tx: p.hash }, `tx ${p.hash} is already known`)
        this.txs.set(p.hash, { p })
        this.pending.push(p)
        this.submitted++
        this.flushTimer ??= setTimeout(() => this.commitPending(), this.opts.commitDelayMs ?? 5)
        return { hash: p.hash }
      },
      waitForCommit: (hash, timeoutMs) => {
        const loc = this.txs.get(hash)?.location
        if (loc) return Promise.resolve(loc)
        return new Promise((resolve) => {
          const t = setTimeout(() => { this.timers.delete(t); resolve(null) }, Math.min(timeoutMs, this.opts.waitCapMs ?? timeoutMs))
          this.timers.add(t)
          this.waiters.set(hash, [...(this.waiters.get(hash) ?? []), (l) => { clearTimeout(t); this.timers.delete(t); resolve(l) }])
        })
      },
      getTx: async (hash) => {
        const t = this.txs.get(hash)
        if (!t) return null
        return { hash, status: t.location ? 'committed' : 'pending', ...(t.location ? { location: t.location } : {}), tx: t.p.tx }
      },
      getBlock: async (height) => {
        const b = this.blocks[height - 1]
        return b ? { height, hash: b.pb.hash, block: b.pb.block, certificate: b.certificate } : null
      },
      getEvidence: async (id) => {
        const e = this.evidence.get(id)
        return e ? { id, leafIndex: e.leafIndex, record: e.record, block: { height: e.record.height, hash: e.blockHash }, tx: e.record.tx } : null
      },
      findEvidence: async (alg, hex, limit) => (this.byDigest.get(`${alg}:${hex}`) ?? []).slice(0, limit),
      receipt: async (id) => this.receipt(id),
      txReceipts: async (hash) => {
        const location = this.txs.get(hash)?.location
        if (!location) return null
        this.receiptBatches++
        const ids = [...this.evidence.values()].filter((e) => e.record.tx === hash).sort((a, b) => a.record.item - b.record.item).map((e) => e.id)
        return { ...location, receipts: ids.map((id) => this.receipt(id)!) }
      },
      evidenceIdsWithPrefix: async (prefix, limit) => [...this.evidence.keys()].filter((id) => id.startsWith(prefix)).slice(0, limit),
      receiptText: async (id) => {
        const r = this.receipt(id)
        if (!r) return null
        const ev = this.evidence.get(id)!
        return formatTlogProof({ index: r.leafIndex, extra: utf8(recordJson(ev.record)), proof: inclusionProof(ev.leafIndex, this.leafHashes.slice(0, r.treeSize)), checkpointNote: r.checkpoint })
      },
      checkpoint: async () => this.blocks.at(-1)?.certificate ?? null,
      consistencyProof: notReady('consistency proof'),
      trustRoot: () => this.trustRoot(),
      verify: notReady('verification'),
      chains: notReady('chains'),
      caseView: notReady('cases'),
      stats: notReady('stats'),
      metrics: () => '',
      webRoot: null,
    }
  }
}
