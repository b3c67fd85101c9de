// Pipelining: several heights in flight, each built on the block accepted below it, committed in order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { initialState, signMessage, type NewView, type ViewChange } from '../../src/consensus/index.js'
import { SIM_GENESIS, type SimBlock } from '../../scripts/sim/app.js'
import { block, commit, ctxOf, opts, prePrepare, prepare, Replica } from './fixtures.js'

const piped = { ...opts, pipelineDepth: 3 }
const replica = (id: string, o = piped): Replica => new Replica(id, initialState<SimBlock>(SIM_GENESIS, o))
const b1 = block(1, SIM_GENESIS.hash, 10, ['a'])
const b2 = block(2, b1.hash, 11, ['b'])
const b3 = block(3, b2.hash, 12, ['c'])
const b4 = block(4, b3.hash, 13, ['d'])
const heights = (r: Replica, type: string): number[] => r.sent(type).map((m) => (m as { height: number }).height)

test('a backup prepares the next heights on top of the blocks it accepted below, before they commit', () => {
  const r = replica('v2')
  for (const b of [b1, b2, b3]) r.receive(prePrepare('v0', 0, b))
  assert.equal(heights(r, 'prepare'), [1, 2, 3])
  assert.is(r.commits().length, 0)
})

test('no more heights in flight than the pipeline depth', () => {
  const r = replica('v2')
  for (const b of [b1, b2, b3, b4]) r.receive(prePrepare('v0', 0, b))
  assert.equal(heights(r, 'prepare'), [1, 2, 3], 'height 4 waits for height 1 to commit')
  for (const v of ['v1', 'v3']) r.receive(prepare(v, 0, b1))
  for (const v of ['v0', 'v1']) r.receive(commit(v, 0, b1))
  assert.equal(r.commits().map((b) => b.height), [1])
  assert.equal(heights(r, 'prepare'), [1, 2, 3, 4])
})

test('a height waits for the one below it: out-of-order pre-prepares are prepared lowest first', () => {
  const r = replica('v2')
  r.receive(prePrepare('v0', 0, b2))
  assert.equal(heights(r, 'prepare'), [], 'nothing accepted at height 1 yet')
  r.receive(prePrepare('v0', 0, b1))
  assert.equal(heights(r, 'prepare'), [1, 2])
})

test('a block whose parent is not the block accepted below it is not prepared', () => {
  const r = replica('v2')
  r.receive(prePrepare('v0', 0, b1))
  r.receive(prePrepare('v0', 0, block(2, 'ee'.repeat(32), 11, ['b'])))
  assert.equal(heights(r, 'prepare'), [1])
})

test('commits stay in height order: a committed-local height waits for the one below', () => {
  const r = replica('v3')
  for (const b of [b1, b2]) r.receive(prePrepare('v0', 0, b))
  for (const v of ['v1', 'v2']) r.receive(prepare(v, 0, b2))
  for (const v of ['v0', 'v1', 'v2']) r.receive(commit(v, 0, b2))
  assert.equal(heights(r, 'commit'), [2], 'height 2 is prepared and voted')
  assert.is(r.commits().length, 0, 'but not committed before height 1')
  for (const v of ['v1', 'v2']) r.receive(prepare(v, 0, b1))
  for (const v of ['v0', 'v1', 'v2']) r.receive(commit(v, 0, b1))
  assert.equal(r.commits().map((b) => b.height), [1, 2])
})

test('without the app\'s consent (canExtend) a replica keeps one height in flight', () => {
  const r = replica('v2')
  r.ctx = { ...r.ctx, canExtend: (b) => b.height < 1 }
  for (const b of [b1, b2]) r.receive(prePrepare('v0', 0, b))
  assert.equal(heights(r, 'prepare'), [1], 'e.g. height 1 ends the epoch')
})

test('the primary asks for the next heights on top of its own blocks, only for requests not already carried', () => {
  const r = replica('v0')
  r.input({ type: 'request', txHash: 'a', now: 1 })
  const ask = (): { height: number; parent: { hash: string } }[] =>
    r.actions.flatMap((x) => (x.type === 'requestProposal' ? [{ height: x.height, parent: x.parent }] : []))
  assert.equal(ask().map((x) => x.height), [1])
  r.input({ type: 'proposal', block: b1, view: 0, now: 10 })
  assert.equal(ask().length, 1, 'the one pending request is in block 1')
  r.input({ type: 'request', txHash: 'b', now: 11 })
  assert.equal(ask().map((x) => x.height), [1, 2])
  assert.is(ask()[1]!.parent.hash, b1.hash)
})

