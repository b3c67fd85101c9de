// A tiny real chain for the web page's tests: a genesis with 4 validator keys and one unit, blocks
// of signed deposit txs, commit certificates signed by real validator votes, receipts assembled as
// src/node/receipts.ts does (assembleReceipt), and RpcDeps reading from all that. No fakes: every byte verifies.
import {
  assembleCertificate, assembleReceipt, blockCheckpointBody, blockEvidence, recordJson, DEFAULT_CONSENSUS, genesisHash, initialState, makeBlock, signTx,
  TRUST_ROOT_FORMAT, type EvidenceItem, type Genesis, type PlacedEvidence, type PreparedBlock, type PreparedTx, type Receipt, type TrustRoot,
} from '../../src/chain/index.js'
import { formatTlogProof } from '../../src/checkpoint/index.js'
import { ed25519Sign, generateKeyPair, sha256, sm3 } from '../../src/crypto/index.js'
import { inclusionProof, rootFromLeafHashes } from '../../src/merkle/index.js'
import type { RpcDeps, StatusView } from '../../src/rpc/deps.js'
import { fromBase64, toHex, utf8 } from '../../src/util/index.js'
import { repoPath } from '../helpers.js'

export interface TestChain {
  genesis: Genesis
  trustRoot: TrustRoot
  blocks: { pb: PreparedBlock; certificate: string; placed: PlacedEvidence[] }[]
  /** The file deposited in block 1 by notary-1, with its label and case number. */
  depositedFile: Uint8Array
  caseNo: string
  deps: RpcDeps
  /** Commits one more block with one deposit of `content` (a fresh file when omitted) by `from` (notary-1). */
  addBlock(content?: Uint8Array, from?: string): void
  receipt(id: string): Receipt | null
  /** Every member's key (court-1…4, notary-1), for tests that sign what the chain did not. */
  keys: ReadonlyMap<string, { seed: Uint8Array; publicKey: Uint8Array }>
}

const VALIDATORS = ['court-1', 'court-2', 'court-3', 'court-4']

