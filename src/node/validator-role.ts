// The node's consensus role across validator-set epochs. One ConsensusEngine runs one
// epoch: after the epoch's last block commits (by consensus or by block sync) the engine is
// stopped before it can act at the next height, and a new one is started for the new set if
// this node is in it. The WAL and the store's head make the restart safe: votes are keyed by
// (view, height) and the new engine starts from the committed head.
import { assembleCertificate, currentEpoch } from '../chain/index.js'
import { ConsensusEngine, type ConsensusContext, type ConsensusLogger, type ConsensusMessage, type ConsensusTransport, type ConsensusWal } from '../consensus/index.js'
import { buildNodeBlock, committedBlock, consensusContext, decodeNodeBlock, encodeNodeBlock, type NodeBlock } from './consensus-app.js'
import type { Ledger } from './ledger.js'
import type { NodeKey } from './options.js'
import type { PreparedTx } from '../chain/index.js'

export interface ValidatorRoleDeps {
  ledger: Ledger
  key: NodeKey
  mempool: { has(hash: string): boolean; verifiedWith(signedHash: string, publicKey: string): boolean; known(txBytes: Uint8Array): PreparedTx | undefined; take(limits: { maxTxs: number; maxBytes: number; maxItems?: number }, exclude?: (hash: string) => boolean): { p: PreparedTx; bytes: Uint8Array }[]; remove(hashes: Iterable<string>): void }
  wal: ConsensusWal
  transport: { broadcast(bytes: Uint8Array): void; send(to: string, bytes: Uint8Array): void }
  encodeMessage(msg: ConsensusMessage<NodeBlock>): Uint8Array
  /** Chaos hook: wraps the transport; identity unless fault injection is on. */
  wrap(ctx: ConsensusContext<NodeBlock>, t: ConsensusTransport<NodeBlock>): ConsensusTransport<NodeBlock>
  clock: { now(): number }
  log: ConsensusLogger & { child(b: object): ConsensusLogger }
  onSyncNeeded(): void
  /** False while a restored node must not vote (its vote fence, fence.ts); call reconcile() when it may. */
  mayVote?(): boolean
}

/**
 * Most evidence items a primary puts in one block, so agreeing on a block stays well inside the
 * view timer (a block of 2000 txs × 1000 items would not).
 */
export const MAX_BLOCK_ITEMS = 5_000

export class ValidatorRole {
  private current: ConsensusEngine<NodeBlock> | null = null
  private epoch = -1
  private switching: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly d: ValidatorRoleDeps) {
    // Runs inside ledger.commit, before consensus (or sync) continues: stopping here means the
    // outgoing engine never acts at a height of the next epoch.
    d.ledger.onCommit(() => {
      if (currentEpoch(d.ledger.state).epoch === this.epoch) return
      void this.current?.stop()
      void this.reconcile()
    })
  }

  get engine(): ConsensusEngine<NodeBlock> | null { return this.current }
  get isValidator(): boolean { return this.current !== null }
  get epochNumber(): number { return this.epoch }

  /** Starts, stops or replaces the engine to match the set in force after the committed head. */
  reconcile(): Promise<void> {
    this.switching = this.switching.then(() => this.switchNow()).catch((err: unknown) => this.d.log.warn({ err }, 'switching validator epoch failed'))
    return this.switching
  }

  async close(): Promise<void> {
    this.closed = true
    await this.switching
    await this.current?.stop()
    this.current = null
  }

  private async switchNow(): Promise<void> {
    const { ledger, key } = this.d
    const epoch = currentEpoch(ledger.state)
    if (this.closed || (epoch.epoch === this.epoch && this.current)) return
    if (this.current) { await this.current.stop(); this.current = null }
    const wasEpoch = this.epoch
    this.epoch = epoch.epoch
    if (!ledger.state.validators.includes(key.id) || this.d.mayVote?.() === false) {
      if (wasEpoch >= 0) this.d.log.info({ epoch: epoch.epoch, height: ledger.head.height }, 'not a validator in this epoch: following')
      return
    }
    const engine = await this.build()
    if (this.closed || currentEpoch(ledger.state).epoch !== epoch.epoch) { void this.reconcile(); return }
    this.current = engine
    await engine.start()
    this.d.log.info({ epoch: epoch.epoch, start: epoch.start, validators: ledger.state.validators, height: ledger.head.height }, 'consensus engine started for epoch')
  }

  private async build(): Promise<ConsensusEngine<NodeBlock>> {
    const { ledger, key, mempool, clock } = this.d
    const stored = ledger.head.height > 0 ? await ledger.block(ledger.head.height) : null
    const startHead = stored ? committedBlock(stored.pb, stored.certificate) : null
    const verifiedBefore = (signedHash: string, publicKey: string): boolean => mempool.verifiedWith(signedHash, publicKey)
    const ctx = consensusContext({ ledger, key, isPending: (h) => mempool.has(h), verifiedBefore })
    const genesis = ledger.genesis
    let engine: ConsensusEngine<NodeBlock> | null = null
    engine = new ConsensusEngine<NodeBlock>({
      ...genesis.consensus,
      ...ledger.state.params, // timings changed by governance (setParams) apply from the next engine
      encodeBlock: encodeNodeBlock,
      decodeBlock: (bytes: Uint8Array) => decodeNodeBlock(ledger, bytes, (tx) => mempool.known(tx)),
    }, {
      ctx,
      transport: this.d.wrap(ctx, {
        broadcast: (msg) => { this.d.transport.broadcast(this.d.encodeMessage(msg)) },
        send: (to, msg) => { this.d.transport.send(to, this.d.encodeMessage(msg)) },
      }),
      wal: this.d.wal,
      clock,
      app: {
        head: () => startHead,
        buildBlock: async (_height, _view, parent) => {
          const base = ledger.baseOf(parent.hash)
          if (!base) throw new Error(`cannot build on block ${parent.height}: neither the head nor a block in flight`)
          // txs already in the blocks in flight below are left for later
          const pending = mempool.take({ maxTxs: genesis.consensus.maxBlockTxs, maxBytes: genesis.consensus.maxBlockBytes - 64 * 1024, maxItems: MAX_BLOCK_ITEMS }, (h) => base.carried.has(h))
          const lookedUpAt = ledger.head.height
          const { valid, invalid } = await ledger.selectForBlock(pending.map((t) => t.p), base, verifiedBefore)
          if (invalid.length) mempool.remove(invalid)
          const bytesOf = new Map(pending.map((t) => [t.p.hash, t.bytes]))
          const b = buildNodeBlock(ledger, base, valid, parent, clock.now(), valid.map((t) => bytesOf.get(t.hash)!))
          ledger.noteBuilt(b.pb, lookedUpAt)
          return b
        },
        onCommit: async (b, certificate) => {
          await ledger.commit(b.pb, assembleCertificate(b.pb, certificate, ledger.state))
        },
        onSyncNeeded: () => { this.d.onSyncNeeded() },
      },
      log: this.d.log.child({ mod: 'pbft' }),
    })
    return engine
  }
}
