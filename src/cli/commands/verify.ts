// courtchain verify: a file against a receipt and a trust root, offline; or against a node, which
// only supplies the receipt: the verdict is still computed here, from the trust root.
import { readFile } from 'node:fs/promises'
import { validateGenesis, TRUST_ROOT_FORMAT, genesisHash, type TrustRoot } from '../../chain/index.js'
import { CourtchainClient, hashFiles } from '../../client/index.js'
import { verifyReceipt, type ReceiptReport } from '../../verify/index.js'
import { hashFile } from '../../crypto/index.js'
import { NodeError, isNodeError, toHex } from '../../util/index.js'
import { required, type Command, type ParsedArgs } from '../args.js'
import { processIo, type Io } from './deposit.js'

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a file against its receipt offline (--receipt, --trust-root) or against a node (--node)',
  usage: 'verify <file> --receipt <r.json|r.tlog-proof> --trust-root <t.json>\n       courtchain verify <file> --node <url> [--trust-root <t.json>] [--case <no>] [--record]',
  options: {
    receipt: { type: 'string', short: 'r', description: 'the receipt: courtchain.receipt/v2 JSON or C2SP tlog-proof text' },
    'trust-root': { type: 'string', short: 't', description: "the chain's trust root (or its genesis.json); with --node, pins it instead of asking the node" },
    node: { type: 'string', short: 'n', description: 'find the evidence by the file digest on this node and verify its receipt here' },
    case: { type: 'string', description: 'with --node: case number passed to the node verification (POST /v1/verify)' },
    record: { type: 'boolean', description: 'with --node: ask the node to record the verification on chain', default: false },
    json: { type: 'boolean', description: 'print the full reports as JSON', default: false },
  },
  run: (args) => runVerify(args, processIo),
}

/** The verify command with its output injected; 0 when every receipt checked holds, else 1. */
export async function runVerify(args: ParsedArgs, io: Io): Promise<number> {
  const [file, ...extra] = args.positionals
  if (file === undefined || extra.length > 0) throw new NodeError({ code: 'USAGE' }, 'name exactly one file to verify')
  const node = typeof args.values.node === 'string' ? args.values.node : undefined
  const caseNo = typeof args.values.case === 'string' ? args.values.case : undefined
  if (node === undefined && (caseNo !== undefined || args.values.record === true)) {
    throw new NodeError({ code: 'USAGE' }, '--case and --record apply only with --node')
  }
  if (node === undefined) {
    if (typeof args.values.receipt !== 'string') throw new NodeError({ code: 'USAGE' }, 'give --receipt and --trust-root to verify offline, or --node')
    const trustRoot = await readTrustRoot(required(args, 'trust-root'))
    const receipt = await readFile(required(args, 'receipt'), 'utf8').catch((e: Error) => {
      throw new NodeError({ code: 'FILE_NOT_FOUND', path: args.values.receipt }, `cannot read receipt: ${e.message}`)
    })
    const [hashed] = await hashFiles([file], ['sha256'])
    const report = await check(receipt, trustRoot, file, hashed!.digests.sha256)
    printReport(io, report, args.values.json === true)
    return report.valid ? 0 : 1
  }

  const client = new CourtchainClient({ url: node })
  const pinned = typeof args.values['trust-root'] === 'string'
  const trustRoot = pinned ? await readTrustRoot(args.values['trust-root'] as string) : await client.trustRoot()
  const [hashed] = await hashFiles([file], ['sha256'])
  const sha256 = hashed!.digests.sha256
  const ids = await client.findEvidence('sha256', sha256)
  if (ids.length === 0) {
    io.out(`NOT FOUND: no evidence with sha256 ${sha256} on chain ${trustRoot.genesis.chainId} (node ${client.url})`)
    return 1
  }
  if (!pinned) io.err(`note: trust root taken from ${client.url}; pin one with --trust-root for a check independent of this node`)
  if (ids.length > 1) io.out(`found ${ids.length} deposits of this file`)
  let allValid = true
  let firstValid: string | null = null
  for (const id of ids) {
    const receipt = await client.receipt(id)
    if (receipt === null) { io.out(`FAILED: format: the node has no receipt for evidence ${id}`); allValid = false; continue }
    const report = await check(receipt, trustRoot, file, sha256)
    printReport(io, report, args.values.json === true)
    if (report.valid) firstValid ??= id
    else allValid = false
  }
  if (caseNo === undefined && args.values.record !== true) return allValid ? 0 : 1

  // The node's own verification, linked to the case and optionally recorded on chain.
  try {
    const nodeReport = await client.verify({
      id: firstValid ?? ids[0]!, digest: `sha256:${sha256}`,
      ...(caseNo !== undefined ? { caseNo } : {}), ...(args.values.record === true ? { record: true } : {}),
    })
    io.out(`node verification: ${JSON.stringify(nodeReport, null, args.values.json === true ? 2 : undefined)}`)
  } catch (e) {
    if (!isNodeError(e)) throw e
    io.out(`node verification failed: ${e.code}: ${e.message}`)
    if (args.values.record === true) return 1
  }
  return allValid ? 0 : 1
}

