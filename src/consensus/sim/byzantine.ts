// Byzantine behaviours: filters on what a faulty replica sends. The replica underneath runs the
// honest state machine, so its messages are plausible; these functions bend them.
import { signMessage } from '../quorum.js'
import { signedPayload } from '../messages.js'
import type { Commit, ConsensusContext, ConsensusMessage, PrePrepare, Prepare } from '../types.js'
import { fakeSign, makeSimBlock, sha256Hex, type SimBlock } from './app.js'
import type { Prng } from './prng.js'

export type Behaviour = 'equivocate' | 'twins' | 'mutate' | 'forge' | 'invalid' | 'withhold' | 'view-flood' | 'censor'

export interface Outgoing { to: string | null; msg: ConsensusMessage<SimBlock> }

export interface ByzEnv {
  rng: Prng
  ctx: ConsensusContext<SimBlock>
  /** validators other than this one */
  others: string[]
  now: number
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
      // two blocks for one (view, height), each to half of the replicas
      const alt = makeSimBlock({ ...msg.block, requests: [...msg.block.requests].reverse().concat(`eq-${rng.int(0, 1e9)}`), time: msg.block.time + 1 })
      const altPP = signMessage(ctx, { ...msg, digest: alt.hash, block: alt } as PrePrepare<SimBlock>)
      return rng.shuffle([...env.others]).map((to, i) => ({ to, msg: i % 2 === 0 ? msg : altPP }))
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
