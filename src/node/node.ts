// The one place that wires a node (STYLE.md: Lodestar's node/nodejs.ts): init builds the parts
// in order, close tears them down in reverse. One root AbortController reaches every wait.
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { decodeCbor, encodeCbor } from '../codec/index.js'
import { blockEvidence, genesisHash, parseTx, signTx, type PreparedBlock, type PlacedEvidence } from '../chain/index.js'
import { decodeMessage, defaultConsensusOptions, defaultDecodeLimits, encodeMessage, primaryOf, type ConsensusEngine, type ConsensusMessage } from '../consensus/index.js'
import { ed25519Sign, ed25519Verify } from '../crypto/index.js'
import { Mempool } from '../mempool/index.js'
import { P2P, type PeerEntry } from '../p2p/index.js'
import { startRpc, type StatusView } from '../rpc/index.js'
import { Store } from '../store/index.js'
import { BlockSync, decodeHeadAnnouncement, encodeHead, HEAD_PROTOCOL, SYNC_PROTOCOL, syncDelayMs } from '../sync/index.js'
import { MetricsRegistry, isNodeError } from '../util/index.js'
import type { FastifyInstance } from 'fastify'
import { nodeApi } from './api.js'
import { Faults } from './byzantine.js' // the one chaos hook
import { committedBlock, decodeNodeBlock, encodeNodeBlock, type NodeBlock } from './consensus-app.js'
import { decodeTxBatch, TX_PROTOCOL, TxGossip } from './gossip.js'
import { Ledger } from './ledger.js'
import { NodeMetrics } from './metrics.js'
import type { NodeOptions } from './options.js'
import { Receipts } from './receipts.js'
import { CommitWaiters } from './waiters.js'
import { ValidatorRole } from './validator-role.js'
import { HandoverHistory } from './handovers.js'
import { EXIT_STORE_RECOVERED, NodeHealth, probeWrite, StoreWatch } from './health.js'
import { ClockWatch } from './clock.js'
import { VoteFence } from './fence.js'
import { startAdmin } from './admin.js'
import { defaultHealthOptions } from './options.js'

export const CONSENSUS_PROTOCOL = 'pbft'

export interface NodeDeps {
  log?: Logger
  clock?: { now(): number }
}

export class Node {
  private closing = false
  private readonly controller = new AbortController()
  private requestExit!: (code: number) => void
  /** Resolves with an exit code when the process must be restarted to recover (EXIT_STORE_RECOVERED). */
  readonly exitRequested = new Promise<number>((resolve) => { this.requestExit = resolve })

  private constructor(
    readonly opts: NodeOptions,
    readonly log: Logger,
    readonly store: Store,
    readonly ledger: Ledger,
    readonly mempool: Mempool,
    readonly p2p: P2P,
    readonly sync: BlockSync,
    /** The consensus engine of the current epoch, if this node is one of its validators. */
    readonly role: ValidatorRole,
    readonly rpc: { app: FastifyInstance; url: string },
    private readonly gossip: TxGossip,
    private readonly waiters: CommitWaiters,
    private readonly timers: ReturnType<typeof setInterval>[],
    readonly health: NodeHealth,
    private readonly admin: { close(): Promise<void> },
  ) {}

  get engine(): ConsensusEngine<NodeBlock> | null { return this.role.engine }
  get isValidator(): boolean { return this.role.isValidator }
  get url(): string { return this.rpc.url }

