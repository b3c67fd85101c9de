// One simulated run: n replicas stepping the pure state machine over a seeded, lossy network
// with a virtual clock, crashes and restarts from the WAL, and Byzantine replicas. Safety and
// liveness are checked as the run goes and at its end.
import { messageStoreSize, restore } from '../../src/consensus/index.js'
import { walRecordFor, walRetained, type WalEntry } from '../../src/consensus/index.js'
import { quorumSize, faultsTolerated, signMessage, verifyCertificate } from '../../src/consensus/index.js'
import { step } from '../../src/consensus/index.js'
import type { CertSig, CommittedBlock, ConsensusContext, ConsensusInput, ConsensusMessage, ConsensusOptions, ConsensusRecord, ConsensusState } from '../../src/consensus/index.js'
import { makeSimBlock, MAX_BLOCK_REQUESTS, SIM_GENESIS, simContext, type SimBlock } from './app.js'
import { BlockTimeCheck } from './block-times.js'
import { blockTimeIn, byzantineOutgoing, viewFlood, type Behaviour, type Outgoing } from './byzantine.js'
import { certifiersAt, epochAfter, epochContext, planEpochs, type ReconfigSpec } from './epochs.js'
import { Prng } from './prng.js'
import { EventQueue } from './queue.js'

export interface ScenarioSpec {
  name: string
  byzantine?: Behaviour
  drop: number
  dup: number
  maxDelay: number
  partitions?: boolean
  crashes?: boolean
  /**
   * chance that an honest replica crashes right after a commit's WAL compaction while it has
   * votes out above the new head (pipelining), restarting from its WAL shortly after
   */
  crashAfterCommit?: number
  /** change the validator set once, at a boundary height */
  reconfig?: ReconfigSpec
}

export interface RunOptions {
  seed: number
  nodes: number
  scenario: ScenarioSpec
  chaosMs?: number
  livenessBoundMs?: number
  /**
   * TEST ONLY: break the quorum rule from outside the replicas: a replica that sends a prepare or
   * commit also receives a copy as if signed by another replica, as a rule counting 2f votes as
   * 2f+1 would.
   * The checker must then find conflicting commits.
   */
  brokenQuorum?: boolean
  /** TEST ONLY: replicas ignore the reconfiguration (keep their old machine), to check that the checker catches it */
  unsafeNoSwitch?: boolean
  /** heights in flight (default: 1 to 4, drawn per run) */
  pipelineDepth?: number
  /** long-run mode: no faults, run until every replica committed this many heights */
  heights?: number
}

export interface RunResult {
  safety: string[]; liveness: string[]; maxHeight: number; maxStoreSize: number; maxWal: number
  /** most heights an honest primary had in flight (its pre-prepare's height above its committed head) */
  maxInFlight: number
  /** reconfiguration: the boundary height H and how many live honest replicas ran past it in the new epoch */
  boundary?: number; switched?: number; live?: number
  /** replicas that switched while a view change was under way (some validator in one, or block H needed one) */
  switchesInViewChange?: number
}

interface Replica {
  id: string
  name: string
  byz: Behaviour | null
  ctx: ConsensusContext<SimBlock>
  /** the validator-set epoch its state machine (if any) runs in */
  epoch: 0 | 1
  /** in the set of its epoch: runs a state machine; otherwise it only follows by block sync */
  member: boolean
  /** crashed for good (the reconfiguration scenario whose new validator dies) */
  dead: boolean
  state: ConsensusState<SimBlock>
  /** what its WAL holds: written and compacted by the engine's own rule (wal.ts) */
  wal: WalEntry<ConsensusRecord<SimBlock>>[]
  walSeq: number
  up: boolean
  incarnation: number
  mempool: Set<string>
  committedReq: Set<string>
  chain: CommittedBlock<SimBlock>[]
  /** twins: the replicas this instance talks to */
  group: Set<string> | null
}

const CENSORED = 'r-censored'

