// verifyForeignReceipt (docs/rpc.md "POST /v1/verify"): a receipt from another
// chain registered here by governance, checked against that chain's registered keys and quorum
// and against the latest checkpoint of it anchored here. Browser-safe, like the rest of verify.
//
// What this side cannot know: the foreign chain's member registry. A courtchain receipt carries
// its depositor's public key; the depositor check proves that key made the signature the foreign
// quorum's certified block carries (which its validators verified under the registered key:
// verify/depositor.ts), and shows the member id the foreign chain recorded.
import { parseTlogProof } from '../checkpoint/index.js'
import {
  impliedPrefixRoot, verifiedCheckpoint, RECEIPT_FORMAT, RECEIPT_FORMAT_V1, RECEIPT_V1_REFUSED,
  type EvidenceRecord, type ForeignChain, type Receipt,
} from '../chain/index.js'
import { canonicalJson } from '../codec/index.js'
import { ed25519Verify } from '../crypto/portable.js'
import { hashLeaf, verifyConsistency, verifyInclusion } from '../merkle/index.js'
import { NodeError, equalBytes, fromBase64, fromHex, fromUtf8, toHex } from '../util/index.js'
import { depositorProblem, isDepositorShape } from './depositor.js'
import { CHECK_DETAILS } from './details.js'

export type ForeignCheckName = 'format' | 'registry' | 'leaf' | 'checkpoint' | 'inclusion' | 'depositor' | 'digest' | 'anchor'
/** ok: true passed, false failed, null not checked (the detail says why). */
export interface ForeignCheck { name: ForeignCheckName; ok: boolean | null; detail: string }

/** How the receipt's checkpoint relates to the latest anchored one. */
export type AnchorRelation = 'consistent' | 'fork' | 'bad-proof' | 'no-proof' | 'newer-than-anchor' | 'no-anchor' | 'not-reached'

export interface ForeignReport {
  /** No check failed. */
  valid: boolean
  /** Every check that applies ran and passed, the anchor consistency included. */
  complete: boolean
  failed: ForeignCheckName | null
  checks: ForeignCheck[]
  origin: string
  /** The foreign chain id (origin without "courtchain/"), or null for another kind of log. */
  chain: string | null
  evidenceId: string | null
  record: EvidenceRecord | null
  leafIndex: number | null
  treeSize: number | null
  /** Registered keys whose signatures on the receipt's checkpoint verified. */
  signers: string[]
  /** The anchored checkpoint compared against: its size and the height of the block here that anchored it. */
  anchor: { size: number; height: number } | null
  anchorRelation: AnchorRelation
}

/** A foreign receipt in one shape, from the JSON receipt or the C2SP tlog-proof text. */
export interface ForeignReceipt {
  origin: string
  leafBytes: Uint8Array
  leafIndex: number
  treeSize: number | null
  inclusion: Uint8Array[]
  checkpoint: string
  id: string | null
  chain: string | null
  depositor: Receipt['depositor'] | null
}

export interface VerifyForeignOptions {
  digest?: { alg: 'sha256' | 'sm3'; hex: string }
  /** Consistency proof from the receipt's tree size to the anchored size (fetched from the foreign chain). */
  consistency?: Uint8Array[]
}

const malformed = (message: string): NodeError => new NodeError({ code: 'FOREIGN_RECEIPT_MALFORMED' }, `foreign receipt: ${message}`)

/** The origin a receipt names (JSON: courtchain/<chain>; tlog-proof: its checkpoint's first line), or null. */
export function receiptOrigin(receipt: unknown): string | null {
  try {
    if (typeof receipt === 'string') {
      const t = receipt.trimStart()
      if (t.startsWith('{')) return receiptOrigin(JSON.parse(t))
      return parseTlogProof(receipt).checkpointNote.split('\n', 1)[0] ?? null
    }
    const chain = (receipt as { chain?: unknown } | null)?.chain
    return typeof chain === 'string' && chain.length > 0 ? `courtchain/${chain}` : null
  } catch { return null }
}