/** verifyReceipt on the SHA-256; then the SM3 digest too (a second read) when the record carries one. */
async function check(receipt: unknown, trustRoot: TrustRoot, file: string, sha256: string): Promise<ReceiptReport> {
  const report = verifyReceipt(receipt, trustRoot, { digest: { alg: 'sha256', hex: sha256 } })
  const sm3 = report.record?.digests?.sm3
  if (report.valid && sm3 !== undefined) {
    const fileSm3 = toHex((await hashFile(file, ['sm3'])).digests.sm3!)
    if (sm3 !== fileSm3) {
      report.valid = false
      report.failed = 'digest'
      report.checks.push({ name: 'digest', ok: false, detail: `file sm3 ${fileSm3} differs from the deposited ${sm3}` })
    } else report.checks.push({ name: 'digest', ok: true, detail: 'sm3 matches' })
  }
  return report
}

function printReport(io: Io, r: ReceiptReport, json: boolean): void {
  if (json) { io.out(JSON.stringify(r, null, 2)); return }
  if (!r.valid) {
    const failed = [...r.checks].reverse().find((c) => c.ok === false)
    io.out(`FAILED: ${r.failed ?? 'format'}: ${failed?.detail ?? 'the receipt did not verify'}`)
    if (r.evidenceId) io.out(`  evidence ${r.evidenceId}`)
    return
  }
  const rec = r.record!
  io.out(`VERIFIED: deposited by ${rec.depositor} at ${formatTime(rec.time)} in block ${rec.height}, ` +
    `log leaf ${r.leafIndex} of ${r.treeSize}, signed by ${r.signers.join(', ')}`)
  io.out(`  evidence  ${r.evidenceId}`)
  io.out(`  chain     ${rec.chain}`)
  io.out(`  sha256    ${rec.digests.sha256}${rec.digests.sm3 ? `\n  sm3       ${rec.digests.sm3}` : ''}`)
  if (rec.meta?.label !== undefined) io.out(`  label     ${rec.meta.label}`)
  if (rec.meta?.caseNo !== undefined) io.out(`  case      ${rec.meta.caseNo}`)
  if (r.checks.some((c) => c.name === 'depositor' && c.ok === null)) io.out('  note      a tlog-proof receipt carries no depositor signature; the depositor is as the record states')
}

/** "2026-11-27 21:03:04 UTC (local: 2026-11-28 05:03:04 GMT+8)"; the local part only when it differs. */
export function formatTime(ms: number): string {
  const d = new Date(ms)
  const utc = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'long', timeZone: 'UTC' }).format(d)
  const local = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'long' }).format(d)
  return local === utc ? utc : `${utc} (local: ${local})`
}

/** A trust root file, or a bare genesis.json (then the validator set is the genesis one). */
export async function readTrustRoot(path: string): Promise<TrustRoot> {
  let value: unknown
  try { value = JSON.parse(await readFile(path, 'utf8')) } catch (e) {
    throw new NodeError({ code: 'TRUST_ROOT_UNREADABLE', path }, `cannot read trust root ${path}: ${(e as Error).message}`)
  }
  const obj = value as { format?: unknown; genesis?: unknown; history?: unknown }
  if (obj !== null && typeof obj === 'object' && obj.format === TRUST_ROOT_FORMAT) {
    const genesis = validateGenesis(obj.genesis)
    return { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history: Array.isArray(obj.history) ? obj.history : [] }
  }
  if (obj !== null && typeof obj === 'object' && 'chainId' in obj) {
    const genesis = validateGenesis(obj)
    return { format: TRUST_ROOT_FORMAT, genesis, genesisHash: genesisHash(genesis), history: [] }
  }
  throw new NodeError({ code: 'TRUST_ROOT_INVALID', path }, `${path} is neither a ${TRUST_ROOT_FORMAT} file nor a genesis`)
}
