// Byzantine behaviours: filters on what a faulty replica sends. The replica underneath runs the
// honest state machine, so its messages are plausible; these functions bend them.
import { signMessage } from '../../src/consensus/index.js'
import { signedPayload } from '../../src/consensus/index.js'
import type { Commit, ConsensusContext, ConsensusMessage, ConsensusState, PrePrepare, Prepare } from '../../src/consensus/index.js'
import { fakeSign, makeSimBlock, sha256Hex, type SimBlock } from './app.js'
import type { Prng } from './prng.js'

export type Behaviour = 'equivocate' | 'twins' | 'mutate' | 'forge' | 'invalid' | 'withhold' | 'view-flood' | 'censor' | 'backdate'

export interface Outgoing {
  to: string | null; msg: ConsensusMessage<SimBlock>
  /** sent this many virtual ms later (default: now) */
  later?: number
}

export interface ByzEnv {
  rng: Prng
  ctx: ConsensusContext<SimBlock>
  /** validators other than this one */
  others: string[]
  now: number
  /** the time of a block this replica knows (its committed head or one in flight), if any */
  timeOf?(hash: string): number | undefined
}

/** How far back a 'backdate' primary stamps its blocks, when their parent allows it. */
export const BACKDATE_MS = 3 * 3_600_000

/** The time of block `hash` if it is the replica's committed head or a block in flight it holds. */
export function blockTimeIn(s: ConsensusState<SimBlock>, hash: string): number | undefined {
  if (s.head.hash === hash) return s.head.time
  for (const slot of s.slots.values()) for (const pp of slot.prePrepares.values()) if (pp.digest === hash) return pp.block.time
  return undefined
}

const randomDigest = (rng: Prng): string => sha256Hex(`noise/${rng.next()}`)

/** Signs `msg` claiming to be `from` with the attacker's own (wrong) secret. */
function forge(env: ByzEnv, msg: ConsensusMessage<SimBlock>, from: string): ConsensusMessage<SimBlock> {
  const m = { ...msg, from } as ConsensusMessage<SimBlock>
  return { ...m, sig: fakeSign(env.ctx.self, signedPayload(env.ctx, m)) } as ConsensusMessage<SimBlock>
}

/** A vote for `block` from this replica, validly signed (also for invalid blocks). */
function votesFor(env: ByzEnv, view: number, block: SimBlock): Outgoing[] {
  const self = env.ctx.self
  const prepare: Prepare = signMessage(env.ctx, { type: 'prepare', view, height: block.height, digest: block.hash, from: self, sig: new Uint8Array() })
  const commit: Commit = signMessage(env.ctx, { type: 'commit', view, height: block.height, digest: block.hash, from: self,
    certSig: env.ctx.sign(env.ctx.commitPayload(block)), sig: new Uint8Array() })
  return [{ to: null, msg: prepare }, { to: null, msg: commit }]
}

/** What a replica with `behaviour` sends instead of `out`. */
export function byzantineOutgoing(behaviour: Behaviour, env: ByzEnv, out: Outgoing): Outgoing[] {
  const { rng, ctx } = env
  const msg = out.msg
  switch (behaviour) {
    case 'withhold': return []
    case 'twins': case 'censor': case 'view-flood': return [out]
    case 'equivocate': {
      if (msg.type !== 'pre-prepare' || out.to !== null) return [out]
      // two blocks for one (view, height), each to half of the replicas, with its own votes for
      // both; later each replica also gets the other one, which only a replica that forgot its
      // vote (a restart that lost its WAL records) would take
      const alt = makeSimBlock({ ...msg.block, requests: [...msg.block.requests].reverse().concat(`eq-${rng.int(0, 1e9)}`), time: msg.block.time + 1 })
      const altPP = signMessage(ctx, { ...msg, digest: alt.hash, block: alt } as PrePrepare<SimBlock>)
      const split = rng.shuffle([...env.others]).map((to, i) => ({ to, first: i % 2 === 0 ? msg : altPP, second: i % 2 === 0 ? altPP : msg }))
      const later = rng.int(50, 400)
      return [...split.map((x) => ({ to: x.to, msg: x.first })), ...votesFor(env, msg.view, alt), ...split.map((x) => ({ to: x.to, msg: x.second, later }))]
    }
    case 'invalid': {
      if (msg.type === 'pre-prepare') {
        const bad = makeSimBlock({ ...msg.block, requests: ['invalid-' + rng.int(0, 1e9)] })
        const pp = signMessage(ctx, { ...msg, digest: bad.hash, block: bad } as PrePrepare<SimBlock>)
        return [{ to: out.to, msg: pp }, ...votesFor(env, msg.view, bad)]
      }
      if (msg.type === 'prepare' || msg.type === 'commit') {
        const bad = makeSimBlock({ height: msg.height, parent: randomDigest(rng), time: env.now + 10 ** 7, requests: [], proposer: 'x' })
        return [out, ...votesFor(env, msg.view, bad)]
      }
      return [out]
    }
    case 'backdate': {
      // its own fresh blocks, stamped as early as their parent allows (up to hours back), with its vote
      if (msg.type !== 'pre-prepare' || out.to !== null) return [out]
      const parentTime = env.timeOf?.(msg.block.parent)
      if (parentTime === undefined) return [out]
      const old = makeSimBlock({ ...msg.block, time: Math.max(parentTime + 1, msg.block.time - BACKDATE_MS) })
      const pp = signMessage(ctx, { ...msg, digest: old.hash, block: old } as PrePrepare<SimBlock>)
      return [{ to: null, msg: pp }, ...votesFor(env, msg.view, old)]
    }
    case 'mutate': {
      const r = rng.next()
      if (r < 0.3) {
        // a field changed in flight, signature left as is
        const m = { ...msg } as Record<string, unknown>
        if ('digest' in m) m.digest = randomDigest(rng)
        else if ('view' in m) m.view = (m.view as number) + 1
        return [out, { to: out.to, msg: m as unknown as ConsensusMessage<SimBlock> }]
      }
      if (r < 0.5 && (msg.type === 'prepare' || msg.type === 'commit')) {
        // validly signed but for another digest / view
        const m = { ...msg, digest: randomDigest(rng), view: msg.view + rng.int(0, 1) } as Prepare | Commit
        return [{ to: out.to, msg: signMessage(ctx, m) }]
      }
      if (r < 0.6 && msg.type === 'view-change') return [{ to: out.to, msg: signMessage(ctx, { ...msg, prepared: [], view: msg.view + 3 }) }]
      return [out]
    }
    case 'forge': {
      const victim = rng.pick(env.others)
      const copy: ConsensusMessage<SimBlock> = msg.type === 'prepare' || msg.type === 'commit'
        ? { ...msg, digest: randomDigest(rng) }
        : msg.type === 'view-change' ? { ...msg, view: msg.view + 10 ** 6 } : msg
      return [out, { to: null, msg: forge(env, copy, victim) }]
    }
  }
}

/** The flood of view-changes to huge views a 'view-flood' replica sends (validly signed, its own). */
export function viewFlood(env: ByzEnv, headCert: { block: SimBlock; certificate: { signer: string; sig: Uint8Array }[] } | null, k: number): ConsensusMessage<SimBlock> {
  return signMessage(env.ctx, { type: 'view-change', view: 10 ** 9 + k, from: env.ctx.self, checkpoint: headCert, prepared: [], sig: new Uint8Array() })
}