/** Runs one (seed, scenario) and returns the violations found. */
export function runScenario(o: RunOptions): RunResult {
  const rng = new Prng(o.seed * 7919 + hashName(o.scenario.name))
  const q = new EventQueue()
  const sc = o.scenario
  const plan = planEpochs(sc.reconfig, o.nodes, rng)
  // every replica id; with a reconfiguration some of them are members of one set only
  const validators = plan.all
  const n = validators.length, f = faultsTolerated(n)
  const chaosMs = o.heights ? 0 : o.chaosMs ?? 2000
  const bound = o.livenessBoundMs ?? 40_000
  // pipelining: 1 to 4 heights in flight, per run; PBTS bounds at the simulator's scale (its messages take 1 to 30 ms)
  const opts: Partial<ConsensusOptions> = { viewTimeoutMs: 300, requestTimeoutMs: 1500, blockIntervalMs: 10, checkpointInterval: 16,
    watermarkWindow: 32, maxBackoffExponent: 4, pipelineDepth: o.pipelineDepth ?? rng.int(1, 4),
    maxClockSkewMs: 50, messageDelayMs: 150 }
  const safety: string[] = [], liveness: string[] = []
  // the checker verifies each certificate against the set in force at its height (2f+1 of that set)
  const checkCtxs = plan.sets.map((set) => simContext(set, 'checker'))
  const firstCommit = new Map<number, string>()
  const blockTimes = new BlockTimeCheck(opts.maxClockSkewMs!, opts.messageDelayMs!)
  let maxStoreSize = 0, maxWal = 0, maxInFlight = 0
  let chaos = chaosMs > 0

  // Byzantine replicas: f of them, v0 (the first primary) among them half the time
  const byzIds = new Set<string>()
  if (sc.byzantine) {
    const pool = rng.shuffle([...validators])
    if (rng.chance(0.5)) byzIds.add('v0')
    for (const id of pool) if (byzIds.size < f) byzIds.add(id)
  }
  const replicas: Replica[] = []
  const mk = (id: string, name: string, group: Set<string> | null): Replica => ({
    id, name, byz: byzIds.has(id) ? sc.byzantine! : null, ctx: epochContext(plan, 0, id), epoch: 0, member: plan.sets[0].includes(id),
    dead: false, state: restore(SIM_GENESIS, [], opts), wal: [], walSeq: 0, up: id !== plan.added, incarnation: 0, mempool: new Set(), committedReq: new Set(), chain: [], group,
  })
  for (const id of validators) {
    if (byzIds.has(id) && sc.byzantine === 'twins') {
      const others = rng.shuffle(validators.filter((v) => v !== id))
      const half = Math.ceil(others.length / 2)
      replicas.push(mk(id, id, new Set(others.slice(0, half))), mk(id, `${id}'`, new Set(others.slice(half))))
    } else replicas.push(mk(id, id, null))
  }
  const honest = replicas.filter((r) => r.byz === null)
  // reconfig-during-view-change: the height whose primary crashes while proposing it (H or H+1)
  const crashPrimaryAt = sc.reconfig?.crash === 'primary' ? plan.boundary + rng.int(0, 1) : -1
  let primaryCrashed = false
  let switchesInViewChange = 0
  const viewBeforeBoundary = new Map<string, number>()
  const instancesOf = (id: string): Replica[] => replicas.filter((r) => r.id === id)

  // partitions during chaos: intervals splitting the validators in two
  const partitions: { from: number; to: number; side: Set<string> }[] = []
  if (sc.partitions) for (let t = rng.int(100, 500); t < chaosMs; t += rng.int(400, 900)) {
    const side = new Set(rng.shuffle([...validators]).slice(0, rng.int(1, n - 1)))
    partitions.push({ from: t, to: t + rng.int(200, 700), side })
  }
  const cut = (a: string, b: string): boolean => chaos && partitions.some((p) => q.now >= p.from && q.now < p.to && p.side.has(a) !== p.side.has(b))

  function input(r: Replica, inp: ConsensusInput<SimBlock>): void {
    if (!r.up || !r.member) return
    const res = step(r.state, inp, r.ctx)
    r.state = res.state
    const inc = r.incarnation
    for (const a of res.actions) {
      // like the node's engine, a machine stopped mid-step (its epoch ended at a commit) acts no further
      if (r.incarnation !== inc) break
      switch (a.type) {
        case 'persist':
          // as the engine does: the store (r.chain) holds commits, the WAL the view and own votes
          r.wal.push({ seq: r.walSeq++, record: walRecordFor(a.record, r.state) })
          if (a.record.kind === 'committed') r.wal = walRetained(r.wal, a.record.head.block.height)
          maxWal = Math.max(maxWal, r.wal.length)
          if (a.record.kind === 'committed' && crashAfterCommit(r, a.record.head.block.height)) return
          break
        case 'broadcast': case 'send':
          if (r.byz === null) { checkPersisted(r, a.msg); checkMember(r, a.msg) }
          if (r.byz === null && a.msg.type === 'pre-prepare') maxInFlight = Math.max(maxInFlight, a.msg.height - r.state.head.height)
          if (a.msg.type === 'pre-prepare' && a.msg.height === crashPrimaryAt && !primaryCrashed && r.byz === null) { crashMidPrePrepare(r, a.msg); break }
          emit(r, { to: a.type === 'send' ? a.to : null, msg: a.msg })
          break
        case 'setTimer': {
          const { timer, id } = a
          q.at(q.now + a.ms, () => { if (r.incarnation === inc) input(r, { type: 'timeout', timer, id, now: q.now }) })
          break
        }
        case 'requestProposal': {
          const { height, view, parent } = a
          q.at(q.now + 1, () => {
            if (r.incarnation !== inc) return
            const carried = inFlight(r)
            const requests = [...r.mempool].filter((x) => !carried.has(x) && !(r.byz === 'censor' && x === CENSORED)).slice(0, MAX_BLOCK_REQUESTS)
            const block = makeSimBlock({ height, parent: parent.hash, time: Math.max(q.now, parent.time + 1), requests, proposer: r.name })
            input(r, { type: 'proposal', block, view, now: q.now })
          })
          break
        }
        case 'commit': applyCommit(r, { block: a.block, certificate: a.certificate }); break
        case 'requestSync': { const peers = a.peers; q.at(q.now + 5, () => { if (r.incarnation === inc) sync(r, peers) }); break }
        default: break
      }
    }
    maxStoreSize = Math.max(maxStoreSize, messageStoreSize(r.state))
  }

  /** Crashes `r` mid-step, right after compacting its WAL, when it has sent votes above `height`. */
  function crashAfterCommit(r: Replica, height: number): boolean {
    if (!chaos || r.byz !== null || !sc.crashAfterCommit || !rng.chance(sc.crashAfterCommit)) return false
    const votesAbove = [...r.state.votes.keys()].some((k) => Number(k.split(':')[2]) > height)
    if (!votesAbove) return false
    r.up = false
    r.incarnation++
    q.at(q.now + rng.int(5, 200), () => restart(r))
    return true
  }

  /** Requests carried by the blocks in flight in the replica's view (its app leaves them out of the next one). */
  function inFlight(r: Replica): Set<string> {
    const out = new Set<string>()
    for (const [h, slot] of r.state.slots) if (h > r.state.head.height) for (const x of slot.prePrepares.get(r.state.view)?.block.requests ?? []) out.add(x)
    return out
  }

  /** Persist before send: an own vote leaves only after its WAL record. */
  function checkPersisted(r: Replica, m: ConsensusMessage<SimBlock>): void {
    if ((m.type !== 'prepare' && m.type !== 'commit' && m.type !== 'pre-prepare') || m.from !== r.id) return
    const ok = r.wal.some(({ record: rec }) => (rec.kind === m.type) && rec.msg.view === m.view && rec.msg.height === m.height && rec.msg.digest === m.digest)
    if (!ok) safety.push(`${r.name} sent ${m.type} (${m.view},${m.height}) before persisting it`)
  }

  /** Replicas not in the set of a height never vote at it. */
  function checkMember(r: Replica, m: ConsensusMessage<SimBlock>): void {
    if ((m.type !== 'prepare' && m.type !== 'commit' && m.type !== 'pre-prepare') || m.from !== r.id) return
    if (!certifiersAt(plan, m.height).includes(r.id)) safety.push(`${r.name} sent ${m.type} at height ${m.height} outside the set in force there`)
  }

  function emit(r: Replica, out: Outgoing): void {
    if (out.msg.type === 'pre-prepare') blocks.set(out.msg.digest, out.msg.block)
    if (o.brokenQuorum) phantomVote(r, out.msg)
    const outs = r.byz ? byzantineOutgoing(r.byz, { rng, ctx: r.ctx, others: validators.filter((v) => v !== r.id), now: q.now, timeOf: (h) => blockTimeIn(r.state, h) }, out) : [out]
    for (const o of outs) {
      const targets = o.to === null ? validators.filter((v) => v !== r.id) : [o.to]
      const send = (): void => { for (const to of targets) if (!r.group || r.group.has(to)) transmit(r.id, to, o.msg) }
      if (o.later) q.at(q.now + o.later, send)
      else send()
    }
  }

  function transmit(from: string, to: string, msg: ConsensusMessage<SimBlock>): void {
    if (chaos && (cut(from, to) || rng.chance(sc.drop))) return
    if (msg.type === 'pre-prepare') blocks.set(msg.digest, msg.block)
    const copies = chaos && rng.chance(sc.dup) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      q.at(q.now + rng.int(1, chaos ? sc.maxDelay : 5), () => {
        for (const r of instancesOf(to)) {
          if (msg.type === 'pre-prepare' && r.byz === null && r.up && r.member) blockTimes.received(msg.digest, q.now)
          input(r, { type: 'message', from, msg, now: q.now })
        }
      })
    }
  }

  /** Blocks seen on the network by digest (brokenQuorum signs commits over them). */
  const blocks = new Map<string, SimBlock>()
  /** brokenQuorum: `r`'s own vote comes back to it as if signed by another replica. */
  function phantomVote(r: Replica, msg: ConsensusMessage<SimBlock>): void {
    if ((msg.type !== 'prepare' && msg.type !== 'commit') || msg.from !== r.id) return
    const as = rng.pick(validators.filter((v) => v !== r.id))
    const ctx = simContext(validators, as)
    const block = blocks.get(msg.digest)
    if (msg.type === 'commit' && !block) return
    const copy = signMessage(ctx, msg.type === 'commit' ? { ...msg, from: as, certSig: ctx.sign(ctx.commitPayload(block!)) } : { ...msg, from: as })
    q.at(q.now + 1, () => input(r, { type: 'message', from: as, msg: copy, now: q.now }))
  }

  function applyCommit(r: Replica, c: CommittedBlock<SimBlock>): void {
    const b = c.block
    const parent = r.chain.length ? r.chain[r.chain.length - 1]!.block.hash : SIM_GENESIS.hash
    if (r.byz === null) {
      if (b.height !== r.chain.length + 1 || b.parent !== parent) safety.push(`${r.name} committed height ${b.height} out of order (head ${r.chain.length})`)
      const set = certifiersAt(plan, b.height)
      if (!verifyCertificate(checkCtxs[b.height > plan.boundary ? 1 : 0]!, b, c.certificate, quorumSize(set.length))) safety.push(`${r.name} committed height ${b.height} with fewer than 2f+1 valid signatures`)
      const first = firstCommit.get(b.height)
      if (first === undefined) {
        firstCommit.set(b.height, b.hash)
        const late = blockTimes.committed(b, q.now)
        if (late) safety.push(late)
      } else if (first !== b.hash) safety.push(`conflicting commits at height ${b.height}: ${first.slice(0, 8)} vs ${b.hash.slice(0, 8)} (${r.name})`)
    }
    r.chain.push(c)
    for (const x of b.requests) { r.mempool.delete(x); r.committedReq.add(x) }
    if (b.height === plan.boundary - 1 && r.member) viewBeforeBoundary.set(r.name, r.state.view)
    if (b.height === plan.boundary && !o.unsafeNoSwitch) enterNewEpoch(r)
  }

  /**
   * The epoch's last block is committed: as node/validator-role.ts does, the old machine stops
   * (its timers and pending proposals die with its incarnation) and, for a member of S', a fresh
   * one starts from the committed head and the WAL; a replica outside S' only follows.
   */
  function enterNewEpoch(r: Replica): void {
    // the switch overlaps a view change: some validator is in one, or block H itself needed one
    const movedViews = r.member && r.state.view > (viewBeforeBoundary.get(r.name) ?? r.state.view)
    if (movedViews || replicas.some((x) => x.up && x.member && x.state.mode === 'view-change')) switchesInViewChange++
    r.epoch = epochAfter(plan, r.chain.length)
    r.ctx = epochContext(plan, r.epoch, r.id)
    r.member = plan.sets[r.epoch].includes(r.id)
    r.incarnation++
    if (r.member && r.up) boot(r)
    if (r.id === plan.added && sc.reconfig?.crash === 'added') {
      q.at(q.now + rng.int(1, 20), () => { r.up = false; r.dead = true; r.incarnation++ })
    }
  }

  /**
   * reconfig-during-view-change: the primary crashes in the middle of broadcasting its pre-prepare
   * for H (the old set's last block) or H+1 (the new set's first): some backups got it, the others
   * time out, and replicas switch epochs while a view change is under way. Down for a while.
   */
  function crashMidPrePrepare(r: Replica, msg: ConsensusMessage<SimBlock>): void {
    primaryCrashed = true
    const reached = rng.shuffle(validators.filter((v) => v !== r.id)).slice(0, rng.int(0, validators.length - 2))
    for (const to of reached) transmit(r.id, to, msg)
    r.up = false
    r.incarnation++
    q.at(q.now + rng.int(400, 1200), () => restart(r))
  }

  /** Block sync: copy certified blocks from the first peer ahead, checking every certificate. */
  function sync(r: Replica, peers: string[]): void {
    for (const p of peers) {
      const peer = instancesOf(p).find((x) => x.up && x.chain.length > r.chain.length)
      if (!peer || cut(p, r.id)) continue
      for (const c of peer.chain.slice(r.chain.length)) {
        const head = r.chain.length ? r.chain[r.chain.length - 1]!.block.hash : SIM_GENESIS.hash
        if (c.block.parent !== head || !verifyCertificate(r.ctx, c.block, c.certificate, quorumSize(r.ctx.validators.length))) break
        applyCommit(r, c)
        input(r, { type: 'synced', head: c, now: q.now })
      }
      return
    }
  }

  // clients: a new request every 20 ms to every replica (the censored one early)
  let reqNo = 0
  const injected: { id: string; at: number }[] = []
  const request = (id: string): void => {
    injected.push({ id, at: q.now })
    for (const r of replicas) q.at(q.now + rng.int(1, 10), () => {
      if (!r.up || r.committedReq.has(id)) return
      r.mempool.add(id)
      input(r, { type: 'request', txHash: id, now: q.now })
    })
  }
  const clientTick = (): void => { request(`r${reqNo++}`); q.at(q.now + 20, clientTick) }
  q.at(0, clientTick)
  // PBFT §4.1: a client whose request is not executed in time re-sends it to all replicas
  const retransmit = (): void => {
    for (const x of injected) {
      if (x.at > q.now - 400 || honest.some((r) => r.committedReq.has(x.id))) continue
      for (const r of replicas) if (r.up && !r.committedReq.has(x.id) && !r.mempool.has(x.id)) {
        r.mempool.add(x.id)
        input(r, { type: 'request', txHash: x.id, now: q.now })
      }
    }
    q.at(q.now + 400, retransmit)
  }
  q.at(400, retransmit)
  if (sc.byzantine === 'censor') q.at(50, () => request(CENSORED))

  // crashes and restarts from the WAL (honest replicas, any number at once: safety must hold)
  if (sc.crashes) for (let t = rng.int(50, 400); t < chaosMs - 100; t += rng.int(150, 600)) {
    const r = rng.pick(honest)
    q.at(t, () => { if (r.up) { r.up = false; r.incarnation++ } })
    q.at(Math.min(t + rng.int(50, 800), chaosMs), () => restart(r))
  }
  function restart(r: Replica): void {
    if (r.up || r.dead) return
    r.up = true
    r.incarnation++
    if (r.member) boot(r)
  }
  /** A fresh state machine from the WAL and the committed head (what the node's engine.start does). */
  function boot(r: Replica): void {
    r.incarnation++
    const head = r.chain[r.chain.length - 1]
    const wal = r.wal.map((e) => e.record)
    r.state = restore(SIM_GENESIS, head ? [{ kind: 'committed', head }, ...wal] : wal, opts)
    input(r, { type: 'start', now: q.now })
    // the app's mempool survived: it tells the engine about its txs again (request timers)
    for (const id of r.mempool) input(r, { type: 'request', txHash: id, now: q.now })
  }
  if (sc.byzantine === 'view-flood') {
    let k = 0
    const flood = (): void => {
      for (const r of replicas) if (r.byz === 'view-flood') {
        const msg = viewFlood({ rng, ctx: r.ctx, others: [], now: q.now }, r.state.headCert, k++)
        for (const to of validators) if (to !== r.id) transmit(r.id, to, msg)
      }
      q.at(q.now + 40, flood)
    }
    q.at(30, flood)
  }

  if (Number.isFinite(plan.boundary)) {
    // replicas outside their epoch's set follow the chain by block sync (the new validator from
    // the moment it comes up, empty; a removed one after the boundary)
    const follow = (): void => {
      for (const r of replicas) if (r.up && !r.member) sync(r, validators.filter((v) => v !== r.id))
      q.at(q.now + 50, follow)
    }
    q.at(50, follow)
    const added = replicas.find((r) => r.id === plan.added)
    if (added) q.at(rng.int(100, 1500), () => restart(added))
  }

  for (const r of replicas) input(r, { type: 'start', now: 0 })

  if (o.heights) {
    const target = o.heights
    while (honest.some((r) => r.chain.length < target) && q.runNext(Infinity)) { /* run */ }
    if (honest.some((r) => r.chain.length < target)) liveness.push(`stalled below height ${target}`)
    return { safety, liveness, maxHeight: Math.max(...honest.map((r) => r.chain.length)), maxStoreSize, maxWal, maxInFlight }
  }

  while (q.runNext(chaosMs)) { /* chaos phase */ }
  chaos = false
  for (const r of honest) restart(r)
  const live = (): Replica[] => honest.filter((r) => !r.dead)
  // with a reconfiguration, every live replica must also get two blocks into the new epoch
  const healHeight = Math.max(0, ...live().map((r) => r.chain.length), Number.isFinite(plan.boundary) ? plan.boundary : 0)
  const before = injected.filter((x) => x.at < chaosMs).map((x) => x.id)
  const done = (): boolean => live().every((r) => r.chain.length >= healHeight + 2 && before.every((id) => r.committedReq.has(id)))
  // liveness: after healing (at most f faulty), every honest replica commits new blocks in bounded virtual time
  while (!done() && q.runNext(chaosMs + bound)) { /* heal phase */ }
  if (!done()) {
    for (const r of live()) {
      const missing = before.filter((id) => !r.committedReq.has(id))
      if (r.chain.length < healHeight + 2 || missing.length) {
        liveness.push(`${r.name}: head ${r.chain.length} (heal at ${healHeight}), view ${r.state.view} ${r.state.mode}, ${missing.length} old requests uncommitted`)
      }
    }
  }
  const reconfigured = Number.isFinite(plan.boundary) ? { boundary: plan.boundary, switched: live().filter((r) => r.chain.length > plan.boundary && r.epoch === 1).length, live: live().length, switchesInViewChange } : {}
  return { safety, liveness, maxHeight: Math.max(...honest.map((r) => r.chain.length)), maxStoreSize, maxWal, maxInFlight, ...reconfigured }
}

function hashName(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0
  return h
}

export type { CertSig }
