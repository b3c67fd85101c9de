import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { restore, signMessage, walRecordFor, type CommittedBlock, type ConsensusRecord, type NewView, type ViewChange } from '../../src/consensus/index.js'
import { block, commit, ctxOf, prePrepare, prepare, Replica, validators } from './fixtures.js'
import { SIM_GENESIS, type SimBlock } from '../../scripts/sim/app.js'

const viewChange = (from: string, view: number, ...prepared: ViewChange<SimBlock>['prepared']): ViewChange<SimBlock> =>
  signMessage(ctxOf(from), { type: 'view-change', view, from, checkpoint: null, prepared, sig: new Uint8Array() })
const newView = (from: string, view: number, vcs: ViewChange<SimBlock>[], ...pps: NewView<SimBlock>['prePrepares']): NewView<SimBlock> =>
  signMessage(ctxOf(from), { type: 'new-view', view, from, viewChanges: vcs, prePrepares: pps, sig: new Uint8Array() })

function timeout(r: Replica, timer: 'view' | 'view-change' | 'request'): void {
  r.input({ type: 'timeout', timer, id: r.state.timers.get(timer)!, now: 1000 })
}

test('a pending request not committed before the request timer fires starts a view change', () => {
  const r = new Replica('v2')
  r.input({ type: 'request', txHash: 'tx1', now: 0 })
  assert.ok(r.state.timers.has('request'))
  timeout(r, 'request')
  assert.is(r.state.mode, 'view-change')
  assert.is((r.sent('view-change')[0] as ViewChange<SimBlock>).view, 1)
})

test('the view-change timer backs off exponentially', () => {
  const r = new Replica('v2')
  r.input({ type: 'request', txHash: 'tx1', now: 0 })
  timeout(r, 'view')
  for (const v of ['v0', 'v1', 'v3']) r.receive(viewChange(v, 1))
  timeout(r, 'view-change')
  const ms = r.actions.filter((a) => a.type === 'setTimer' && a.timer === 'view-change').map((a) => (a as { ms: number }).ms)
  assert.equal(ms, [100, 200])
  assert.is(r.state.view, 2)
})

test('huge view numbers from one replica cannot make a replica jump (needs f+1)', () => {
  const r = new Replica('v2')
  r.receive(viewChange('v3', 1e9))
  assert.is(r.state.view, 0)
  assert.is(r.state.mode, 'normal')
})

test('f+1 view-changes for higher views make a replica join the lower of them', () => {
  const r = new Replica('v2')
  r.receive(viewChange('v3', 1e9))
  r.receive(viewChange('v1', 5))
  assert.is(r.state.view, 5)
  assert.is(r.state.mode, 'view-change')
})

test('new-view without 2f+1 view-changes is rejected', () => {
  const r = new Replica('v2')
  r.receive(viewChange('v1', 1)); r.receive(viewChange('v3', 1)) // f+1: r joins view 1
  assert.is(r.state.mode, 'view-change')
  r.receive(newView('v1', 1, [viewChange('v1', 1), viewChange('v3', 1)]))
  assert.is(r.state.mode, 'view-change')
  r.receive(newView('v1', 1, [viewChange('v1', 1), viewChange('v3', 1), viewChange('v3', 1)]))
  assert.is(r.state.mode, 'view-change', 'duplicate senders do not count')
  r.receive(newView('v1', 1, [viewChange('v0', 1), viewChange('v1', 1), viewChange('v3', 1)]))
  assert.is(r.state.mode, 'normal')
  assert.is(r.state.view, 1)
})

test('new-view from a replica that is not the new primary is rejected', () => {
  const r = new Replica('v2')
  r.receive(viewChange('v1', 1)); r.receive(viewChange('v3', 1))
  r.receive(newView('v3', 1, [viewChange('v0', 1), viewChange('v1', 1), viewChange('v3', 1)]))
  assert.is(r.state.mode, 'view-change')
})

test('a new-view must re-propose the prepared block of the highest view (recomputed O set)', () => {
  const b = block()
  const prepared = { prePrepare: prePrepare('v0', 0, b), prepares: [prepare('v1', 0, b), prepare('v2', 0, b)] }
  const vcs = [viewChange('v0', 1), viewChange('v1', 1, prepared), viewChange('v3', 1)]
  const r = new Replica('v2')
  r.receive(viewChange('v1', 1)); r.receive(viewChange('v3', 1))
  r.receive(newView('v1', 1, vcs))
  assert.is(r.state.mode, 'view-change', 'O set omitted the prepared block')
  const other = block(1, undefined, 11, ['x'])
  r.receive(newView('v1', 1, vcs, prePrepare('v1', 1, other)))
  assert.is(r.state.mode, 'view-change', 'O set re-proposed another block')
  r.receive(newView('v1', 1, vcs, prePrepare('v1', 1, b)))
  assert.is(r.state.mode, 'normal')
  const prep = r.sent('prepare').at(-1) as { view: number; digest: string }
  assert.equal([prep.view, prep.digest], [1, b.hash])
})

