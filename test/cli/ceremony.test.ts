// The genesis ceremony: member cards signed by the keys they name, and a genesis assembled only
// from cards whose signatures, peer ids and chain ids check.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMemberCard, signMemberCard, type GenesisMember, type MemberCard } from '../../src/chain/index.js'
import { membersFromCards } from '../../src/cli/commands/genesis.js'
import { ed25519Sign, ed25519Verify, generateKeyPair } from '../../src/crypto/index.js'
import { peerIdFromSeed } from '../../src/p2p/index.js'
import { isNodeError, toHex } from '../../src/util/index.js'

let dir = ''
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'cc-cards-')) })
test.after(async () => { await rm(dir, { recursive: true, force: true }) })

const keyOf = (): { seed: Uint8Array; publicKey: Uint8Array } => generateKeyPair()
function card(id: string, o: { validator?: boolean; chainId?: string; key?: ReturnType<typeof keyOf> } = {}): MemberCard {
  const k = o.key ?? keyOf()
  const m: GenesisMember = {
    id, role: id.startsWith('court') ? 'court' : 'unit', publicKey: toHex(k.publicKey),
    ...(o.validator ? { validator: true, peerId: peerIdFromSeed(k.seed), addrs: [`/ip4/127.0.0.${id.at(-1)}/tcp/26601`] } : {}),
  }
  return signMemberCard(m, (msg) => ed25519Sign(k.seed, msg), o.chainId)
}
async function files(...cards: unknown[]): Promise<string[]> {
  return Promise.all(cards.map(async (c, i) => { const f = join(dir, `${Math.random()}-${i}.json`); await writeFile(f, JSON.stringify(c)); return f }))
}
async function refused(p: Promise<unknown>, match: string): Promise<void> {
  try { await p } catch (e) { assert.ok(isNodeError(e, 'MEMBER_CARD_INVALID'), (e as Error).message); assert.match((e as Error).message, match); return }
  assert.unreachable('expected MEMBER_CARD_INVALID')
}

test('a card verifies with the key it names', () => {
  const c = card('court-1', { validator: true })
  assert.equal(parseMemberCard(JSON.parse(JSON.stringify(c)), ed25519Verify), c)
})

test('a card whose address was changed after signing is refused', async () => {
  const c = card('court-2', { validator: true })
  await refused(membersFromCards(await files({ ...c, addrs: ['/ip4/10.9.9.9/tcp/26601'] }), 'x'), 'signature')
})

test('a card signed by another key than the one it names is refused', async () => {
  const c = card('court-2', { validator: true })
  const other = card('court-2', { validator: true })
  await refused(membersFromCards(await files({ ...c, sig: other.sig }), 'x'), 'signature')
})

test('a card whose peer id belongs to another key is refused', async () => {
  const k = keyOf()
  const m: GenesisMember = { id: 'court-3', role: 'court', validator: true, publicKey: toHex(k.publicKey), peerId: peerIdFromSeed(keyOf().seed), addrs: ['/ip4/127.0.0.3/tcp/1'] }
  await refused(membersFromCards(await files(signMemberCard(m, (msg) => ed25519Sign(k.seed, msg))), 'x'), 'peer id')
})

test('a card bound to another chain, with unknown fields, or a validator without an address is refused', async () => {
  await refused(membersFromCards(await files(card('court-1', { chainId: 'other' })), 'mine'), 'chain "other"')
  await refused(membersFromCards(await files({ ...card('court-1'), extra: 1 }), 'x'), 'unknown field "extra"')
  const k = keyOf()
  const noAddr = signMemberCard({ id: 'court-4', role: 'court', validator: true, publicKey: toHex(k.publicKey) }, (msg) => ed25519Sign(k.seed, msg))
  await refused(membersFromCards(await files(noAddr), 'x'), 'needs a peerId and addrs')
})

test('the genesis members do not depend on the order of the card files: validators first, each group by id', async () => {
  const cards = [card('notary-1'), card('court-2', { validator: true }), card('court-1', { validator: true, chainId: 'mine' }), card('court-0')]
  const a = await membersFromCards(await files(...cards), 'mine')
  const b = await membersFromCards(await files(...cards.reverse()), 'mine')
  assert.equal(a.map((m) => m.id), ['court-1', 'court-2', 'court-0', 'notary-1'])
  assert.equal(a, b)
  assert.not.ok('sig' in a[0]! || 'format' in a[0]! || 'chainId' in a[0]!, 'only the genesis entry')
})

test.run()
