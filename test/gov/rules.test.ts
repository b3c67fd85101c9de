// Governance rules (issue 7): approval threshold, who may vote, expiry, each action, epochs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkCommitCertificate, validateGenesis, parseGovItem, type ChainError, type GovAction } from '../../src/chain/index.js'
import { isNodeError } from '../../src/util/index.js'
import { genesis, keyOf, propose, state0, TestChain, vote, certify } from './helpers.js'
import { deposit, parent0, seeds } from '../chain/fixture.js'
import { signTx } from '../../src/chain/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'

const court5 = new Uint8Array(32).fill(42)
const newUnit = new Uint8Array(32).fill(43)
const addCourt5: GovAction = { type: 'addMember', id: 'court-5', role: 'court', publicKey: keyOf(court5), peerId: '12D3KooWCourtFive', addrs: ['/ip4/127.0.0.1/tcp/26699'] }

function throwsCode(fn: () => unknown, code: string, what: string): void {
  try { fn() } catch (e) { assert.ok(isNodeError(e, code), `${what}: expected ${code}, got ${(e as ChainError).message}`); return }
  assert.unreachable(`${what}: expected ${code}`)
}

/** Proposes `action` by court-1 and approves it with courts 2.. (3 of 4 > 2/3; 4 of 5 once court-5 is a court). */
function pass(c: TestChain, action: GovAction, approvals = 3): void {
  const p = propose('court-1', action)
  c.block([p])
  c.block(['court-2', 'court-3', 'court-4'].slice(0, approvals - 1).map((id) => vote(id, TestChain.id(p))))
  assert.not.ok(c.state.proposals.has(TestChain.id(p)), 'passed')
}

test('a proposal applies in the block where more than 2/3 of the active courts approved it', () => {
  const c = new TestChain()
  const p = propose('court-1', { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) })
  c.block([p])
  c.block([vote('court-2', TestChain.id(p))])
  assert.not.ok(c.state.members.has('notary-9'), '2 of 4 is not more than 2/3')
  assert.ok(c.state.proposals.has(TestChain.id(p)))
  c.block([vote('court-3', TestChain.id(p))])
  assert.ok(c.state.members.get('notary-9')?.active, '3 of 4 approved: applied')
  assert.not.ok(c.state.proposals.has(TestChain.id(p)), 'an applied proposal is closed')
})

test('units cannot propose or vote', () => {
  const c = new TestChain()
  throwsCode(() => c.block([propose('notary-1', { type: 'retireChain', origin: 'x' })]), 'TX_FORBIDDEN', 'unit proposes')
  const p = propose('court-1', { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) })
  c.block([p])
  throwsCode(() => c.block([vote('notary-1', TestChain.id(p))]), 'TX_FORBIDDEN', 'unit votes')
})

test('a member cannot approve the same proposal twice', () => {
  const c = new TestChain()
  const p = propose('court-1', { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) })
  c.block([p])
  throwsCode(() => c.block([vote('court-1', TestChain.id(p))]), 'TX_FORBIDDEN', 'proposer votes again')
  c.block([vote('court-2', TestChain.id(p))])
  throwsCode(() => c.block([vote('court-2', TestChain.id(p))]), 'TX_FORBIDDEN', 'second vote')
})

test('a proposal expires after its ttl, and a change approved by too few courts never takes effect', () => {
  const c = new TestChain()
  const p = propose('court-1', { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) }, 2)
  c.block([p])
  c.block([vote('court-2', TestChain.id(p))])
  c.until(4)
  assert.not.ok(c.state.proposals.has(TestChain.id(p)), 'expired')
  throwsCode(() => c.block([vote('court-3', TestChain.id(p))]), 'TX_FORBIDDEN', 'vote on an expired proposal')
  assert.not.ok(c.state.members.has('notary-9'))
})

test('addMember onboards a unit that may then deposit; retireMember refuses its new txs', () => {
  const c = new TestChain()
  pass(c, { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) })
  const dep = (n: number) => signTx({ v: 1, chain: 'testchain', type: 'deposit', from: 'notary-9', nonce: n, items: [{ digests: { sha256: 'ab'.repeat(32) } }] }, parent0.hash, (m) => ed25519Sign(newUnit, m))
  c.block([dep(1)])
  pass(c, { type: 'retireMember', id: 'notary-9' })
  assert.is(c.state.members.get('notary-9')?.active, false)
  throwsCode(() => c.block([dep(2)]), 'TX_MEMBER_RETIRED', 'deposit after retirement')
})

