// Verifiable validator-set history (issue 7): a verifier holding only genesis walks the
// handovers; each must be certified by a quorum of the outgoing set.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type GovAction, type TrustRoot } from '../../src/chain/index.js'
import { trustedEpochs, certifiersAt } from '../../src/verify/index.js'
import { isNodeError } from '../../src/util/index.js'
import { keyOf, propose, seeds, TestChain, trustRootOf, vote } from './helpers.js'

const court5 = new Uint8Array(32).fill(42)
seeds['court-5'] = court5 // so court-5 can vote once admitted
const keys = seeds

/** genesis → epoch 1 (court-5 added) → epoch 2 (court-4 removed). */
function twoHandovers(): TestChain {
  const c = new TestChain()
  const run = (action: GovAction, voters: string[]): void => {
    const p = propose('court-1', action)
    c.block([p])
    c.block(voters.map((id) => vote(id, TestChain.id(p))))
  }
  run({ type: 'addMember', id: 'court-5', role: 'court', publicKey: keyOf(court5), peerId: '12D3KooWCourtFive', addrs: ['/ip4/127.0.0.1/tcp/1'] }, ['court-2', 'court-3'])
  run({ type: 'addValidator', id: 'court-5' }, ['court-2', 'court-3', 'court-4'])
  c.until(c.state.pendingEpoch!.start)
  run({ type: 'removeValidator', id: 'court-4' }, ['court-2', 'court-3', 'court-5'])
  c.until(c.state.pendingEpoch!.start)
  return c
}

const clone = (t: TrustRoot): TrustRoot => JSON.parse(JSON.stringify(t))
function rejects(t: TrustRoot, what: string): void {
  try { trustedEpochs(t) } catch (e) { assert.ok(isNodeError(e, 'HANDOVER_INVALID') || isNodeError(e, 'TRUST_ROOT_INVALID'), `${what}: ${(e as Error).message}`); return }
  assert.unreachable(`${what}: accepted`)
}

test('a verifier with genesis alone accepts the history and finds the set of every height', () => {
  const c = twoHandovers()
  const t = trustRootOf(c, (ids) => ids.slice(0, ids.length === 5 ? 3 : 3), keys)
  const epochs = trustedEpochs(t)
  assert.is(epochs.length, 3)
  assert.equal(epochs.map((e) => e.validators.map((v) => v.id).join(',')), ['court-1,court-2,court-3,court-4', 'court-1,court-2,court-3,court-4,court-5', 'court-1,court-2,court-3,court-5'])
  assert.equal(epochs, c.state.epochs, 'the same epochs the chain state holds')
  assert.is(certifiersAt(epochs, epochs[1]!.start - 1).epoch.epoch, 0, 'the handover block is certified by the outgoing set')
  assert.is(certifiersAt(epochs, epochs[1]!.start).epoch.epoch, 1)
  assert.is(certifiersAt(epochs, epochs[2]!.start).quorum, 3)
})

test('rejects a handover signed by less than the outgoing quorum', () => {
  const c = twoHandovers()
  rejects(trustRootOf(c, (ids) => ids.slice(0, 2), keys), '2 of 4 signatures')
  // epoch 1 → 2: 5 validators, quorum 3 — two signatures are not enough
  rejects(trustRootOf(c, (ids) => ids.slice(0, ids.length === 5 ? 2 : 3), keys), '2 of 5 signatures')
})

test('rejects a handover certified by the incoming set instead of the outgoing one', () => {
  const c = twoHandovers()
  // epoch 0 → 1 signed by court-5 with two old validators: court-5 is not in the outgoing set
  rejects(trustRootOf(c, (ids) => ids.length === 4 && ids.includes('court-4') && !ids.includes('court-5') ? ['court-1', 'court-2', 'court-5'] : ids.slice(0, 3), keys), 'signed with the new key')
})

test('rejects a handover whose set, link, order or header was altered', () => {
  const t = trustRootOf(twoHandovers(), (ids) => ids.slice(0, 3), keys)
  const evil = new Uint8Array(32).fill(99)
  let x = clone(t); x.history[0]!.validators[4]!.publicKey = keyOf(evil); rejects(x, 'swapped key')
  x = clone(t); x.history[0]!.validators.pop(); rejects(x, 'dropped validator')
  x = clone(t); x.history[1]!.prev = x.history[0]!.prev; rejects(x, 'broken link')
  x = clone(t); x.history.reverse(); rejects(x, 'reordered')
  x = clone(t); x.history[0]!.header.time += 1; rejects(x, 'header not the certified block')
  x = clone(t); x.history[0]!.start += 1; rejects(x, 'moved start')
  x = clone(t); x.history = x.history.slice(1); rejects(x, 'skipped epoch')
  assert.is(trustedEpochs(clone(t)).length, 3, 'the untouched copy still verifies')
})

test.run()
