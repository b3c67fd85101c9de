// The node as the RPC sees it: RpcDeps implemented over the ledger, mempool, receipts and peers.
import {
  parseTx, parseEvidenceItem, CASE_NO_RE, TRUST_ROOT_FORMAT, genesisHash, ChainErrorCode, chainError,
  type EvidenceRecord, type Handover, type ForeignChain, type TrustRoot,
} from '../chain/index.js'
import { encodeCbor, canonicalJsonBytes } from '../codec/index.js'
import { ed25519Verify, sha256 } from '../crypto/index.js'
import type { Mempool } from '../mempool/index.js'
import type { RpcDeps, StatusView, TxView, BlockView, EvidenceView, HealthView } from '../rpc/index.js'
import { checkpointOrigin } from '../checkpoint/index.js'
import { parseForeignReceipt, receiptOrigin, verifyForeignReceipt, verifyReceipt, type ReceiptReport } from '../verify/index.js'
import { fromBase64, fromUtf8, NodeError, toBase64, toHex } from '../util/index.js'
import type { Ledger } from './ledger.js'
import type { Receipts } from './receipts.js'
import type { CommitWaiters } from './waiters.js'

export interface ApiDeps {
  ledger: Ledger
  /** Validator-set handovers after genesis, for the trust root. */
  history?(): Handover[]
  mempool: Mempool
  receipts: Receipts
  waiters: CommitWaiters
  /** Admits a parsed tx locally and forwards it (the node's submit path). */
  admit(p: ReturnType<typeof parseTx>, bytes: Uint8Array): Promise<void>
  status(): StatusView
  health?(): HealthView
  metrics(): string
  /** Signs and submits a tx of the node's own key (verification records); null if it may not. */
  recordVerification?(items: unknown[]): Promise<{ hash: string; evidenceIds: string[] } | null>
  log: RpcDeps['log']
  webRoot: string | null
  self: string
}

