// A small chain built from real keys for the chain tests: 4 court validators, 2 units.
import { DEFAULT_CONSENSUS, genesisHash, initialState, makeBlock, signTx, validateGenesis, type BlockLimits, type Genesis, type PreparedTx, type UnsignedTx } from '../../src/chain/index.js'
import { ed25519PublicKey, ed25519Sign } from '../../src/crypto/index.js'
import { toHex } from '../../src/util/index.js'

export const seeds = Object.fromEntries(['court-1', 'court-2', 'court-3', 'court-4', 'notary-1', 'copyright-1'].map((id, i) => [id, new Uint8Array(32).fill(i + 1)])) as Record<string, Uint8Array>

export const genesis: Genesis = validateGenesis({
  v: 1, chainId: 'testchain', time: 1_700_000_000_000,
  members: Object.entries(seeds).map(([id, seed], i) => ({
    id, role: id.startsWith('court') ? 'court' : 'unit', publicKey: toHex(ed25519PublicKey(seed)),
    ...(id.startsWith('court') ? { validator: true, peerId: '12D3KooWFixture' + 'abcdef'[i], addrs: [`/ip4/127.0.0.1/tcp/${26600 + i}`] } : {}),
  })),
  // written out, not DEFAULT_CONSENSUS: the frozen formats fixture hashes this genesis
  consensus: {
    maxBlockTxs: 4000, maxBlockBytes: 8 * 1024 * 1024, maxTxItems: 1000, maxTxBytes: 1024 * 1024, blockIntervalMs: 20,
    viewTimeoutMs: 2000, requestTimeoutMs: 4000, maxClockSkewMs: 5000, checkpointInterval: 64, watermarkWindow: 128,
  },
})
export const state0 = initialState(genesis)
export const parent0 = { hash: genesisHash(genesis), height: 0, time: genesis.time }
export const limits: BlockLimits = {
  chainId: genesis.chainId, genesisHash: parent0.hash,
  maxBlockBytes: genesis.consensus.maxBlockBytes, maxBlockTxs: genesis.consensus.maxBlockTxs, maxTxItems: genesis.consensus.maxTxItems,
}

let nonce = 1
export function deposit(from = 'notary-1', digests: string[] = ['aa'.repeat(32)], extra: Partial<UnsignedTx> = {}): PreparedTx {
  return signTx({ v: 1, chain: 'testchain', type: 'deposit', from, nonce: nonce++, items: digests.map((d) => ({ digests: { sha256: d } })), ...extra } as UnsignedTx, parent0.hash, (m) => ed25519Sign(seeds[from]!, m))
}

export function block1(txs: PreparedTx[], logSize = 0, logRoot = '00'.repeat(32), time = genesis.time + 1000) {
  return makeBlock({ chain: 'testchain', height: 1, time, parent: parent0.hash, logSize, logRoot }, txs)
}
