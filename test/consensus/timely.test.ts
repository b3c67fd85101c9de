// Proposer-based timestamps (CometBFT PBTS): a fresh proposal is prepared only when its time lies
// within [receipt − precision − message delay, receipt + precision] of the replica's clock when the
// proposal first arrived; a block that comes with a certificate is taken on it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { signMessage, type NewView, type ViewChange } from '../../src/consensus/index.js'
import { block, commit, ctxOf, opts, prePrepare, prepare, Replica } from './fixtures.js'
import type { SimBlock } from '../../scripts/sim/app.js'

const P = opts.maxClockSkewMs, D = opts.messageDelayMs
const HOUR = 3_600_000
const at = 10 * HOUR // the replicas' clock when the proposal arrives

const prepared = (r: Replica): string[] => r.sent('prepare').map((m) => (m as { digest: string }).digest)

test('a backup does not prepare a proposal stamped more than precision + message delay before it arrived', () => {
  const late = block(1, undefined, at - P - D - 1), edge = block(1, undefined, at - P - D)
  const r1 = new Replica('v2'), r2 = new Replica('v2')
  r1.receive(prePrepare('v0', 0, late), at)
  r2.receive(prePrepare('v0', 0, edge), at)
  assert.equal(prepared(r1), [], 'backdated beyond the bound')
  assert.equal(prepared(r2), [edge.hash], 'at the bound')
  const hours = new Replica('v3')
  hours.receive(prePrepare('v0', 0, block(1, undefined, at - 2 * HOUR)), at)
  assert.equal(prepared(hours), [], 'backdated two hours')
})

test('a backup does not prepare a proposal stamped more than precision after it arrived', () => {
  const early = block(1, undefined, at + P + 1), edge = block(1, undefined, at + P)
  const r1 = new Replica('v2'), r2 = new Replica('v2')
  r1.receive(prePrepare('v0', 0, early), at)
  r2.receive(prePrepare('v0', 0, edge), at)
  assert.equal(prepared(r1), [])
  assert.equal(prepared(r2), [edge.hash])
})

test('a proposal is judged when it first arrives, not when the replica can prepare it', () => {
  // height 2 arrives first and waits for height 1, which comes much later: 2 was timely on arrival
  const r = new Replica('v2')
  const b1 = block(1, undefined, at + 5000), b2 = block(2, b1.hash, at + 5001)
  r.receive(prePrepare('v0', 0, b2), at + 5001)
  r.receive(prePrepare('v0', 0, b1), at + 5000 + P + D)
  assert.equal(prepared(r), [b1.hash, b2.hash])
  // a copy of an untimely proposal arriving again on time does not make it timely
  const s = new Replica('v3'), b = block(1, undefined, at)
  s.receive(prePrepare('v0', 0, b), at + P + D + 1)
  s.receive(prePrepare('v0', 0, b), at)
  assert.equal(prepared(s), [])
})

test('a primary asks for a block only once its clock has passed the time of the block below', () => {
  // v0's committed head (taken on its certificate) is stamped 5 s ahead of v0's clock
  const ahead = new Replica('v3'), b = block(1, undefined, at + 5000)
  ahead.receive(prePrepare('v0', 0, b), at + 5000)
  ahead.receive(prepare('v1', 0, b), at + 5000); ahead.receive(prepare('v2', 0, b), at + 5000)
  ahead.receive(commit('v1', 0, b), at + 5000); ahead.receive(commit('v2', 0, b), at + 5000)
  ahead.receive(commit('v0', 0, b), at + 5000) // v0 shows it is one height behind
  const primary = new Replica('v0')
  primary.receive(ahead.sent('checkpoint')[0]!, at)
  assert.is(primary.state.head.height, 1, 'a certified block is not judged against the clock')
  const asked = (): number => primary.actions.filter((a) => a.type === 'requestProposal').length
  primary.input({ type: 'request', txHash: 'tx1', now: at })
  assert.is(asked(), 0, 'its block would be stamped before its parent or by the parent\'s clock')
  const wait = primary.actions.find((a) => a.type === 'setTimer' && a.timer === 'propose')
  assert.ok(wait && wait.type === 'setTimer')
  primary.input({ type: 'timeout', timer: 'propose', id: wait.id, now: at + 5001 })
  assert.is(asked(), 1)
})

const viewChange = (from: string, view: number, ...pcs: ViewChange<SimBlock>['prepared']): ViewChange<SimBlock> =>
  signMessage(ctxOf(from), { type: 'view-change', view, from, checkpoint: null, prepared: pcs, sig: new Uint8Array() })
const newView = (from: string, view: number, vcs: ViewChange<SimBlock>[], ...pps: NewView<SimBlock>['prePrepares']): NewView<SimBlock> =>
  signMessage(ctxOf(from), { type: 'new-view', view, from, viewChanges: vcs, prePrepares: pps, sig: new Uint8Array() })

test('a re-proposal carrying a prepared certificate is prepared in the new view whatever its time', () => {
  for (const time of [at - 2 * HOUR, at + 2 * HOUR]) {
    const b = block(1, undefined, time)
    const cert = { prePrepare: prePrepare('v0', 0, b), prepares: [prepare('v1', 0, b), prepare('v3', 0, b)] }
    const r = new Replica('v2')
    r.receive(viewChange('v1', 1), at); r.receive(viewChange('v3', 1), at)
    r.receive(newView('v1', 1, [viewChange('v0', 1), viewChange('v1', 1, cert), viewChange('v3', 1)], prePrepare('v1', 1, b)), at)
    assert.is(r.state.mode, 'normal')
    const prep = r.sent('prepare').at(-1) as { view: number; digest: string } | undefined
    assert.equal([prep?.view, prep?.digest], [1, b.hash], `block stamped ${(time - at) / HOUR} h from the clock`)
  }
})

test('a re-proposal is taken on its certificate even after a fresh proposal at its height was refused as untimely', () => {
  const b = block(1, undefined, at - 2 * HOUR)
  const cert = { prePrepare: prePrepare('v0', 0, b), prepares: [prepare('v1', 0, b), prepare('v3', 0, b)] }
  const r = new Replica('v2')
  r.receive(viewChange('v1', 1), at); r.receive(viewChange('v3', 1), at)
  // the new primary's own pre-prepare for height 1 overtakes its NEW-VIEW
  r.receive(prePrepare('v1', 1, block(1, undefined, at - 2 * HOUR, ['other'])), at)
  r.receive(newView('v1', 1, [viewChange('v0', 1), viewChange('v1', 1, cert), viewChange('v3', 1)], prePrepare('v1', 1, b)), at)
  assert.equal(prepared(r), [b.hash])
})

test.run()