test('rotateKey: txs must then be signed with the new key', () => {
  const c = new TestChain()
  const fresh = new Uint8Array(32).fill(44)
  pass(c, { type: 'rotateKey', id: 'notary-1', publicKey: keyOf(fresh) })
  throwsCode(() => c.block([deposit('notary-1')]), 'TX_BAD_SIGNATURE', 'old key')
  c.block([signTx({ v: 1, chain: 'testchain', type: 'deposit', from: 'notary-1', nonce: 77, items: [{ digests: { sha256: 'cd'.repeat(32) } }] }, parent0.hash, (m) => ed25519Sign(fresh, m))])
})

test('a validator may be neither retired nor have its key rotated (it would need a handover)', () => {
  const c = new TestChain()
  throwsCode(() => c.block([propose('court-1', { type: 'retireMember', id: 'court-4' })]), 'TX_FORBIDDEN', 'retire validator')
  throwsCode(() => c.block([propose('court-1', { type: 'rotateKey', id: 'court-4', publicKey: keyOf(newUnit) })]), 'TX_FORBIDDEN', 'rotate validator key')
})

test('setRole makes a unit a court that may then govern', () => {
  const c = new TestChain()
  pass(c, { type: 'setRole', id: 'notary-1', role: 'court' })
  assert.is(c.state.members.get('notary-1')?.role, 'court')
  c.block([propose('notary-1', { type: 'setParams', params: { blockIntervalMs: 30 } })])
  throwsCode(() => c.block([propose('court-1', { type: 'setRole', id: 'notary-1', role: 'court' })]), 'TX_FORBIDDEN', 'same role')
})

test('setParams changes consensus timings; an empty change is refused', () => {
  const c = new TestChain()
  pass(c, { type: 'setParams', params: { viewTimeoutMs: 3000, blockIntervalMs: 25 } })
  assert.is(c.state.params.viewTimeoutMs, 3000)
  assert.is(c.state.params.blockIntervalMs, 25)
  throwsCode(() => c.block([propose('court-1', { type: 'setParams', params: {} })]), 'TX_FORBIDDEN', 'empty setParams')
  throwsCode(() => parseGovItem({ op: 'propose', action: { type: 'setParams', params: { maxBlockTxs: 1 } }, ttl: 0 }, 'item'), 'TX_BAD_FORMAT', 'size params are genesis-fixed')
})

test('setParams changes the block time bounds (precision and message delay)', () => {
  const action: GovAction = { type: 'setParams', params: { maxClockSkewMs: 250, messageDelayMs: 6000 } }
  assert.not.throws(() => parseGovItem({ op: 'propose', action, ttl: 0 }, 'item'), 'a node admits the tx')
  const c = new TestChain()
  pass(c, action)
  assert.equal([c.state.params.maxClockSkewMs, c.state.params.messageDelayMs], [250, 6000])
  throwsCode(() => c.block([propose('court-1', { type: 'setParams', params: { messageDelayMs: 0 } })]), 'TX_FORBIDDEN', 'no message delay')
})

test('setGovernance changes the approval rule, by the current rule', () => {
  const c = new TestChain()
  pass(c, { type: 'setGovernance', approvalNumerator: 3, approvalDenominator: 4 })
  assert.equal(c.state.governance, { approvalNumerator: 3, approvalDenominator: 4, epochDelay: 4 })
  const p = propose('court-1', { type: 'addMember', id: 'notary-9', role: 'unit', publicKey: keyOf(newUnit) })
  c.block([p])
  c.block([vote('court-2', TestChain.id(p)), vote('court-3', TestChain.id(p))])
  assert.not.ok(c.state.members.has('notary-9'), '3 of 4 is not more than 3/4')
  c.block([vote('court-4', TestChain.id(p))])
  assert.ok(c.state.members.has('notary-9'))
  throwsCode(() => c.block([propose('court-1', { type: 'setGovernance', approvalNumerator: 1, approvalDenominator: 3 })]), 'TX_FORBIDDEN', 'below one half')
})