/** Parses a foreign receipt's shape; throws FOREIGN_RECEIPT_MALFORMED (the RPC's 400) when it has none. */
export function parseForeignReceipt(receipt: unknown): ForeignReceipt {
  if (typeof receipt === 'string') {
    const t = receipt.trimStart()
    if (t.startsWith('{')) {
      let parsed: unknown
      try { parsed = JSON.parse(t) } catch (e) { throw malformed(`not JSON: ${(e as Error).message}`) }
      return parseForeignReceipt(parsed)
    }
    let p
    try { p = parseTlogProof(receipt) } catch (e) { throw malformed((e as Error).message) }
    if (!p.extra) throw malformed('tlog-proof has no extra line with the leaf bytes')
    return { origin: p.checkpointNote.split('\n', 1)[0]!, leafBytes: p.extra, leafIndex: p.index, treeSize: null, inclusion: p.proof, checkpoint: p.checkpointNote, id: null, chain: null, depositor: null }
  }
  const r = receipt as Receipt
  if ((r as { format?: unknown } | null)?.format === RECEIPT_FORMAT_V1) throw malformed(RECEIPT_V1_REFUSED)
  if (typeof r !== 'object' || r === null || r.format !== RECEIPT_FORMAT) throw malformed(`expected a ${RECEIPT_FORMAT} object or tlog-proof text`)
  if (typeof r.chain !== 'string' || typeof r.leaf !== 'string' || !Number.isSafeInteger(r.leafIndex) || r.leafIndex < 0 || !Number.isSafeInteger(r.treeSize) ||
    !Array.isArray(r.inclusion) || typeof r.checkpoint !== 'string' || (r.id !== undefined && typeof r.id !== 'string')) {
    throw malformed('fields chain, leaf, leafIndex, treeSize, inclusion, checkpoint are required with their types')
  }
  const d = r.depositor
  if (d !== undefined && !isDepositorShape(d)) throw malformed('"depositor" is malformed')
  try {
    return {
      origin: `courtchain/${r.chain}`, leafBytes: fromBase64(r.leaf, 'leaf'), leafIndex: r.leafIndex, treeSize: r.treeSize,
      inclusion: r.inclusion.map((h, i) => fromBase64(h, `inclusion[${i}]`)), checkpoint: r.checkpoint,
      id: r.id ?? null, chain: r.chain, depositor: d ?? null,
    }
  } catch (e) { throw malformed((e as Error).message) }
}

/**
 * Verifies a parsed foreign receipt against the registered chain `fc` (its keys, quorum, status
 * and latest anchor). Never throws for a bad receipt: the report names the first failed check.
 */
