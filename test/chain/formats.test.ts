// Frozen on-disk and wire formats: a change here is a visible, deliberate decision.
// Regenerate with UPDATE_FIXTURES=1 only together with a format version bump.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { blockCheckpointBody, blockEvidence, genesisHash, makeBlock, recordJson, signTx } from '../../src/chain/index.js'
import { encodeMessage, signedPayload } from '../../src/consensus/index.js'
import { ed25519Sign } from '../../src/crypto/index.js'
import { fromUtf8, toHex } from '../../src/util/index.js'
import { repoPath } from '../helpers.js'
import { genesis, seeds } from './fixture.js'

function sample(): Record<string, string> {
  const p = signTx({ v: 1, chain: 'testchain', type: 'deposit', from: 'notary-1', nonce: 42, items: [{ digests: { sha256: 'ab'.repeat(32), sm3: 'cd'.repeat(32) }, meta: { label: '合同.pdf', caseNo: '(2026)京0491民初1号', size: 1024 } }] }, genesisHash(genesis), (m) => ed25519Sign(seeds['notary-1']!, m))
  const pb = makeBlock({ chain: 'testchain', height: 1, time: genesis.time + 1, parent: genesisHash(genesis), logSize: 1, logRoot: 'ef'.repeat(32) }, [p])
  const [ev] = blockEvidence(pb, 0)
  const prepareMsg = { type: 'prepare', view: 3, height: 1, digest: pb.hash, from: 'court-2', sig: ed25519Sign(seeds['court-2']!, new Uint8Array([1])) } as const
  const prepare = encodeMessage(prepareMsg, () => new Uint8Array())
  return {
    genesisHash: genesisHash(genesis),
    txSigningBytes: toHex(p.signingBytes),
    txHash: p.hash,
    txSig: p.tx.sig,
    txSignedHash: p.signedHash,
    blockBytes: toHex(pb.bytes),
    blockHash: pb.hash,
    leafBytes: recordJson(ev!.record),
    evidenceId: ev!.id,
    checkpointBody: blockCheckpointBody(pb),
    pbftPrepare: toHex(prepare),
    pbftPrepareSignedPayload: fromUtf8(signedPayload({ chainId: genesis.chainId, genesis: { hash: genesisHash(genesis) } }, prepareMsg)),
  }
}

test('tx, block, leaf, checkpoint and PBFT encodings match the frozen fixture', () => {
  const file = repoPath('test', 'fixtures', 'formats.json')
  const now = sample()
  if (process.env.UPDATE_FIXTURES === '1' || !existsSync(file)) writeFileSync(file, JSON.stringify(now, null, 2) + '\n')
  assert.equal(now, JSON.parse(readFileSync(file, 'utf8')))
})

test('the frozen tx is signed for the genesis, and the block\'s tx root is over its signed hash, recomputed from docs/internals.md', () => {
  const f = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'formats.json'), 'utf8')) as Record<string, string>
  const sha = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex')
  const signing = Buffer.from(f.txSigningBytes!, 'hex').toString('utf8')
  assert.ok(signing.startsWith(`courtchain/tx/v2\n{"chain":"testchain","count":1,"from":"notary-1","genesis":"${f.genesisHash}","itemsRoot":"`), signing)
  assert.is(f.txHash, sha(Buffer.from(f.txSigningBytes!, 'hex')))
  assert.ok(f.pbftPrepareSignedPayload!.startsWith(`courtchain/pbft/v2\nprepare\ntestchain\n${f.genesisHash}\n[3,1,"${f.blockHash}","court-2"]`))
  const signed = sha(Buffer.from('courtchain/signed-tx/v1\n'), Buffer.from(f.txHash!, 'hex'), Buffer.from(f.txSig!, 'hex'))
  assert.is(f.txSignedHash, signed)
  const txRoot = sha(Buffer.of(0), Buffer.from(signed, 'hex')) // one leaf: its leaf hash is the root
  assert.ok(f.blockBytes!.includes(Buffer.from(txRoot).toString('hex')), 'the header carries that tx root')
})

test.run()
