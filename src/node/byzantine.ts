// Fault injection for the chaos suite (scripts/chaos.ts), refused unless genesis.testChain:
//  - a Byzantine validator (`--byzantine <mode>`, or live from the control file): the replica
//    runs the honest PBFT state machine and this module bends what it sends, at the consensus
//    transport boundary (equivocating pre-prepares, conflicting votes, forged signatures,
//    mutated fields, huge views, replays, withholding, a pending tx's signature swapped);
//  - link faults from a control file the node polls (env COURTCHAIN_CHAOS_FILE, e.g.
//    <home>/chaos.json = {"dropTo": ["court-2"], "delayMs": 200, "jitterMs": 100, "loss": 0.1,
//    "byzantine": "equivocate"}), applied through p2p.setLinkFilter: partitions and delay/loss.
import { readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { parseTx, type Genesis, type PreparedTx } from '../chain/index.js'
import { encodeMessage, signMessage, type Commit, type ConsensusContext, type ConsensusMessage, type ConsensusTransport, type PrePrepare, type Prepare, type ViewChange } from '../consensus/index.js'
import type { LinkFilter } from '../p2p/index.js'
import { toHex } from '../util/index.js'
import { buildNodeBlock, encodeNodeBlock, type NodeBlock } from './consensus-app.js'
import type { Ledger } from './ledger.js'

export const BYZANTINE_MODES = ['equivocate', 'conflicting-votes', 'forge', 'mutate', 'huge-view', 'replay', 'withhold', 'withhold-some', 'swap-sig', 'mixed'] as const
export type ByzantineMode = (typeof BYZANTINE_MODES)[number]
/** Environment variable naming the control file the node polls. */
export const CHAOS_FILE_ENV = 'COURTCHAIN_CHAOS_FILE'
const POLL_MS = 200
const REPLAY_KEEP = 64

/** What the control file may hold; every field optional, a missing file means no faults. */
export interface ChaosControl {
  /** member ids whose links from this node drop every message (a partition, one direction) */
  dropTo?: string[]
  delayMs?: number
  jitterMs?: number
  /** probability in [0, 1) that a message is dropped */
  loss?: number
  /** a Byzantine mode switched on live (overrides the --byzantine flag while present) */
  byzantine?: string | null
}

export interface FaultDeps {
  genesis: Genesis
  log: { info(o: object, m: string): void; warn(o: object, m: string): void }
  /** defaults to process.env */
  env?: Record<string, string | undefined>
}

/** The parts faults act on, known once the node built them. */
export interface FaultTargets {
  ledger: Ledger
  p2p: { setLinkFilter(f: LinkFilter | null): void; send(to: string, name: string, bytes: Uint8Array): boolean }
  /** the p2p protocol name of consensus messages */
  protocol: string
}

export function parseByzantineMode(s: string): ByzantineMode {
  if (!(BYZANTINE_MODES as readonly string[]).includes(s)) throw new Error(`unknown --byzantine mode "${s}" (one of ${BYZANTINE_MODES.join(', ')})`)
  return s as ByzantineMode
}

interface Out { to: string; msg?: ConsensusMessage<NodeBlock>; bytes?: Uint8Array }

/** The installed faults of one node; a no-op unless a mode or a control file was given. */
export class Faults {
  /** the control file poller, for the node to clear on close */
  timer: ReturnType<typeof setInterval> | null = null
  private control: ChaosControl = {}
  private readonly sent: { to: string; bytes: Uint8Array }[] = []
  private lastHugeView = 0
  private hugeSeq = 0
  private targets: FaultTargets | null = null
  private file: string | null = null

  private constructor(private readonly deps: FaultDeps, private readonly fixed: ByzantineMode | null) {}

  /** Call before anything is opened: throws unless genesis.testChain when a mode or control file is asked for. */
  static install(mode: string | null, deps: FaultDeps): Faults {
    const file = (deps.env ?? process.env)[CHAOS_FILE_ENV] || null
    if ((mode || file) && !deps.genesis.testChain) throw new Error('fault injection is refused: genesis does not mark a test chain')
    const f = new Faults(deps, mode ? parseByzantineMode(mode) : null)
    f.file = file
    if (mode) deps.log.warn({ mode }, 'BYZANTINE mode on (test chain)')
    return f
  }

  /** Starts polling the control file and filtering links; a no-op without faults. */
  attach(t: FaultTargets): void {
    this.targets = t
    const file = this.file
    if (!file) return
    this.deps.log.warn({ file }, 'chaos control file polled (test chain)')
    let reading = false
    const poll = (): void => {
      if (reading) return
      reading = true
      readFile(file, 'utf8').then((text) => this.apply(JSON.parse(text) as ChaosControl), () => this.apply({})).finally(() => { reading = false })
    }
    poll()
    this.timer = setInterval(poll, POLL_MS)
    this.timer.unref()
    t.p2p.setLinkFilter((to) => this.verdict(to))
  }

  /** The consensus transport as this node's mode bends it. */
  wrap(ctx: ConsensusContext<NodeBlock>, inner: ConsensusTransport<NodeBlock>): ConsensusTransport<NodeBlock> {
    if (this.fixed === null && this.file === null) return inner
    return {
      broadcast: (msg) => {
        const mode = this.mode()
        if (mode === null) return inner.broadcast(msg)
        this.emit(mode, ctx, ctx.validators.filter((v) => v !== ctx.self), msg)
      },
      send: (to, msg) => {
        const mode = this.mode()
        if (mode === null) return inner.send(to, msg)
        this.emit(mode, ctx, [to], msg)
      },
    }
  }

  private mode(): ByzantineMode | null {
    const live = this.control.byzantine
    if (live && (BYZANTINE_MODES as readonly string[]).includes(live)) return live as ByzantineMode
    return this.fixed
  }

  private apply(c: ChaosControl): void {
    if (JSON.stringify(c) !== JSON.stringify(this.control)) this.deps.log.info({ control: c }, 'chaos control changed')
    this.control = c
  }

  private verdict(to: string): 'pass' | 'drop' | { delayMs: number } {
    const c = this.control
    if (c.dropTo?.includes(to)) return 'drop'
    if (c.loss && Math.random() < c.loss) return 'drop'
    const delay = (c.delayMs ?? 0) + (c.jitterMs ? Math.random() * c.jitterMs : 0)
    return delay > 0 ? { delayMs: delay } : 'pass'
  }

  private emit(mode: ByzantineMode, ctx: ConsensusContext<NodeBlock>, peers: string[], msg: ConsensusMessage<NodeBlock>): void {
    const m = mode === 'mixed' ? pick(BYZANTINE_MODES.filter((x) => x !== 'mixed' && x !== 'withhold')) : mode
    let outs: Out[]
    try { outs = this.bend(m, ctx, peers, msg) } catch (e) {
      this.deps.log.warn({ mode: m, err: (e as Error).message }, 'byzantine bend failed; sending honestly')
      outs = peers.map((to) => ({ to, msg }))
    }
    for (const o of outs) {
      const bytes = o.bytes ?? encodeMessage(o.msg!, encodeNodeBlock)
      this.targets!.p2p.send(o.to, this.targets!.protocol, bytes)
      if (this.sent.length >= REPLAY_KEEP) this.sent.shift()
      this.sent.push({ to: o.to, bytes })
    }
  }

  // What a replica in `mode` sends instead of `msg` to `peers`.
  private bend(mode: ByzantineMode, ctx: ConsensusContext<NodeBlock>, peers: string[], msg: ConsensusMessage<NodeBlock>): Out[] {
    const honest = peers.map((to) => ({ to, msg }))
    const half = (i: number): boolean => i % 2 === 1
    switch (mode) {
      case 'withhold': return []
      case 'withhold-some': {
        // Withholds from one peer (the last, so a fixed one): a censoring, not a silent replica.
        const victim = [...ctx.validators].filter((v) => v !== ctx.self).sort().at(-1)
        return honest.filter((o) => o.to !== victim)
      }
      case 'equivocate': {
        if (msg.type !== 'pre-prepare') return honest
        // Two different valid blocks for one (view, height), each to about half the peers.
        const alt = this.altBlock(msg.block)
        const altPP = signMessage(ctx, { ...msg, digest: alt.hash, block: alt } as PrePrepare<NodeBlock>)
        return shuffle(peers).map((to, i) => ({ to, msg: half(i) ? altPP : msg }))
      }
      case 'conflicting-votes': {
        if (msg.type !== 'prepare' && msg.type !== 'commit') return honest
        // Votes for another digest, validly signed, to about half the peers.
        const digest = toHex(randomBytes(32))
        const other = msg.type === 'prepare'
          ? signMessage(ctx, { ...msg, digest } as Prepare)
          : signMessage(ctx, { ...msg, digest, certSig: ctx.sign(randomBytes(64)) } as Commit)
        return shuffle(peers).map((to, i) => ({ to, msg: half(i) ? other : msg }))
      }
      case 'forge': {
        // Our message, plus a copy claiming another validator (our signature: invalid), plus a
        // copy with a corrupted signature.
        const victim = pick(ctx.validators.filter((v) => v !== ctx.self))
        const claimed = signMessage(ctx, { ...msg, from: victim } as ConsensusMessage<NodeBlock>)
        const sig = msg.sig.slice()
        sig[sig.length >> 1]! ^= 0x40
        const corrupted = { ...msg, sig } as ConsensusMessage<NodeBlock>
        return peers.flatMap((to) => [{ to, msg }, { to, msg: claimed }, { to, msg: corrupted }])
      }
      case 'mutate': {
        // Fields changed after signing, and raw byte flips of the encoded frame.
        const m = { ...msg } as Record<string, unknown>
        if ('digest' in m) m.digest = toHex(randomBytes(32))
        if ('view' in m) m.view = (m.view as number) + 1
        if ('height' in m) m.height = (m.height as number) + 1
        const bytes = encodeMessage(msg, encodeNodeBlock).slice()
        for (let k = 0; k < 3; k++) bytes[Math.floor(Math.random() * bytes.length)]! ^= 1 << Math.floor(Math.random() * 8)
        return peers.flatMap((to) => [{ to, msg }, { to, msg: m as unknown as ConsensusMessage<NodeBlock> }, { to, bytes }])
      }
      case 'huge-view': {
        const extra: Out[] = []
        const now = Date.now()
        if (now - this.lastHugeView >= 1000) {
          this.lastHugeView = now
          const k = ++this.hugeSeq
          const vc = signMessage(ctx, { type: 'view-change', view: 2 ** 40 + k, from: ctx.self, checkpoint: null, prepared: [], sig: new Uint8Array() } as ViewChange<NodeBlock>)
          const pr = signMessage(ctx, { type: 'prepare', view: Number.MAX_SAFE_INTEGER - k, height: 2 ** 50, digest: toHex(randomBytes(32)), from: ctx.self, sig: new Uint8Array() } as Prepare)
          for (const to of peers) extra.push({ to, msg: vc }, { to, msg: pr })
        }
        if (msg.type === 'prepare' || msg.type === 'commit') {
          const far = signMessage(ctx, { ...msg, view: msg.view + 2 ** 30 } as Prepare | Commit)
          for (const to of peers) extra.push({ to, msg: far })
        }
        return [...honest, ...extra]
      }
      case 'swap-sig': {
        if (msg.type !== 'pre-prepare') return honest
        // The same block with one pending tx's signature swapped for another that looks valid
        // (ours, over the tx's signing bytes): honest backups must refuse it.
        const swapped = this.swapSigBlock(ctx, msg.block)
        if (!swapped) return honest
        const pp = signMessage(ctx, { ...msg, digest: swapped.hash, block: swapped } as PrePrepare<NodeBlock>)
        return peers.map((to) => ({ to, msg: pp }))
      }
      case 'replay': {
        // Old frames again (ours, to anyone), then the real message.
        const old = this.sent.length ? Array.from({ length: 3 }, () => pick(this.sent).bytes) : []
        return [...peers.flatMap((to) => old.map((bytes) => ({ to, bytes }))), ...honest]
      }
      case 'mixed': return honest
    }
  }

  // A different valid block at the same height: one tx fewer when it has several, else a later time.
  private altBlock(b: NodeBlock): NodeBlock {
    const txs = b.pb.txs.length > 1 ? b.pb.txs.slice(0, -1) : b.pb.txs
    return this.rebuild(b, txs, b.time + (txs.length === b.pb.txs.length ? 1 : 0)) ?? b
  }

  // `b` with its first tx signed by us instead of its sender, framed as a block of its own (its
  // tx root over the txs it carries); null for an empty block.
  private swapSigBlock(ctx: ConsensusContext<NodeBlock>, b: NodeBlock): NodeBlock | null {
    const first = b.pb.txs[0]
    if (!first) return null
    const forged = parseTx({ ...first.tx, sig: toHex(ctx.sign(first.signingBytes)) }, this.targets!.ledger.limits)
    return this.rebuild(b, [forged, ...b.pb.txs.slice(1)], b.time)
  }

  // A block of `txs` at b's height on b's parent; null when that parent left the pipeline meanwhile.
  private rebuild(b: NodeBlock, txs: PreparedTx[], time: number): NodeBlock | null {
    const parent = { hash: b.parent, height: b.height - 1, time: 0 }
    const base = this.targets!.ledger.baseOf(b.parent)
    return base ? buildNodeBlock(this.targets!.ledger, base, txs, parent, time) : null
  }
}

function pick<T>(xs: readonly T[]): T { return xs[Math.floor(Math.random() * xs.length)]! }
function shuffle<T>(xs: readonly T[]): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!] }
  return a
}