export function nodeApi(d: ApiDeps): RpcDeps {
  const { ledger } = d
  const limits = ledger.limits
  const trustRoot = (): TrustRoot => ({ format: TRUST_ROOT_FORMAT, genesis: ledger.genesis, genesisHash: genesisHash(ledger.genesis), history: d.history?.() ?? [] })

  const evidence = async (id: string): Promise<EvidenceView | null> => {
    const ev = await ledger.evidenceById(id)
    if (!ev) return null
    return { id, leafIndex: ev.leafIndex, record: ev.record, block: { height: ev.record.height, hash: ev.pb.hash }, tx: ev.record.tx }
  }

  /** A receipt of this chain (or one naming no chain): checked against this chain's trust root. */
  const verifyLocal = async (b: VerifyBody, digest: Digest | undefined): Promise<VerifyReport> => {
    if (b.consistency !== undefined || b.anchoredSize !== undefined) {
      throw new NodeError({ code: 'BAD_REQUEST' }, '"consistency" and "anchoredSize" apply to receipts of foreign chains only')
    }
    let receipt = b.receipt
    if (b.id !== undefined) {
      receipt = await d.receipts.receipt(b.id)
      if (!receipt) throw new NodeError({ code: 'NOT_FOUND' }, `evidence ${b.id} not found`)
    }
    const report: ReceiptReport = verifyReceipt(receipt, trustRoot(), { ...(digest ? { digest } : {}), verify: ed25519Verify })
    if (report.failed === 'chain') {
      throw new NodeError({ code: 'UNKNOWN_CHAIN', chain: report.chain }, `receipt is for chain "${report.chain}", which is not registered here`)
    }
    return { verdict: report.valid ? 'passes' : 'fails', ...report, ...provenance(report.record), caseNo: b.caseNo ?? null, checkedBy: d.self, checkedAt: Date.now() }
  }

  /**
   * A receipt of a chain registered here by governance: its own checkpoint against the
   * registered keys, and consistency with the latest anchored checkpoint, from a proof the caller
   * fetched from that chain (`consistency`, base64, from the receipt's size to the anchored size;
   * `anchoredSize` names the size it was made for). Without a proof that check is "not checked"
   * and the verdict "incomplete", never "passes".
   */
  const verifyForeign = (origin: string, b: VerifyBody, digest: Digest | undefined): VerifyReport => {
    const fc = ledger.state.foreignChains.get(origin)
    if (!fc) throw new NodeError({ code: 'UNKNOWN_CHAIN', chain: origin }, `receipt is from "${origin}", which is not registered here (GET /v1/chains lists the registered chains)`)
    const parsed = parseForeignReceipt(b.receipt)
    if (b.anchoredSize !== undefined && b.anchoredSize !== fc.anchor?.size) {
      throw new NodeError({ code: 'FOREIGN_STALE_CONSISTENCY', expected: fc.anchor?.size ?? null, actual: b.anchoredSize },
        `the consistency proof is to size ${b.anchoredSize}, but the latest anchor of ${origin} is ${fc.anchor ? `size ${fc.anchor.size}` : 'none'}: fetch the proof again`)
    }
    const consistency = b.consistency?.map((h, i) => fromBase64(h, `consistency[${i}]`))
    const report = verifyForeignReceipt(parsed, fc, { ...(digest ? { digest } : {}), ...(consistency ? { consistency } : {}) })
    if (report.anchorRelation === 'bad-proof') {
      throw new NodeError({ code: 'FOREIGN_BAD_CONSISTENCY', from: report.treeSize, to: fc.anchor?.size },
        `the consistency proof from ${report.treeSize} to the anchored size ${fc.anchor?.size} of ${origin} does not verify (fetch /v1/proof/consistency?from=${report.treeSize}&to=${fc.anchor?.size} from that chain)`)
    }
    const verdict = !report.valid ? 'fails' : report.complete ? 'passes' : 'incomplete'
    return { verdict, ...report, ...provenance(report.record), caseNo: b.caseNo ?? null, checkedBy: d.self, checkedAt: Date.now() }
  }

  return {
    log: d.log,
    webRoot: d.webRoot,
    status: d.status,
    ...(d.health ? { health: d.health } : {}),
    metrics: d.metrics,

    async submitTx(body) {
      const p = parseTx(body, limits)
      const bytes = encodeCbor(p.tx)
      if (bytes.length > ledger.genesis.consensus.maxTxBytes) {
        throw chainError(ChainErrorCode.TX_TOO_LARGE, `tx is ${bytes.length} bytes, at most ${ledger.genesis.consensus.maxTxBytes}`)
      }
      await d.admit(p, bytes)
      return { hash: p.hash }
    },

    async waitForCommit(hash, timeoutMs) {
      const wait = d.waiters.wait(hash, timeoutMs)
      // It may have committed between admission and this call.
      const loc = await ledger.store.getTx(hash)
      if (loc) {
        const b = await ledger.block(loc.height)
        d.waiters.committed(hash, { ...loc, blockHash: b!.pb.hash })
      }
      return wait
    },

    async getTx(hash): Promise<TxView | null> {
      const pending = d.mempool.get(hash)
      if (pending) return { hash, status: 'pending', tx: pending.p.tx }
      const loc = await ledger.store.getTx(hash)
      if (!loc) return null
      const b = await ledger.block(loc.height)
      return { hash, status: 'committed', location: { ...loc, blockHash: b!.pb.hash }, tx: b!.pb.txs[loc.index]!.tx }
    },

    async getBlock(height): Promise<BlockView | null> {
      const b = await ledger.block(height)
      return b && { height, hash: b.pb.hash, block: b.pb.block, certificate: b.certificate }
    },

    getEvidence: evidence,

    async findEvidence(alg, hex, limit) {
      return (await ledger.store.findByDigest(alg, hex, limit)).map((r) => r.id)
    },

    receipt: (id) => d.receipts.receipt(id),
    txReceipts: (hash) => d.receipts.txReceipts(hash),
    evidenceIdsWithPrefix: (prefix, limit) => ledger.store.evidenceIdsWithPrefix(prefix, limit),
    receiptText: (id) => d.receipts.receiptText(id),

    async checkpoint() {
      const b = ledger.head.height > 0 ? await ledger.store.getCertificate(ledger.head.height) : undefined
      return b ? fromUtf8(b) : null
    },

    async consistencyProof(from, to) {
      if (from > to || to > ledger.log.size) {
        throw new NodeError({ code: 'BAD_REQUEST' }, `no consistency proof from ${from} to ${to}: the log has ${ledger.log.size} leaves`)
      }
      return (await ledger.log.consistencyProof(from, to)).map(toBase64)
    },

    trustRoot,

    async proposals() {
      const s = ledger.state
      const courts = [...s.members.values()].filter((m) => m.role === 'court' && m.active).length
      const { approvalNumerator: num, approvalDenominator: den } = s.governance
      return {
        height: ledger.head.height, courts, governance: s.governance,
        // approvals needed: the least a with a × den > courts × num
        approvalsNeeded: Math.floor((courts * num) / den) + 1,
        proposals: [...s.proposals.values()],
        pendingEpoch: s.pendingEpoch, epoch: s.epochs[s.epochs.length - 1],
      }
    },

    async verify(body) {
      const b = body as VerifyBody
      if ((b.receipt === undefined) === (b.id === undefined)) throw new NodeError({ code: 'BAD_REQUEST' }, 'give exactly one of "receipt" or "id"')
      // The chain's case-number rule, checked before any work: a record that peers refuse would
      // sit in this node's mempool and time out (504) instead of failing here with a 400.
      if (b.caseNo !== undefined && !CASE_NO_RE.test(b.caseNo)) {
        throw new NodeError({ code: 'BAD_REQUEST', field: 'caseNo' }, `"caseNo" expected a case number such as "(2026)京0491民初1号" (letters, digits, spaces, brackets and ._/#-), got ${JSON.stringify(b.caseNo)}`)
      }
      if (b.record && !b.caseNo) throw new NodeError({ code: 'BAD_REQUEST' }, '"record" needs a "caseNo" to link the verification to')
      const [alg, hex] = (b.digest ?? ':').split(':') as ['sha256' | 'sm3', string]
      const digest = b.digest ? { alg, hex } : undefined
      const origin = b.receipt !== undefined ? receiptOrigin(b.receipt) : null
      const foreign = origin !== null && origin !== checkpointOrigin(ledger.genesis.chainId)
      const out = foreign ? verifyForeign(origin, b, digest) : await verifyLocal(b, digest)
      if (!b.record) return out
      if (!b.caseNo) throw new NodeError({ code: 'BAD_REQUEST' }, '"record" needs a "caseNo" to link the verification to')
      if (!d.recordVerification) throw new NodeError({ code: 'TX_FORBIDDEN' }, 'this node may not record verifications (not a court member)')
      const reportDigest = toHex(sha256(canonicalJsonBytes(out)))
      const label = `verification:${out.verdict}:${out.evidenceId ?? 'unknown'}${foreign ? `@${origin}` : ''}`
      // Parsed by the chain's item rules, as every peer will: an item they refuse never commits.
      const recorded = await d.recordVerification([parseEvidenceItem({
        digests: { sha256: reportDigest },
        meta: { caseNo: b.caseNo, label, mediaType: 'application/json' },
      }, 'verification')])
      if (!recorded) throw new NodeError({ code: 'TIMEOUT' }, 'the verification record did not commit in time')
      return { ...out, recorded: { tx: recorded.hash, evidenceId: recorded.evidenceIds[0], reportDigest, receipt: await d.receipts.receipt(recorded.evidenceIds[0]!) } }
    },

    async chains() {
      return { chains: [...ledger.state.foreignChains.values()].map(foreignChainView) }
    },

    async caseView(caseNo) {
      const refs = await ledger.store.caseEntries(caseNo, 1000)
      if (refs.length === 0) throw new NodeError({ code: 'NOT_FOUND' }, `case ${caseNo} has no evidence on this chain`)
      const records = await Promise.all(refs.map(async (r) => ({ id: r.id, leafIndex: r.leafIndex, record: (await ledger.evidenceAt(r.leafIndex))!.record })))
      const isVerification = (e: { record: EvidenceRecord }): boolean => e.record.meta?.label?.startsWith('verification:') === true
      return { caseNo, evidence: records.filter((e) => !isVerification(e)), verifications: records.filter(isVerification) }
    },

    async stats() {
      const members = [...ledger.state.members.values()]
      return {
        height: ledger.head.height,
        evidence: ledger.log.size,
        txs: ledger.stats.txs,
        units: members.filter((m) => m.role === 'unit' && m.active).length,
        courts: members.filter((m) => m.role === 'court' && m.active).length,
        validators: ledger.state.validators.length,
        verifications: ledger.stats.verifications,
        cases: ledger.stats.cases,
        foreignChains: ledger.state.foreignChains.size,
      }
    },
  }
}

/** Body of POST /v1/verify (schema-checked by the route). */
interface VerifyBody { receipt?: unknown; id?: string; digest?: string; caseNo?: string; record?: boolean; consistency?: string[]; anchoredSize?: number }
type Digest = { alg: 'sha256' | 'sm3'; hex: string }
type VerifyReport = { verdict: string; evidenceId: string | null } & Record<string, unknown>

/** Who deposited the evidence and when (the quorum-agreed block time), from its record. */
function provenance(record: EvidenceRecord | null): { storageTime: number | null; storedAt: string | null; depositor: string | null } {
  return record
    ? { storageTime: record.time, storedAt: new Date(record.time).toISOString(), depositor: record.depositor }
    : { storageTime: null, storedAt: null, depositor: null }
}

/** GET /v1/chains entry: registration, the latest anchor (its block height here) and fork evidence. */
function foreignChainView(fc: ForeignChain): unknown {
  return {
    origin: fc.origin, status: fc.status, quorum: fc.quorum, vkeys: fc.vkeys, registeredAt: fc.registeredAt,
    anchor: fc.anchor ? { size: fc.anchor.size, root: fc.anchor.root, height: fc.anchor.height, checkpoint: fc.anchor.note } : null,
    fork: fc.fork,
  }
}