test('a block still being built is not asked for again when the block below it commits', () => {
  const r = replica('v0')
  const asked = (h: number): number => r.actions.filter((x) => x.type === 'requestProposal' && x.height === h).length
  r.input({ type: 'request', txHash: 'a', now: 1 })
  r.input({ type: 'proposal', block: b1, view: 0, now: 10 })
  r.input({ type: 'request', txHash: 'b', now: 11 })
  assert.is(asked(2), 1)
  for (const v of ['v1', 'v2']) r.receive(prepare(v, 0, b1))
  for (const v of ['v1', 'v2']) r.receive(commit(v, 0, b1))
  assert.is(r.state.head.height, 1)
  r.input({ type: 'request', txHash: 'c', now: 12 })
  assert.is(asked(2), 1, 'height 2 is asked for once while the app builds it')
})

test('a block the app failed to build is asked for again after a block interval', () => {
  const r = replica('v0')
  const asked = (): number => r.actions.filter((x) => x.type === 'requestProposal' && x.height === 1).length
  r.input({ type: 'request', txHash: 'a', now: 1 })
  const acts = r.input({ type: 'proposal-failed', height: 1, view: 0, now: 5 })
  assert.is(asked(), 1, 'not at once')
  const timer = acts.find((a) => a.type === 'setTimer' && a.timer === 'propose')
  assert.ok(timer && timer.type === 'setTimer')
  r.input({ type: 'timeout', timer: 'propose', id: timer.id, now: 5 + timer.ms })
  assert.is(asked(), 2)
})

const viewChange = (from: string, view: number, ...prepared: ViewChange<SimBlock>['prepared']): ViewChange<SimBlock> =>
  signMessage(ctxOf(from), { type: 'view-change', view, from, checkpoint: null, prepared, sig: new Uint8Array() })
const newView = (from: string, view: number, vcs: ViewChange<SimBlock>[], ...pps: NewView<SimBlock>['prePrepares']): NewView<SimBlock> =>
  signMessage(ctxOf(from), { type: 'new-view', view, from, viewChanges: vcs, prePrepares: pps, sig: new Uint8Array() })
const cert = (b: SimBlock) => ({ prePrepare: prePrepare('v0', 0, b), prepares: [prepare('v1', 0, b), prepare('v2', 0, b)] })

test('a new-view re-proposes the chain of prepared blocks, up to the first height without one', () => {
  // v1 prepared heights 1 and 2, v3 only height 1 and a height-3 block that does not chain: O = [b1, b2]
  const vcs = [viewChange('v0', 1), viewChange('v1', 1, cert(b1), cert(b2)), viewChange('v3', 1, cert(b1), cert(block(3, 'dd'.repeat(32), 12)))]
  const r = replica('v2')
  r.receive(viewChange('v1', 1)); r.receive(viewChange('v3', 1))
  r.receive(newView('v1', 1, vcs, prePrepare('v1', 1, b1)))
  assert.is(r.state.mode, 'view-change', 'O set cut short')
  r.receive(newView('v1', 1, vcs, prePrepare('v1', 1, b1), prePrepare('v1', 1, b2), prePrepare('v1', 1, b3)))
  assert.is(r.state.mode, 'view-change', 'O set ran past the prepared chain')
  r.receive(newView('v1', 1, vcs, prePrepare('v1', 1, b1), prePrepare('v1', 1, b2)))
  assert.is(r.state.mode, 'normal')
  assert.equal(r.sent('prepare').map((m) => [(m as { view: number }).view, (m as { digest: string }).digest]), [[1, b1.hash], [1, b2.hash]])
})

test('a view-change whose prepared certificates do not ascend is refused', () => {
  const r = replica('v2')
  r.receive(viewChange('v3', 1, cert(b2), cert(b1)))
  assert.is(r.state.viewChanges.size, 0)
  r.receive(viewChange('v3', 1, cert(b1), cert(b2)))
  assert.is(r.state.viewChanges.size, 1, 'the same certificates in order are taken')
})

test('a replica that voted commit at several heights reports each prepared certificate in its view-change', () => {
  const r = replica('v3')
  for (const b of [b1, b2]) {
    r.receive(prePrepare('v0', 0, b))
    for (const v of ['v1', 'v2']) r.receive(prepare(v, 0, b))
  }
  r.input({ type: 'timeout', timer: 'view', id: r.state.timers.get('view')!, now: 5000 })
  const vc = r.sent('view-change').at(-1) as ViewChange<SimBlock>
  assert.equal(vc.prepared.map((p) => p.prePrepare.height), [1, 2])
})

test.run()