  static async init(opts: NodeOptions, deps: NodeDeps = {}): Promise<Node> {
    const { genesis, key } = opts
    const log = deps.log ?? pino({ level: 'info' })
    const clock = deps.clock ?? { now: () => Date.now() }
    if (opts.byzantine && !genesis.testChain) throw new Error('--byzantine is refused: genesis does not mark a test chain')
    const faults = Faults.install(opts.byzantine, { genesis, log: log.child({ mod: 'chaos' }) }) // chaos hook: throws unless testChain
    // A member admitted by governance is not in genesis: it starts as a follower and syncs.
    const inGenesis = genesis.members.some((m) => m.id === key.id)

    const store = await Store.open(join(opts.dataDir, 'chain'))
    const ledger = await Ledger.open(store, genesis)
    log.info({ chain: genesis.chainId, self: key.id, height: ledger.head.height, logSize: ledger.log.size }, 'store opened')
    if (!inGenesis && !ledger.state.members.has(key.id)) log.warn({ self: key.id }, 'key is not in genesis: following the chain until governance admits it')
    const validators = (): string[] => ledger.state.validators.filter((v) => v !== key.id)

    const mempool = new Mempool(opts.mempool, { state: () => ledger.state, isCommitted: (h) => ledger.isCommitted(h), now: clock.now, nextHeight: () => ledger.head.height + 1 })
    const waiters = new CommitWaiters()
    const metrics = new NodeMetrics(new MetricsRegistry())

    const p2p = await P2P.init({ seed: key.seed, listen: opts.listen, peers: peersOf(ledger, key.id), chainId: genesis.chainId, maxMessageBytes: genesis.consensus.maxBlockBytes * 2 + 1024 * 1024 }, { log: log.child({ mod: 'p2p' }) })
    faults.attach({ ledger, p2p, protocol: CONSENSUS_PROTOCOL }) // chaos hook
    const gossip = new TxGossip({ broadcastTo: (peers, name, bytes) => { for (const p of peers) p2p.send(p, name, bytes) }, targets: validators })
    const sync = new BlockSync(
      { ...ledger.limits, maxAnswerBytes: genesis.consensus.maxBlockBytes * 2 + 1024 * 1024, requestTimeoutMs: 10_000 },
      { transport: p2p, ledger, store, verify: ed25519Verify, log: log.child({ mod: 'sync' }), onRange: (pb, cert) => { if (!node?.closing) node?.engine?.notifySynced(committedBlock(pb, cert)) } },
    )

    let node: Node | null = null
    const fence = await VoteFence.open({
      store, self: key.id, depth: genesis.consensus.pipelineDepth ?? defaultConsensusOptions.pipelineDepth, log: log.child({ mod: 'fence' }),
      onLifted: () => { void role.reconcile() },
    }, ledger.head.height)
    const role = new ValidatorRole({
      ledger, key, mempool, clock,
      wal: { append: (r: Uint8Array) => store.walAppend(r), load: () => store.walLoad(), truncate: (below: number) => store.walTruncate(below) },
      transport: { broadcast: (bytes) => { p2p.broadcast(CONSENSUS_PROTOCOL, bytes) }, send: (to, bytes) => { p2p.send(to, CONSENSUS_PROTOCOL, bytes) } },
      encodeMessage: (msg) => encodeMessage(msg, encodeNodeBlock),
      wrap: (ctx, t) => faults.wrap(ctx, t), // chaos hook: a no-op unless --byzantine or a chaos control file
      log, onSyncNeeded: () => { void node?.catchUp() }, mayVote: () => !fence.holds,
    })
    const engine = (): ConsensusEngine<NodeBlock> | null => role.engine
    // A node that cannot write stops voting and syncing (each attempt would fail again) and
    // refuses txs; once the disk takes writes it exits for a clean restart (health.ts).
    const storeWatch = new StoreWatch({
      log: log.child({ mod: 'health' }), probeWrite: () => probeWrite(opts.dataDir),
      onFailure: () => { void role.close() },
      onWritable: () => node?.requestExit(EXIT_STORE_RECOVERED),
    })
    store.onWriteError((e) => storeWatch.failed(e))
    // Half the skew a block may have: two clocks off by that much in opposite directions still agree on a block.
    const maxClockOffsetMs = (): number => ledger.state.params.maxClockSkewMs / 2
    const clockWatch = new ClockWatch({ now: clock.now, validators: () => ledger.state.validators, self: key.id, maxOffsetMs: maxClockOffsetMs, log: log.child({ mod: 'clock' }) })
    const connectedPeers = (): Set<string> => new Set(p2p.peers().filter((p) => p.connected).map((p) => p.id))
    const health = new NodeHealth({
      self: key.id, height: () => ledger.head.height, peerHeads: () => sync.peerHeights, validators: () => ledger.state.validators,
      isValidator: () => role.isValidator, connected: connectedPeers, store: storeWatch, dataDir: opts.dataDir,
      clock: { offsetMs: () => clockWatch.offsetMs(), maxOffsetMs: maxClockOffsetMs },
      maxBlocksBehind: (opts.health ?? defaultHealthOptions).maxBlocksBehind,
    })
    metrics.watchHealth()
    metrics.watchInFlight(() => engine()?.status.inFlight ?? 0)

    const receipts = new Receipts(ledger)
    const handovers = await HandoverHistory.load(ledger)
    const status = (): StatusView => {
      const peers = p2p.peers()
      const online = connectedPeers()
      online.add(key.id)
      const view = engine()?.view ?? 0
      return {
        chainId: genesis.chainId, genesisHash: ledger.limits.genesisHash, self: key.id, role: role.isValidator ? 'validator' : 'member',
        height: ledger.head.height, headHash: ledger.head.hash, headTime: ledger.head.time,
        view, primary: ledger.state.validators.length ? primaryOf(ledger.state.validators, view) : null,
        validators: ledger.state.validators.map((id) => ({ id, online: online.has(id) })),
        peers, logSize: ledger.log.size, mempool: mempool.size, syncing: sync.syncing,
      }
    }
    const admit = async (p: ReturnType<typeof parseTx>, bytes: Uint8Array): Promise<void> => {
      storeWatch.assertWritable()
      await mempool.add(p, bytes)
      metrics.admitted(p.hash)
      gossip.push(bytes)
      engine()?.notifyRequest(p.hash)
    }
    const canRecord = (): boolean => ledger.state.members.get(key.id)?.role === 'court'
    let recordNonce = Date.now() * 1000
    const api = nodeApi({
      ledger, mempool, receipts, waiters, admit, status, health: () => health.view(), metrics: () => metrics.render(status(), health.figures()), history: () => handovers.list(),
      log: log.child({ mod: 'rpc' }), webRoot: opts.webRoot, self: key.id,
      ...(canRecord() ? {
        recordVerification: async (items: unknown[]) => {
          const signed = signTx({ v: 1, chain: genesis.chainId, type: 'verify', from: key.id, nonce: recordNonce++, items: items as never }, ledger.limits.genesisHash, (m) => ed25519Sign(key.seed, m))
          // Our own tx passes the same strict parser as anyone's, so peers cannot refuse it later.
          const p = parseTx(signed.tx, ledger.limits)
          await admit(p, encodeCbor(p.tx))
          const loc = await waiters.wait(p.hash, 30_000)
          if (!loc) return null
          const b = await ledger.block(loc.height)
          // Evidence ids do not depend on leaf numbering, so numbering from 0 is fine here.
          const placed = blockEvidence(b!.pb, 0).filter((e) => e.record.tx === p.hash)
          return { hash: p.hash, evidenceIds: placed.map((e) => e.id) }
        },
      } : {}),
    })
    const rpc = await startRpc(opts.rpc, api)

    // Our head and our clock, which peers compare theirs with (clock.ts).
    const headNow = (): Uint8Array => encodeHead({ height: ledger.head.height, hash: ledger.head.hash, time: clock.now() })
    // Committed blocks: wake waiters, drop from mempool, announce the head, count; a member
    // registry changed by governance updates the network allowlist without a restart.
    let members = ledger.state.members
    ledger.onCommit((pb: PreparedBlock, placed: PlacedEvidence[]) => {
      if (ledger.state.members !== members) {
        members = ledger.state.members
        p2p.setPeers(peersOf(ledger, key.id))
      }
      mempool.removeCommitted(pb.txs.map((t) => t.hash))
      pb.txs.forEach((t, index) => waiters.committed(t.hash, { height: pb.block.header.height, index, blockHash: pb.hash }))
      metrics.committed(pb, placed)
      p2p.broadcast(HEAD_PROTOCOL, headNow())
      fence.committed(pb.block.header.height)
    })

    const timers: ReturnType<typeof setInterval>[] = []
    if (faults.timer) timers.push(faults.timer) // chaos hook
    const admin = await startAdmin(opts.dataDir, {
      backup: (out) => store.backup(out, { chainId: genesis.chainId, genesisHash: genesisHash(genesis), node: key.id }),
    }, log.child({ mod: 'admin' }))
    node = new Node(opts, log, store, ledger, mempool, p2p, sync, role, rpc, gossip, waiters, timers, health, admin)
    const self = node
    metrics.watchProcess(self.controller.signal)

    // Wire protocols.
    const maxFrame = genesis.consensus.maxBlockBytes * 2 + 1024 * 1024
    await p2p.handle(TX_PROTOCOL, async (from, frame) => {
      if (storeWatch.error !== null) return // it could never commit them; their sender forwards them to the validators too
      // Admitted concurrently: each add waits on a thread-pool verify and a store lookup, and
      // one at a time those round trips, not the work, bounded how fast forwarded txs got in.
      await Promise.all(decodeTxBatch(frame, maxFrame).map(async (bytes) => {
        try {
          const p = parseTx(decodeCbor(bytes, { maxBytes: genesis.consensus.maxTxBytes }), ledger.limits)
          await mempool.add(p, bytes)
          metrics.admitted(p.hash)
          engine()?.notifyRequest(p.hash)
        } catch (e) {
          if (!isNodeError(e, 'DUPLICATE_TX')) log.debug({ from, err: (e as Error).message }, 'forwarded tx refused')
        }
      }))
    })
    await p2p.handleRequest(SYNC_PROTOCOL, (from, bytes) => sync.serve(from, bytes))
    await p2p.handle(HEAD_PROTOCOL, (from, bytes) => {
      const h = decodeHeadAnnouncement(bytes)
      if (h.time !== undefined) clockWatch.reading(from, h.time)
      sync.notePeerHead(from, h.height)
      fence.heard(sync.peerHeights, ledger.state.validators)
      const delay = syncDelayMs(role.isValidator, ledger.head.height, h.height)
      if (delay === 0) void self.catchUp()
      else if (delay !== null) setTimeout(() => { if (h.height > ledger.head.height) void self.catchUp() }, delay).unref()
    })
    // A peer that (re)connects learns our head at once, not at the next periodic announcement:
    // a restarted or wiped node starts syncing as soon as it is connected.
    p2p.onPeer((e) => { if (e.connected) p2p.send(e.id, HEAD_PROTOCOL, headNow()) })
    // Registered on every node: a member may become a validator at an epoch boundary.
    await p2p.handle(CONSENSUS_PROTOCOL, async (from, bytes) => {
      const e = engine()
      if (!e) return
      // a checkpoint message may carry the previous epoch's certificate: allow the larger set
      const maxSigners = Math.max(...ledger.state.epochs.slice(-2).map((ep) => ep.validators.length))
      const msg = decodeMessage<NodeBlock>(bytes, { ...defaultDecodeLimits, maxBytes: maxFrame, maxSigners }, (b) => decodeNodeBlock(ledger, b, (tx) => mempool.known(tx)))
      for (const b of blocksIn(msg)) await ledger.precheck(b.pb)
      e.receive(from, msg)
    })
    await role.reconcile()
    // Re-announce the head now and then, so a peer that missed a block learns it is behind.
    timers.push(setInterval(() => p2p.broadcast(HEAD_PROTOCOL, headNow()), 1000))
    log.info({ rpc: rpc.url, p2p: p2p.addrs(), role: role.isValidator ? 'validator' : 'member' }, 'node started')
    return self
  }