test('a view-change with a forged prepared certificate is ignored', () => {
  const b = block()
  const forged = { prePrepare: prePrepare('v0', 0, b), prepares: [prepare('v1', 0, b), { ...prepare('v2', 0, b), sig: ctxOf('v1').sign(new Uint8Array([1])) }] }
  const r = new Replica('v2')
  r.receive(viewChange('v3', 1, forged))
  assert.is(r.state.viewChanges.size, 0)
})

test('a full view change elects the next primary, which proposes in the new view', () => {
  const reps = validators.map((id) => new Replica(id))
  const deliver = (from: Replica): void => {
    const out = from.actions.splice(0)
    for (const a of out) if (a.type === 'broadcast') for (const r of reps) if (r !== from) r.receive(a.msg, 1000)
    for (const r of reps) if (r !== from && r.actions.some((x) => x.type === 'broadcast')) deliver(r)
  }
  for (const r of reps.slice(1)) { r.input({ type: 'request', txHash: 't', now: 0 }); timeout(r, 'view') }
  for (const r of reps) deliver(r)
  assert.ok(reps.every((r) => r.state.view === 1 && r.state.mode === 'normal'))
  void commit
})

/**
 * v3 committed heights 1 and 2 (commit votes of v0, v1, v3); v2 is at genesis. v1's NEW-VIEW for
 * view 1 carries v3's checkpoint at height 2 and re-proposes nothing above it.
 */
function behindTheNewView(): { r: Replica; b1: SimBlock; b2: SimBlock } {
  const b1 = block(1, undefined, 10, ['a']), b2 = block(2, b1.hash, 11, ['b'])
  const certified: CommittedBlock<SimBlock> = { block: b2, certificate: ['v0', 'v1', 'v3'].map((id) => ({ signer: id, sig: ctxOf(id).sign(ctxOf(id).commitPayload(b2)) })) }
  const vc = (from: string, checkpoint: CommittedBlock<SimBlock> | null = null): ViewChange<SimBlock> =>
    signMessage(ctxOf(from), { type: 'view-change', view: 1, from, checkpoint, prepared: [], sig: new Uint8Array() })
  const r = new Replica('v2')
  r.receive(newView('v1', 1, [vc('v0'), vc('v1'), vc('v3', certified)]))
  return { r, b1, b2 }
}

test('a replica below a NEW-VIEW\'s checkpoint syncs and never votes for a fresh block at a height the checkpoint fixed', () => {
  const { r } = behindTheNewView()
  assert.is(r.state.view, 1)
  assert.ok(r.actions.some((a) => a.type === 'requestSync'), 'it asks for the certified blocks')
  // the new primary (behind, or Byzantine) proposes another block at height 1; the others vote for it
  const other = block(1, undefined, 10, ['other'])
  r.receive(prePrepare('v1', 1, other))
  for (const v of ['v0', 'v3']) r.receive(prepare(v, 1, other))
  for (const v of ['v0', 'v1', 'v3']) r.receive(commit(v, 1, other))
  assert.equal(r.sent('prepare'), [])
  assert.equal(r.sent('commit'), [])
  assert.equal(r.commits(), [])
})

test('the fixed height survives a restart (WAL view record) and ends once the replica synced past it', () => {
  const { r, b1, b2 } = behindTheNewView()
  const wal = r.actions.flatMap((a) => (a.type === 'persist' ? [walRecordFor(a.record, r.state) as ConsensusRecord<SimBlock>] : []))
  const again = new Replica('v2', restore(SIM_GENESIS, wal, { viewTimeoutMs: 100, requestTimeoutMs: 300, blockIntervalMs: 0, checkpointInterval: 4, watermarkWindow: 8 }))
  assert.is(again.state.fixedHeight, 2)
  const other = block(1, undefined, 10, ['other'])
  again.receive(prePrepare('v1', 1, other))
  for (const v of ['v0', 'v3']) again.receive(prepare(v, 1, other))
  assert.equal(again.sent('prepare'), [])
  // synced to height 2: a fresh proposal at height 3 gets its vote
  const cert = (b: SimBlock) => ['v0', 'v1', 'v3'].map((id) => ({ signer: id, sig: ctxOf(id).sign(ctxOf(id).commitPayload(b)) }))
  again.input({ type: 'synced', head: { block: b1, certificate: cert(b1) }, now: 20 })
  again.input({ type: 'synced', head: { block: b2, certificate: cert(b2) }, now: 20 })
  const b3 = block(3, b2.hash, 20, ['c'])
  again.receive(prePrepare('v1', 1, b3), 20)
  assert.equal(again.sent('prepare').map((m) => (m as { height: number }).height), [3])
})