export function verifyForeignReceipt(r: ForeignReceipt, fc: Pick<ForeignChain, 'origin' | 'vkeys' | 'quorum' | 'status' | 'anchor' | 'fork'>, opts: VerifyForeignOptions = {}): ForeignReport {
  const checks: ForeignCheck[] = []
  const chainId = r.origin.startsWith('courtchain/') ? r.origin.slice('courtchain/'.length) : null
  const report: ForeignReport = {
    valid: false, complete: false, failed: null, checks, origin: r.origin, chain: chainId, evidenceId: null, record: null,
    leafIndex: null, treeSize: null, signers: [], anchor: fc.anchor ? { size: fc.anchor.size, height: fc.anchor.height } : null, anchorRelation: 'not-reached',
  }
  const pass = (name: ForeignCheckName, detail: string): void => { checks.push({ name, ok: true, detail }) }
  const skip = (name: ForeignCheckName, detail: string): void => { checks.push({ name, ok: null, detail }) }
  const fail = (name: ForeignCheckName, detail: string): ForeignReport => {
    checks.push({ name, ok: false, detail })
    report.failed = name
    return report
  }
  try {
    pass('format', r.depositor ? RECEIPT_FORMAT : 'c2sp.org/tlog-proof@v1')
    if (r.origin !== fc.origin) return fail('registry', `receipt is from "${r.origin}", the registered chain is "${fc.origin}"`)
    if (fc.status === 'equivocated') return fail('registry', `${fc.origin} equivocated (two conflicting signed checkpoints on record, anchored at height ${fc.fork?.height}): its receipts prove nothing`)
    pass('registry', `${fc.origin} registered here${fc.status === 'retired' ? ' (retired: no anchors after retirement)' : ''}, quorum ${fc.quorum} of ${fc.vkeys.length} keys`)
    // The leaf: for a courtchain log, the canonical JSON of an evidence record of that chain.
    const leafHash = hashLeaf(r.leafBytes)
    report.evidenceId = toHex(leafHash)
    if (r.id !== null && r.id !== report.evidenceId) return fail('leaf', `evidence id ${r.id} is not the leaf's hash ${report.evidenceId}`)
    if (chainId !== null) {
      let record: EvidenceRecord
      try {
        const text = fromUtf8(r.leafBytes, 'leaf')
        record = JSON.parse(text) as EvidenceRecord
        if (canonicalJson(record) !== text) return fail('leaf', 'leaf bytes are not canonical JSON')
      } catch (e) { return fail('leaf', `leaf is not JSON: ${(e as Error).message}`) }
      report.record = record
      if (record.chain !== chainId || (r.chain !== null && r.chain !== chainId)) return fail('leaf', `leaf is for chain "${record.chain}", the receipt for "${chainId}"`)
    }
    pass('leaf', `evidence ${report.evidenceId}`)
    // The receipt's own checkpoint: signed by a quorum of the registered keys, for this origin.
    let cp
    try { cp = verifiedCheckpoint(fc, r.checkpoint) } catch (e) { return fail('checkpoint', (e as Error).message) }
    report.signers = cp.signers
    const rec = report.record
    if (rec && (cp.height === undefined || cp.time === undefined || cp.height < rec.height || cp.time < rec.time)) return fail('checkpoint', 'checkpoint is older than the evidence record')
    pass('checkpoint', `signed by ${cp.signers.length} registered keys (${cp.signers.join(', ')}), quorum ${fc.quorum}${cp.height !== undefined ? `, height ${cp.height}` : ''}`)
    // Inclusion of the leaf in that checkpoint's tree.
    report.leafIndex = r.leafIndex
    report.treeSize = cp.size
    if (r.treeSize !== null && r.treeSize !== cp.size) return fail('inclusion', `receipt tree size ${r.treeSize} is not the checkpoint's ${cp.size}`)
    let included = false
    try { included = verifyInclusion(r.leafIndex, cp.size, leafHash, r.inclusion, cp.root) } catch { included = false }
    if (!included) return fail('inclusion', `leaf ${r.leafIndex} is not in the checkpointed tree of ${cp.size}`)
    pass('inclusion', `leaf ${r.leafIndex} of ${cp.size}`)
    // The depositor's signature, with the key the receipt itself carries: the one the certified block carries.
    if (r.depositor && rec) {
      const problem = depositorProblem(rec, r.depositor, cp.block, ed25519Verify)
      if (problem) return fail('depositor', CHECK_DETAILS[problem])
      pass('depositor', `signed by ${rec.depositor} with the key in the receipt: the signature ${fc.origin}'s certified block carries (its member registry is not known here)`)
    } else {
      skip('depositor', 'the receipt carries no depositor signature')
    }
    if (opts.digest) {
      const deposited = rec?.digests[opts.digest.alg]
      if (!deposited) return fail('digest', `no ${opts.digest.alg} digest was deposited`)
      if (!equalBytes(fromHex(opts.digest.hex, 'digest', 32), fromHex(deposited, 'digest', 32))) return fail('digest', `file ${opts.digest.alg} ${opts.digest.hex} differs from the deposited ${deposited}`)
      pass('digest', `${opts.digest.alg} matches`)
    }
    // Consistency with the latest checkpoint of this chain anchored here.
    const a = fc.anchor
    if (!a) {
      report.anchorRelation = 'no-anchor'
      skip('anchor', `not checked: no checkpoint of ${fc.origin} is anchored here yet`)
    } else if (cp.size > a.size) {
      report.anchorRelation = 'newer-than-anchor'
      skip('anchor', `not checked: the receipt's tree of ${cp.size} is newer than the anchored ${a.size}; relay a newer checkpoint and verify again`)
    } else if (cp.size < a.size && opts.consistency === undefined) {
      report.anchorRelation = 'no-proof'
      skip('anchor', `not checked: give a consistency proof from ${cp.size} to the anchored ${a.size} (the foreign node's /v1/proof/consistency?from=${cp.size}&to=${a.size})`)
    } else {
      const proof = opts.consistency ?? []
      const anchorRoot = fromBase64(a.root, 'anchor.root')
      if (verifyConsistency(cp.size, a.size, proof, cp.root, anchorRoot)) {
        report.anchorRelation = 'consistent'
        pass('anchor', cp.size === a.size ? `the anchored checkpoint of ${a.size} (anchored at height ${a.height})` : `consistent with the checkpoint of ${a.size} anchored at height ${a.height}`)
      } else {
        const prefix = cp.size === a.size ? anchorRoot : impliedPrefixRoot(cp.size, a.size, proof, cp.root, anchorRoot)
        if (prefix && !equalBytes(prefix, cp.root)) {
          report.anchorRelation = 'fork'
          return fail('anchor', `the receipt's signed tree of ${cp.size} is not part of the anchored history of ${a.size}: ${fc.origin} forked`)
        }
        report.anchorRelation = 'bad-proof'
        return fail('anchor', `consistency proof from ${cp.size} to the anchored ${a.size} does not verify`)
      }
    }
    report.valid = true
    report.complete = checks.every((c) => c.ok === true || (c.name === 'depositor' && c.ok === null))
    return report
  } catch (e) {
    return fail('format', (e as Error).message)
  }
}