  /** Fetches certified blocks from peers until level with the best known head (consensus hears of each range). */
  async catchUp(): Promise<void> {
    if (this.closing || this.health.storeFailed) return
    const peers = this.p2p.peers().filter((p) => p.connected).map((p) => p.id)
    await this.sync.catchUp(peers)
  }

  /** Graceful shutdown in reverse order of init. */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    this.controller.abort()
    for (const t of this.timers) clearInterval(t)
    this.health.close()
    this.waiters.closeAll()
    await this.admin.close()
    await this.rpc.app.close()
    await this.role.close()
    this.gossip.close()
    await this.p2p.close()
    await this.store.close()
    this.log.info('node stopped')
  }
}

/** Blocks carried inside a consensus message, which need their async precheck first. */
function blocksIn(msg: ConsensusMessage<NodeBlock>): NodeBlock[] {
  switch (msg.type) {
    case 'pre-prepare': return [msg.block]
    case 'new-view': return [...msg.prePrepares.map((p) => p.block), ...msg.viewChanges.flatMap((v) => v.prepared.map((p) => p.prePrepare.block))]
    case 'view-change': return msg.prepared.map((p) => p.prePrepare.block)
    case 'checkpoint': return [msg.block]
    default: return []
  }
}

/** The p2p allowlist from the member registry: every member with a node; validators are dialled. */
function peersOf(ledger: Ledger, self: string): PeerEntry[] {
  return [...ledger.state.members.values()]
    .filter((m) => m.id !== self && m.peerId && m.active)
    .map((m) => ({ id: m.id, peerId: m.peerId!, addrs: m.addrs ?? [], dial: m.validator }))
}
