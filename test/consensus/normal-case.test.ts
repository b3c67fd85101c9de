import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { verifyCertificate } from '../../src/consensus/index.js'
import { block, commit, ctxOf, prePrepare, prepare, Replica } from './fixtures.js'

test('a replica does not accept a pre-prepare from a non-primary', () => {
  const r = new Replica('v2')
  r.receive(prePrepare('v1', 0, block()))
  assert.is(r.sent('prepare').length, 0)
})

test('a backup prepares a valid pre-prepare from the primary, persisting before it sends', () => {
  const r = new Replica('v2')
  const acts = r.receive(prePrepare('v0', 0, block()))
  const persistAt = acts.findIndex((a) => a.type === 'persist' && a.record.kind === 'prepare')
  const sendAt = acts.findIndex((a) => a.type === 'broadcast' && a.msg.type === 'prepare')
  assert.ok(persistAt >= 0 && sendAt > persistAt)
})

test('a replica never prepares a block that fails validation', () => {
  const r = new Replica('v2')
  r.receive(prePrepare('v0', 0, block(1, 'ff'.repeat(32))))
  r.receive(prePrepare('v0', 0, block(1, undefined, 10, ['invalid-x'])))
  assert.is(r.sent('prepare').length, 0)
})

test('a second block from the primary for one (view, height) is ignored', () => {
  const r = new Replica('v2')
  r.receive(prePrepare('v0', 0, block(1, undefined, 10, ['a'])))
  r.receive(prePrepare('v0', 0, block(1, undefined, 10, ['b'])))
  const prepares = r.sent('prepare')
  assert.is(prepares.length, 1)
  assert.is((prepares[0] as { digest: string }).digest, block(1, undefined, 10, ['a']).hash)
})

test('a message with a bad signature is ignored', () => {
  const r = new Replica('v2')
  const pp = prePrepare('v0', 0, block())
  r.receive({ ...pp, sig: ctxOf('v3').sign(new Uint8Array([1])) })
  assert.is(r.sent('prepare').length, 0)
})

test('a commit without a prepared certificate is ignored', () => {
  const r = new Replica('v3')
  const b = block()
  r.receive(prePrepare('v0', 0, b))
  for (const v of ['v0', 'v1', 'v2']) r.receive(commit(v, 0, b))
  assert.is(r.commits().length, 0, 'three commits but only its own prepare: not prepared')
  r.receive(prepare('v1', 0, b))
  assert.is(r.commits().length, 1, 'pre-prepare + 2f prepares + 2f+1 commits')
})

test('a committed block carries 2f+1 valid commit signatures over its checkpoint payload', () => {
  const r = new Replica('v3')
  const b = block()
  r.receive(prePrepare('v0', 0, b))
  r.receive(prepare('v1', 0, b))
  r.receive(prepare('v2', 0, b))
  assert.is(r.sent('commit').length, 1)
  r.receive(commit('v1', 0, b))
  assert.is(r.commits().length, 0, 'two commits are not 2f+1')
  r.receive(commit('v2', 0, b))
  const c = r.actions.find((a) => a.type === 'commit')
  assert.ok(c && c.type === 'commit' && verifyCertificate(ctxOf('v0'), c.block, c.certificate))
  assert.is(r.state.head.height, 1)
})

test('commits with forged certificate signatures do not commit', () => {
  const r = new Replica('v3')
  const b = block()
  r.receive(prePrepare('v0', 0, b))
  r.receive(prepare('v1', 0, b))
  r.receive(prepare('v2', 0, b))
  const bad = commit('v1', 0, b)
  r.receive({ ...bad, certSig: ctxOf('v0').sign(new Uint8Array([9])), sig: ctxOf('v1').sign(new Uint8Array()) })
  r.receive(commit('v2', 0, b))
  assert.is(r.commits().length, 0)
})

test('duplicate prepares from one replica count once', () => {
  const r = new Replica('v3')
  const b = block()
  r.receive(prePrepare('v0', 0, b))
  r.receive(prepare('v1', 0, b))
  r.receive(prepare('v1', 0, b))
  assert.is(r.state.slots.get(1)!.prepares.get(0)!.size, 2, 'own prepare and one from v1')
  assert.is(r.sent('commit').length, 1)
  r.receive(commit('v1', 0, b))
  r.receive(commit('v1', 0, b))
  assert.is(r.commits().length, 0, 'own commit + v1 twice is not 2f+1')
})

test('commits are emitted strictly in height order (buffered next height waits)', () => {
  const r = new Replica('v3')
  const b1 = block(1), b2 = block(2, b1.hash, 11)
  for (const [b, h] of [[b2, 2], [b1, 1]] as const) {
    r.receive(prePrepare('v0', 0, b))
    r.receive(prepare('v1', 0, b)); r.receive(prepare('v2', 0, b))
    r.receive(commit('v1', 0, b)); r.receive(commit('v2', 0, b))
    void h
  }
  assert.equal(r.commits().map((b) => b.height), [1, 2])
})

test('a replica one height behind commits a certified block sent as a checkpoint', () => {
  const ahead = new Replica('v3'), behind = new Replica('v1')
  const b = block()
  ahead.receive(prePrepare('v0', 0, b)); ahead.receive(prepare('v1', 0, b)); ahead.receive(prepare('v2', 0, b))
  ahead.receive(commit('v1', 0, b)); ahead.receive(commit('v2', 0, b))
  ahead.receive(prepare('v1', 0, b)) // stale message from a replica still at height 1
  const ckpt = ahead.sent('checkpoint')
  assert.is(ckpt.length, 1)
  behind.receive(ckpt[0]!)
  assert.is(behind.state.head.height, 1)
})

test('every K-th committed height becomes the stable checkpoint and older messages are pruned', () => {
  const r = new Replica('v3')
  let parent = block(0).parent
  for (let h = 1; h <= 5; h++) {
    const b = block(h, parent, 10 + h)
    r.receive(prePrepare('v0', 0, b)); r.receive(prepare('v1', 0, b)); r.receive(prepare('v2', 0, b))
    r.receive(commit('v1', 0, b)); r.receive(commit('v2', 0, b))
    parent = b.hash
  }
  assert.is(r.state.head.height, 5)
  assert.is(r.state.stableHeight, 4)
  assert.ok([...r.state.slots.keys()].every((h) => h > 5))
})

test.run()
