// verifyReceipt: everything a court needs to trust a receipt offline, from the trust root alone.
// Each check is reported by name, so a failure says exactly what was altered.
import { checkpointOrigin, parseCheckpoint, parseNote, parseTlogProof } from '../checkpoint/index.js'
import {
  genesisHash, initialState, RECEIPT_FORMAT, RECEIPT_FORMAT_V1, RECEIPT_V1_REFUSED, type EvidenceRecord, type Receipt, type TrustRoot,
} from '../chain/index.js'
import { canonicalJson } from '../codec/index.js'
import { ed25519Verify } from '../crypto/portable.js'
import { hashLeaf, verifyInclusion } from '../merkle/index.js'
import { fromBase64, fromHex, fromUtf8, isNodeError, toHex, equalBytes } from '../util/index.js'
import { verifyCheckpoint } from './checkpoint.js'
import { certifiersAt, trustedEpochs } from './trust.js'
import { CHECK_DETAILS, fillDetail, type CheckDetailKey, type CheckDetailParams } from './details.js'
import { depositorProblem, isDepositorShape } from './depositor.js'

export type CheckName = 'format' | 'chain' | 'leaf' | 'checkpoint' | 'inclusion' | 'depositor' | 'digest'
/** One check: `detail` in English; `why` is the same detail as a key of CHECK_DETAILS and its values, for other languages. */
export interface Check { name: CheckName; ok: boolean | null; detail: string; why: { key: CheckDetailKey; params: CheckDetailParams } }

export interface ReceiptReport {
  valid: boolean
  /** The first check that failed, if any. */
  failed: CheckName | null
  checks: Check[]
  evidenceId: string | null
  chain: string | null
  record: EvidenceRecord | null
  leafIndex: number | null
  treeSize: number | null
  /** Validators whose checkpoint signatures verified. */
  signers: string[]
}

export interface VerifyReceiptOptions {
  /** The file's digest to compare with the deposited one, e.g. {alg: 'sha256', hex}. */
  digest?: { alg: 'sha256' | 'sm3'; hex: string }
  /**
   * An Ed25519 verifier with the same pinned rule, e.g. the native one on a node (about 14x
   * faster than noble); the portable one by default, so this runs in a browser.
   */
  verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
}

/**
 * Verifies a receipt (JSON object, JSON text, or C2SP tlog-proof text) against a trust root.
 * Never throws for a bad receipt: the report names the failed check. The tlog-proof form has
 * no depositor signature, so that check is reported as not available (ok: null).
 */