/**
 * v1–v3 change to view 1 while v0 is down, then v0 comes back with a fresh state (view 0, as a
 * validator restarted from a WAL written before the view change), and v1 proposes in view 1.
 */
function changedViewWithoutV0(): { reps: Replica[]; v0: Replica; b: SimBlock } {
  const reps = validators.map((id) => new Replica(id))
  const live = reps.slice(1)
  const deliver = (): void => {
    for (let moved = true; moved;) {
      moved = false
      for (const from of live) for (const a of from.actions.splice(0)) {
        if (a.type !== 'broadcast') continue
        moved = true
        for (const r of live) if (r !== from) r.receive(a.msg, 1000)
      }
    }
  }
  for (const r of live) { r.input({ type: 'request', txHash: 't', now: 0 }); timeout(r, 'view') }
  deliver()
  assert.ok(live.every((r) => r.state.view === 1 && r.state.mode === 'normal'), 'v1–v3 are in view 1')
  const b = block(1, undefined, 900, ['t'])
  reps[1]!.input({ type: 'proposal', block: b, view: 1, now: 1000 })
  deliver()
  return { reps, v0: new Replica('v0'), b }
}

test('a validator restarted in an old view joins the view f+1 peers vote in, gets the NEW-VIEW, and votes again', () => {
  const { reps, v0, b } = changedViewWithoutV0()
  v0.receive(prePrepare('v1', 1, b), 1000)
  assert.is(v0.state.view, 0, 'one replica seen in view 1 is not enough')
  v0.receive(prepare('v2', 1, b), 1000)
  assert.is(v0.state.view, 1, 'f+1 replicas seen in view 1')
  assert.is(v0.state.mode, 'view-change')
  const vc = v0.sent('view-change').at(-1)!
  reps[1]!.actions.splice(0)
  reps[1]!.receive(vc, 1100)
  const nv = reps[1]!.actions.find((a) => a.type === 'send' && a.to === 'v0' && a.msg.type === 'new-view')
  assert.ok(nv, 'the primary of view 1 resends its NEW-VIEW')
  v0.receive((nv as { msg: NewView<SimBlock> }).msg, 1100)
  assert.is(v0.state.mode, 'normal')
  assert.is(v0.state.view, 1)
  const prep = v0.sent('prepare').at(-1) as { view: number; digest: string } | undefined
  assert.equal([prep?.view, prep?.digest], [1, b.hash], 'it prepares the block of view 1')
  v0.receive(prepare('v3', 1, b), 1100)
  for (const id of ['v1', 'v2', 'v3']) v0.receive(commit(id, 1, b), 1100)
  assert.equal(v0.commits().map((x) => x.hash), [b.hash], 'and commits it with its own commit vote')
  assert.ok(v0.sent('commit').some((c) => (c as { view: number }).view === 1 && (c as { digest: string }).digest === b.hash))
})

test('votes of one replica in a higher view, or forged ones, do not move a replica', () => {
  const { v0, b } = changedViewWithoutV0()
  v0.receive(prepare('v2', 7, b))
  v0.receive({ ...prepare('v3', 7, b), sig: ctxOf('v2').sign(new Uint8Array([1])) })
  v0.receive(commit('v2', 9, b))
  assert.is(v0.state.view, 0)
  assert.is(v0.state.mode, 'normal')
})

test('the new primary resends its NEW-VIEW to a replica that asks again after a view timeout, not before', () => {
  const { reps } = changedViewWithoutV0()
  const primary = reps[1]!
  const ask = viewChange('v0', 1)
  const resent = (now: number): boolean => {
    primary.actions.splice(0)
    primary.receive(ask, now)
    return primary.actions.some((a) => a.type === 'send' && a.to === 'v0' && a.msg.type === 'new-view')
  }
  assert.ok(resent(2000))
  assert.not.ok(resent(2050), 'within the view timeout (100 ms)')
  assert.ok(resent(2100), 'the first resend may have been lost')
})

test.run()