test('genesis governance is optional and validated', () => {
  const base = JSON.parse(JSON.stringify(genesis))
  assert.equal(state0.governance, { approvalNumerator: 2, approvalDenominator: 3, epochDelay: 4 })
  validateGenesis({ ...base, governance: { approvalNumerator: 1, approvalDenominator: 2, epochDelay: 10 } })
  throwsCode(() => validateGenesis({ ...base, governance: { approvalNumerator: 1, approvalDenominator: 3 } }), 'GENESIS_INVALID', 'one third')
  throwsCode(() => validateGenesis({ ...base, governance: { approvalNumerator: 3, approvalDenominator: 3 } }), 'GENESIS_INVALID', 'unanimity+')
  throwsCode(() => validateGenesis({ ...base, governance: { approvalNumerator: 2, approvalDenominator: 3, epochDelay: 1 } }), 'GENESIS_INVALID', 'epochDelay 1')
  throwsCode(() => validateGenesis({ ...base, governance: { approvalNumerator: 2, approvalDenominator: 3, quorum: 1 } }), 'GENESIS_INVALID', 'unknown field')
})

test('addValidator needs an active member running a node', () => {
  const c = new TestChain()
  throwsCode(() => c.block([propose('court-1', { type: 'addValidator', id: 'notary-1' })]), 'TX_FORBIDDEN', 'no peerId')
  throwsCode(() => c.block([propose('court-1', { type: 'addValidator', id: 'court-2' })]), 'TX_FORBIDDEN', 'already a validator')
})

test('addValidator schedules the new set epochDelay blocks after approval; the epoch\'s last block names the handover', () => {
  const c = new TestChain()
  pass(c, addCourt5)
  pass(c, { type: 'addValidator', id: 'court-5' }, 4)
  const approvedAt = c.parent.height
  const pending = c.state.pendingEpoch!
  assert.is(pending.start, approvedAt + 4)
  assert.is(pending.epoch, 1)
  assert.equal(pending.validators.map((v) => v.id), ['court-1', 'court-2', 'court-3', 'court-4', 'court-5'])
  assert.equal(c.state.validators, ['court-1', 'court-2', 'court-3', 'court-4'], 'not in force yet')
  throwsCode(() => c.block([propose('court-1', { type: 'removeValidator', id: 'court-4' })]), 'TX_FORBIDDEN', 'a second change while one is pending')
  c.until(pending.start - 2)
  throwsCode(() => new TestChain().block([], { handover: 'ab'.repeat(32) }), 'BLOCK_BAD_FORMAT', 'a handover where none is due')
  const saved = { state: c.state, parent: c.parent }
  throwsCode(() => c.block([], { handover: null }), 'BLOCK_BAD_FORMAT', 'the epoch\'s last block without its handover')
  Object.assign(c, saved)
  const last = c.block()
  assert.is(last.block.header.handover, pending.hash)
  assert.is(c.state.validators.length, 5)
  assert.is(c.state.members.get('court-5')?.validator, true)
  assert.is(c.state.epochs.length, 2)
  assert.is(c.state.pendingEpoch, null)
  // Certificates are checked with the set in force at each block's height.
  const signers4 = ['court-1', 'court-2', 'court-3']
  assert.equal(checkCommitCertificate(last, certify(last, signers4), c.state), signers4, 'old block, old set')
  const next = c.block()
  const keys = { ...seeds, 'court-5': court5 }
  throwsCode(() => checkCommitCertificate(next, certify(next, ['court-1', 'court-2'], keys), c.state), 'CERT_INVALID', '2 of 5')
  assert.equal(checkCommitCertificate(next, certify(next, ['court-2', 'court-5', 'court-1'], keys), c.state).length, 3, '3 of 5 with the new validator')
})

test('removeValidator shrinks the set at the boundary; the last validator cannot be removed', () => {
  const c = new TestChain()
  pass(c, { type: 'removeValidator', id: 'court-4' })
  c.until(c.state.pendingEpoch!.start - 1)
  assert.equal(c.state.validators, ['court-1', 'court-2', 'court-3'])
  assert.is(c.state.members.get('court-4')?.validator, false)
  pass(c, { type: 'retireMember', id: 'court-4' }) // no longer a validator: may retire
  assert.is(c.state.members.get('court-4')?.active, false)
})

test('an approved proposal that no longer applies is dropped, not the block that approved it', () => {
  const c = new TestChain()
  pass(c, addCourt5)
  const a = propose('court-1', { type: 'addValidator', id: 'court-5' })
  const b = propose('court-2', { type: 'removeValidator', id: 'court-4' })
  c.block([a, b])
  c.block(['court-2', 'court-3', 'court-4'].map((id) => vote(id, TestChain.id(a))))
  assert.ok(c.state.pendingEpoch)
  c.block(['court-1', 'court-3', 'court-4'].map((id) => vote(id, TestChain.id(b))))
  assert.not.ok(c.state.proposals.has(TestChain.id(b)), 'dropped')
  assert.is(c.state.pendingEpoch!.validators.length, 5, 'the first change stands')
})

test.run()
