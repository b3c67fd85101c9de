import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { restore, walRecordFor, walRetained, type ConsensusRecord, type WalEntry } from '../../src/consensus/index.js'
import { SIM_GENESIS, type SimBlock } from '../../scripts/sim/app.js'
import { block, commit, opts, prePrepare, prepare, Replica } from './fixtures.js'

const wal = (r: Replica): ConsensusRecord<SimBlock>[] => r.actions.flatMap((a) => (a.type === 'persist' ? [a.record] : []))

test('a restarted replica does not prepare a second block at a (view, height) it voted in', () => {
  const r = new Replica('v2')
  const a = block(1, undefined, 10, ['a']), b = block(1, undefined, 10, ['b'])
  r.receive(prePrepare('v0', 0, a))
  assert.is(r.sent('prepare').length, 1)
  const again = new Replica('v2', restore(SIM_GENESIS, wal(r), opts))
  again.input({ type: 'start', now: 20 })
  again.receive(prePrepare('v0', 0, b))
  again.receive(prepare('v1', 0, b)); again.receive(prepare('v3', 0, b))
  assert.is(again.sent('prepare').length, 0)
  assert.is(again.sent('commit').length, 0)
})

test('a restarted replica never goes back in view', () => {
  const r = new Replica('v2')
  r.input({ type: 'request', txHash: 't', now: 0 })
  r.input({ type: 'timeout', timer: 'view', id: r.state.timers.get('view')!, now: 100 })
  const again = new Replica('v2', restore(SIM_GENESIS, wal(r), opts))
  assert.is(again.state.view, 1)
  assert.is(again.state.mode, 'view-change')
  again.input({ type: 'start', now: 200 })
  assert.is(again.sent('view-change').length, 1, 'it announces its view change again')
})

test('a restarted replica keeps its prepared certificate for the next view change', () => {
  const r = new Replica('v3')
  const b = block()
  r.receive(prePrepare('v0', 0, b)); r.receive(prepare('v1', 0, b)); r.receive(prepare('v2', 0, b))
  assert.is(r.sent('commit').length, 1)
  const s = restore(SIM_GENESIS, wal(r), opts)
  assert.is(s.prepared.get(1)?.prePrepare.digest, b.hash)
})

/** The replica's WAL as the engine writes and compacts it (wal.ts), and the store's head. */
function engineWal(r: Replica): { entries: WalEntry<ConsensusRecord<SimBlock>>[]; head: ConsensusRecord<SimBlock> | null } {
  let entries: WalEntry<ConsensusRecord<SimBlock>>[] = []
  let head: ConsensusRecord<SimBlock> | null = null
  let seq = 0
  for (const a of r.actions) {
    if (a.type !== 'persist') continue
    entries.push({ seq: seq++, record: walRecordFor(a.record, r.state) })
    if (a.record.kind === 'committed') { head = a.record; entries = walRetained(entries, a.record.head.block.height) }
  }
  return { entries, head }
}

test('the restored head and the compacted WAL give the same state', () => {
  const r = new Replica('v3')
  let parent = SIM_GENESIS.hash
  for (let h = 1; h <= 6; h++) {
    const b = block(h, parent, 10 + h)
    r.receive(prePrepare('v0', 0, b)); r.receive(prepare('v1', 0, b)); r.receive(prepare('v2', 0, b))
    r.receive(commit('v1', 0, b)); r.receive(commit('v2', 0, b))
    parent = b.hash
  }
  const { entries, head } = engineWal(r)
  const full = restore(SIM_GENESIS, wal(r), opts), compact = restore(SIM_GENESIS, [head!, ...entries.map((e) => e.record)], opts)
  assert.is(full.head.height, 6)
  assert.equal(compact.head, full.head)
  assert.ok(entries.length < wal(r).length)
})

test('compaction keeps the own votes above the committed head (pipelining): no second vote after a restart', () => {
  const r = new Replica('v3')
  const b1 = block(1, SIM_GENESIS.hash, 11), b2 = block(2, b1.hash, 12), b3 = block(3, b2.hash, 13)
  // heights 2 and 3 are prepared and committed by this replica before height 1 commits
  for (const b of [b1, b2, b3]) { r.receive(prePrepare('v0', 0, b)); r.receive(prepare('v1', 0, b)); r.receive(prepare('v2', 0, b)) }
  assert.is(r.sent('commit').length, 3)
  r.receive(commit('v1', 0, b1)); r.receive(commit('v2', 0, b1))
  assert.is(r.state.head.height, 1)
  const { entries, head } = engineWal(r)
  const kept = entries.map((e) => e.record)
  assert.ok(kept.some((x) => x.kind === 'commit' && x.msg.height === 3), 'the commit vote at height 3 survives the commit of height 1')
  // restarted from what the engine kept: a conflicting block at height 2 in view 0 gets no vote
  const again = new Replica('v3', restore(SIM_GENESIS, [head!, ...kept], opts))
  again.input({ type: 'start', now: 20 })
  const other = block(2, b1.hash, 12, ['other'])
  again.receive(prePrepare('v0', 0, other)); again.receive(prepare('v1', 0, other)); again.receive(prepare('v2', 0, other))
  assert.is(again.sent('prepare').length, 0)
  assert.is(again.sent('commit').length, 0)
})

test.run()