export function verifyReceipt(receipt: unknown, trustRoot: TrustRoot, opts: VerifyReceiptOptions = {}): ReceiptReport {
  const checks: Check[] = []
  const report: ReceiptReport = { valid: false, failed: null, checks, evidenceId: null, chain: null, record: null, leafIndex: null, treeSize: null, signers: [] }
  const push = (name: CheckName, ok: boolean | null, key: CheckDetailKey, params: CheckDetailParams): void => {
    checks.push({ name, ok, detail: fillDetail(CHECK_DETAILS[key], params), why: { key, params } })
  }
  const pass = (name: CheckName, key: CheckDetailKey, params: CheckDetailParams = {}): void => push(name, true, key, params)
  const fail = (name: CheckName, key: CheckDetailKey, params: CheckDetailParams = {}): ReceiptReport => {
    push(name, false, key, params)
    report.failed = name
    return report
  }
  try {
    const genesis = trustRoot.genesis
    const state = initialState(genesis)
    // 1. Shape: JSON receipt or tlog-proof text.
    let r: Partial<Receipt> & { leafBytes: Uint8Array; proof: Uint8Array[] }
    try { r = normalize(receipt) } catch (e) { return fail('format', 'formatBad', { msg: (e as Error).message }) }
    pass('format', 'formatOk', { format: r.depositor ? RECEIPT_FORMAT : 'c2sp.org/tlog-proof@v1' })
    // 2. The leaf: canonical JSON of an evidence record of this chain.
    let record: EvidenceRecord
    try {
      record = JSON.parse(fromUtf8(r.leafBytes, 'leaf')) as EvidenceRecord
      if (canonicalJson(record) !== fromUtf8(r.leafBytes, 'leaf')) return fail('leaf', 'leafNotCanonical')
    } catch (e) { return fail('leaf', 'leafNotJson', { msg: (e as Error).message }) }
    report.record = record
    report.chain = record.chain
    if (r.chain !== undefined && r.chain !== record.chain) return fail('chain', 'chainMismatchLeaf', { receipt: r.chain, leaf: record.chain })
    if (record.chain !== genesis.chainId) return fail('chain', 'chainOther', { receipt: record.chain, trust: genesis.chainId })
    // A receipt names its chain's genesis (for display; nothing rests on it): one of another
    // genesis with the same chain id is refused here in words, before its signatures fail.
    const trustGenesis = genesisHash(genesis)
    if (r.genesisHash !== undefined && r.genesisHash !== trustGenesis) return fail('chain', 'foreignChain', { receiptGenesis: r.genesisHash, trustGenesis })
    pass('chain', 'chainOk', { chain: genesis.chainId })
    const leafHash = hashLeaf(r.leafBytes)
    report.evidenceId = toHex(leafHash)
    if (r.id !== undefined && r.id !== report.evidenceId) return fail('leaf', 'leafIdMismatch', { id: r.id, hash: report.evidenceId })
    pass('leaf', 'leafOk', { id: report.evidenceId })
    // 3. The checkpoint: a quorum of the validator set in force at its height signed it. The sets
    // after genesis come from the trust root's handovers, each certified by the set before it.
    let epochs
    try { epochs = trustedEpochs(trustRoot) } catch (e) { return fail('checkpoint', 'trustRootBad', { msg: (e as Error).message }) }
    let cp
    let set
    try {
      const claimed = parseCheckpoint(parseNote(r.checkpoint!).body).height ?? 1
      set = certifiersAt(epochs, Math.max(1, claimed))
      cp = verifyCheckpoint(r.checkpoint!, set.vkeys, set.quorum, opts.verify)
    } catch (e) {
      // No known validator signed: the receipt is another chain's, or the trust root is.
      if (isNodeError(e, 'NOTE_QUORUM') && e.type['actual'] === 0) {
        return fail('checkpoint', 'foreignChain', { receiptGenesis: r.genesisHash ?? 'not stated in the receipt', trustGenesis })
      }
      if (isNodeError(e, 'NOTE_QUORUM')) return fail('checkpoint', 'checkpointQuorum', { expected: e.type['expected'] as number, actual: e.type['actual'] as number })
      return fail('checkpoint', 'checkpointBad', { msg: (e as Error).message })
    }
    report.signers = cp.signers
    if (cp.origin !== checkpointOrigin(genesis.chainId)) return fail('checkpoint', 'checkpointOrigin', { origin: cp.origin })
    if (cp.height === undefined || cp.time === undefined || cp.height < record.height || cp.time < record.time) {
      return fail('checkpoint', 'checkpointOlder')
    }
    pass('checkpoint', 'checkpointOk', { count: cp.signers.length, validators: set.epoch.validators.length, epoch: set.epoch.epoch, signers: cp.signers.join(', '), height: cp.height })
    // 4. Inclusion of the leaf in the checkpointed tree.
    const leafIndex = r.leafIndex!
    report.leafIndex = leafIndex
    report.treeSize = cp.size
    if (r.treeSize !== undefined && r.treeSize !== cp.size) return fail('inclusion', 'inclusionSize', { receipt: r.treeSize, checkpoint: cp.size })
    let included = false
    try { included = verifyInclusion(leafIndex, cp.size, leafHash, r.proof, cp.root) } catch { included = false }
    if (!included) return fail('inclusion', 'inclusionBad', { leaf: leafIndex, size: cp.size })
    pass('inclusion', 'inclusionOk', { leaf: leafIndex, size: cp.size })
    // 5. The depositor's signature over the tx that carried the item, the one the certified block
    // carries. Its key need not be the genesis key (a member admitted or a key rotated by
    // governance): the validators verified that signature under the key registered at that
    // height, and it verifies under no other (verify/depositor.ts).
    if (r.depositor) {
      const d = r.depositor
      const genesisId = genesisHash(genesis)
      if (d.tx.genesis !== genesisId) return fail('depositor', 'depositorGenesis', { tx: String(d.tx.genesis), trust: genesisId })
      const problem = depositorProblem(record, d, cp.block, opts.verify ?? ed25519Verify)
      if (problem) return fail('depositor', problem)
      const genesisKey = state.members.get(record.depositor)?.publicKey === d.publicKey
      pass('depositor', genesisKey ? 'depositorOk' : 'depositorOkLater', { depositor: record.depositor })
    } else {
      push('depositor', null, 'depositorNone', {})
    }
    // 6. The file digest, when one is given.
    if (opts.digest) {
      const deposited = record.digests[opts.digest.alg]
      if (!deposited) return fail('digest', 'digestNone', { alg: opts.digest.alg })
      if (!equalBytes(fromHex(opts.digest.hex, 'digest', 32), fromHex(deposited, 'digest', 32))) return fail('digest', 'digestDiffers', { alg: opts.digest.alg, file: opts.digest.hex, deposited })
      pass('digest', 'digestOk', { alg: opts.digest.alg })
    }
    report.valid = true
    return report
  } catch (e) {
    return fail('format', 'formatBad', { msg: (e as Error).message })
  }
}

function normalize(receipt: unknown): Partial<Receipt> & { leafBytes: Uint8Array; proof: Uint8Array[] } {
  if (typeof receipt === 'string') {
    const t = receipt.trimStart()
    if (t.startsWith('{')) return normalize(JSON.parse(t))
    const p = parseTlogProof(receipt)
    if (!p.extra) throw new Error('tlog-proof has no extra line with the leaf bytes')
    return { leafBytes: p.extra, proof: p.proof, leafIndex: p.index, checkpoint: p.checkpointNote }
  }
  const r = receipt as Receipt
  if ((r as { format?: unknown } | null)?.format === RECEIPT_FORMAT_V1) throw new Error(RECEIPT_V1_REFUSED)
  if (typeof r !== 'object' || r === null || r.format !== RECEIPT_FORMAT) throw new Error(`expected a ${RECEIPT_FORMAT} object`)
  if (!Number.isSafeInteger(r.leafIndex) || !Number.isSafeInteger(r.treeSize) || !Array.isArray(r.inclusion) || typeof r.checkpoint !== 'string') {
    throw new Error('receipt fields leafIndex, treeSize, inclusion, checkpoint are required')
  }
  if (!isDepositorShape(r.depositor)) throw new Error('receipt depositor is malformed')
  return { ...r, leafBytes: fromBase64(r.leaf, 'leaf'), proof: r.inclusion.map((p, i) => fromBase64(p, `inclusion[${i}]`)) }
}
