// A Byzantine primary (court-1, primary of view 0, started with `--byzantine swap-sig`) proposes
// each block with a pending tx's signature swapped for its own: 4 validator processes under
// deposit load. The honest validators refuse the proposal, a view change follows, the chain
// moves on, and no committed tx carries a signature other than its sender's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseTx, type Block } from '../../src/chain/index.js'
import { ed25519Verify } from '../../src/crypto/index.js'
import { fromHex } from '../../src/util/index.js'
import { ChaosCluster, sleep } from '../../scripts/chaos/cluster.js'

test('a primary that swaps a pending tx\'s signature has its block refused; a view change follows and every committed signature is the sender\'s', async () => {
  const c = await ChaosCluster.create({ nodes: 4, logLevel: 'info' })
  try {
    c.ids.forEach((_, i) => c.start(i, i === 0 ? ['--byzantine', 'swap-sig'] : []))
    for (const i of c.ids.keys()) assert.ok(await c.waitServing(i, 60_000), `${c.ids[i]} serves\n${c.logs(i)}`)
    assert.is((await c.status(1))?.primary, 'court-1', 'the Byzantine node is the primary of view 0')

    const results = []
    for (let k = 0; k < 4; k++) results.push(await c.deposit(1 + (k % 3), `swap-sig/${Date.now()}/${k}`, { timeoutMs: 40_000 }))
    for (const r of results) assert.is(r.body.status, 'committed', JSON.stringify(r.body))

    // Every committed tx, on every node, carries its sender's own signature.
    await sleep(500)
    const height = Math.min(...(await Promise.all(c.ids.map((_, i) => c.status(i)))).map((s) => s?.height ?? 0))
    const limits = { chainId: c.genesis.chainId, genesisHash: c.genesisHash, maxTxItems: c.genesis.consensus.maxTxItems }
    const keyOf = new Map(c.genesis.members.map((m) => [m.id, fromHex(m.publicKey)]))
    let txs = 0
    for (let h = 1; h <= height; h++) {
      const views = await Promise.all(c.ids.map((_, i) => c.get(i, `/v1/blocks/${h}`) as Promise<{ hash: string; block: Block }>))
      assert.is(new Set(views.map((v) => v.hash)).size, 1, `one block at height ${h}`)
      views.forEach((v, i) => {
        for (const tx of v.block.txs) {
          const p = parseTx(tx, limits)
          assert.ok(ed25519Verify(keyOf.get(tx.from)!, p.signingBytes, fromHex(tx.sig)), `tx ${p.hash} at height ${h} on ${c.ids[i]} is signed by ${tx.from}`)
        }
      })
      txs += views[0]!.block.txs.length
    }
    assert.ok(txs >= results.length, `${txs} committed txs checked`)

    // Refused by the honest validators, then a view change.
    const honest = await Promise.all([1, 2, 3].map((i) => c.status(i)))
    assert.ok(honest.every((s) => s && s.view >= 1), `a view change: views ${honest.map((s) => s?.view).join(',')}`)
    assert.ok([1, 2, 3].some((i) => c.logs(i, 2000).split('\n').some((l) => l.includes('rejected proposal') && /signature of tx [0-9a-f]{64} does not verify/.test(l))), 'an honest validator refused the swapped block')
  } finally {
    await c.stop(process.env.CC_KEEP === '1')
  }
})

test.run()