/** `laterMembers`: units with keys but not in genesis, as if admitted by governance later. */
export function makeTestChain(opts: { startTime?: number; laterMembers?: string[] } = {}): TestChain {
  const keys = new Map([...VALIDATORS, 'notary-1', ...(opts.laterMembers ?? [])].map((id) => [id, generateKeyPair()]))
  const genesis: Genesis = {
    v: 1, chainId: 'webtest', time: opts.startTime ?? Date.UTC(2025, 10, 27, 8, 0, 0), testChain: true,
    members: [
      ...VALIDATORS.map((id, i) => ({ id, role: 'court' as const, publicKey: toHex(keys.get(id)!.publicKey), validator: true,
        peerId: `12D3KooWTest${i}`, addrs: [`/ip4/127.0.0.1/tcp/${26601 + i}`] })),
      { id: 'notary-1', role: 'unit' as const, publicKey: toHex(keys.get('notary-1')!.publicKey) },
    ],
    consensus: DEFAULT_CONSENSUS,
  }
  const state = initialState(genesis)
  const trustRoot: TrustRoot = { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history: [] }
  const blocks: TestChain['blocks'] = []
  const leafHashes: Uint8Array[] = []
  const evidence = new Map<string, { placed: PlacedEvidence; height: number }>()
  const txs = new Map<string, { p: PreparedTx; height: number; index: number }>()
  let nonce = 0

  const commit = (items: EvidenceItem[], from = 'notary-1'): void => {
    const p = signTx({ v: 1, chain: genesis.chainId, type: 'deposit', from, nonce: nonce++, items }, trustRoot.genesisHash, (m) => ed25519Sign(keys.get(from)!.seed, m))
    const prev = blocks.at(-1)
    const height = blocks.length + 1
    const fields = { chain: genesis.chainId, height, time: genesis.time + height * 1500 + (height % 3) * 120, parent: prev ? prev.pb.hash : trustRoot.genesisHash }
    const draft = makeBlock({ ...fields, logSize: 0, logRoot: '00'.repeat(32) }, [p])
    const placed = blockEvidence(draft, leafHashes.length)
    leafHashes.push(...placed.map((x) => x.leafHash))
    const pb = makeBlock({ ...fields, logSize: leafHashes.length, logRoot: toHex(rootFromLeafHashes(leafHashes)) }, [p])
    const body = blockCheckpointBody(pb)
    // Three of four validators vote (the quorum, 2f+1 = 3): court-4 is "offline".
    const votes = VALIDATORS.slice(0, 3).map((signer) => ({ signer, sig: ed25519Sign(keys.get(signer)!.seed, utf8(body)) }))
    const certificate = assembleCertificate(pb, votes, state)
    blocks.push({ pb, certificate, placed })
    for (const x of placed) evidence.set(x.id, { placed: x, height })
    txs.set(p.hash, { p, height, index: 0 })
  }

  const caseNo = 'CASE-2025-0491'
  const depositedFile = utf8('Employment contract, signed 2025-03-01.\n'.repeat(2000))
  commit([{ digests: { sha256: toHex(sha256(depositedFile)), sm3: toHex(sm3(depositedFile)) }, meta: { label: 'contract.pdf', caseNo, size: depositedFile.length, mediaType: 'application/pdf' } }])
  commit([1, 2].map((i) => ({ digests: { sha256: toHex(sha256(utf8(`exhibit ${i}`))) }, meta: { label: `exhibit-${i}.jpg`, caseNo } })))
  commit([{ digests: { sha256: toHex(sha256(utf8('chat log'))) } }])
  // A court's verification of the contract, recorded under the case as the node records one (src/node/api.ts).
  const contractId = blocks[0]!.placed[0]!.id
  commit([{ digests: { sha256: toHex(sha256(utf8(`report on ${contractId}`))) }, meta: { caseNo, label: `verification:passes:${contractId}`, mediaType: 'application/json' } }], 'court-1')
  let extra = 0
  const addBlock = (content?: Uint8Array, from?: string): void => commit([{ digests: { sha256: toHex(sha256(content ?? utf8(`later file ${extra++}`))) } }], from)

  const receipt = (id: string): Receipt | null => {
    const ev = evidence.get(id)
    if (!ev) return null
    const b = blocks[ev.height - 1]!
    const record = ev.placed.record
    const inclusion = inclusionProof(ev.placed.leafIndex, leafHashes.slice(0, b.pb.block.header.logSize))
    return assembleReceipt({ ...ev.placed, leafBytes: utf8(recordJson(record)), pb: b.pb, certificate: b.certificate }, inclusion, { publicKey: toHex(keys.get(record.depositor)!.publicKey), genesisHash: genesisHash(genesis) })
  }
  const head = (): PreparedBlock => blocks.at(-1)!.pb
  const allEvidence = (): PlacedEvidence[] => [...evidence.values()].map((e) => e.placed)

  const deps: RpcDeps = {
    log: { info() {}, warn() {}, error() {} },
    status: (): StatusView => ({
      chainId: genesis.chainId, genesisHash: trustRoot.genesisHash, self: 'court-1', role: 'validator', height: head().block.header.height, headHash: head().hash,
      headTime: head().block.header.time, view: 0, primary: 'court-1',
      validators: VALIDATORS.map((id) => ({ id, online: id !== 'court-4' })),
      peers: VALIDATORS.slice(1).map((id) => ({ id, connected: id !== 'court-4' })),
      logSize: leafHashes.length, mempool: 0, syncing: false,
    }),
    submitTx: async () => { throw Object.assign(new Error('read-only test chain'), { statusCode: 400 }) },
    waitForCommit: async () => null,
    getTx: async (hash) => {
      const t = txs.get(hash)
      return t ? { hash, status: 'committed', location: { height: t.height, index: t.index, blockHash: blocks[t.height - 1]!.pb.hash }, tx: t.p.tx } : null
    },
    getBlock: async (height) => {
      const b = blocks[height - 1]
      return b ? { height, hash: b.pb.hash, block: b.pb.block, certificate: b.certificate } : null
    },
    getEvidence: async (id) => {
      const e = evidence.get(id)
      return e ? { id, leafIndex: e.placed.leafIndex, record: e.placed.record, block: { height: e.height, hash: blocks[e.height - 1]!.pb.hash }, tx: e.placed.record.tx } : null
    },
    findEvidence: async (alg, hex, limit) => allEvidence().filter((e) => e.record.digests[alg] === hex).slice(0, limit).map((e) => e.id),
    receipt: async (id) => receipt(id),
    txReceipts: async (hash) => {
      const t = txs.get(hash)
      if (!t) return null
      const ids = allEvidence().filter((e) => e.record.tx === hash).sort((a, b) => a.record.item - b.record.item).map((e) => e.id)
      return { height: t.height, index: t.index, blockHash: blocks[t.height - 1]!.pb.hash, receipts: ids.map((id) => receipt(id)!) }
    },
    evidenceIdsWithPrefix: async (prefix, limit) => allEvidence().map((e) => e.id).filter((id) => id.startsWith(prefix)).slice(0, limit),
    receiptText: async (id) => {
      const r = receipt(id)
      return r ? formatTlogProof({ index: r.leafIndex, extra: fromBase64(r.leaf), proof: r.inclusion.map((x) => fromBase64(x)), checkpointNote: r.checkpoint }) : null
    },
    checkpoint: async () => blocks.at(-1)?.certificate ?? null,
    consistencyProof: async () => [],
    trustRoot: () => trustRoot,
    verify: async () => ({}),
    chains: async () => ({ chains: [] }),
    caseView: async (no) => {
      // The node's shape (src/node/api.ts caseView): verification records are labelled "verification:<verdict>:<id>".
      const entries = allEvidence().filter((e) => e.record.meta?.caseNo === no).map((e) => ({ id: e.id, leafIndex: e.leafIndex, record: e.record }))
      const isVerification = (e: { record: PlacedEvidence['record'] }): boolean => e.record.meta?.label?.startsWith('verification:') === true
      return { caseNo: no, evidence: entries.filter((e) => !isVerification(e)), verifications: entries.filter(isVerification) }
    },
    stats: async () => ({
      evidence: leafHashes.length, units: genesis.members.filter((m) => m.role === 'unit').length, verifications: 0,
      cases: new Set(allEvidence().map((e) => e.record.meta?.caseNo).filter(Boolean)).size, foreignChains: 0,
    }),
    metrics: () => '',
    webRoot: repoPath('src', 'web'),
  }
  return { genesis, trustRoot, blocks, depositedFile, caseNo, deps, addBlock, receipt, keys }
}
