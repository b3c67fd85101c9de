// courtchain verify: a file against a receipt and a trust root, offline; or against a node, which
// only supplies the receipt: the verdict is still computed here, from the trust root; or a whole
// folder against the receipts bundle of its deposit.
import type { TrustRoot } from '../../chain/index.js'
import { CourtchainClient, hashFiles } from '../../client/index.js'
import { verifyReceipt, type ReceiptReport } from '../../verify/index.js'
import { ed25519Verify, hashFile } from '../../crypto/index.js'
import { NodeError, isNodeError, toHex } from '../../util/index.js'
import { type Command, type ParsedArgs } from '../args.js'
import { readTrustRoot, TRUST_ROOT_HINT } from '../files.js'
import { processIo, type Io } from '../io.js'
import { chooseReceipts, receiptCandidates } from '../receipts.js'
import { printReport } from '../report.js'
import { runVerifyFolder } from './verify-folder.js'

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a file against its receipt offline (--receipt, --trust-root), against a node (--node), or a folder against its bundle (--bundle)',
  usage: 'verify <file> --receipt <r.json|r.tlog-proof|folder of receipts> --trust-root <t.json>\n' +
    '       courtchain verify <file> --node <url> [--trust-root <t.json>] [--case <no>] [--record]\n' +
    '       courtchain verify <folder> --bundle <bundle.json> --trust-root <t.json>',
  options: {
    receipt: { type: 'string', short: 'r', description: 'the receipt: courtchain.receipt/v2 JSON or C2SP tlog-proof text; or a folder of receipts (the ones of this file are picked by its digest)' },
    'trust-root': { type: 'string', short: 't', description: "the chain's trust root (or its genesis.json); with --node, pins it instead of asking the node" },
    node: { type: 'string', short: 'n', description: 'find the evidence by the file digest on this node and verify its receipt here' },
    bundle: { type: 'string', short: 'b', description: 'the receipts bundle written by `deposit --bundle`: check a whole folder, listing files changed, missing or added' },
    case: { type: 'string', description: 'with --node: case number passed to the node verification (POST /v1/verify)' },
    record: { type: 'boolean', description: 'with --node: ask the node to record the verification on chain', default: false },
    json: { type: 'boolean', description: 'print the full reports as JSON', default: false },
  },
  run: (args) => runVerify(args, processIo),
}

/** The verify command with its output injected; 0 when every receipt checked holds, else 1. */
export async function runVerify(args: ParsedArgs, io: Io): Promise<number> {
  const [file, ...extra] = args.positionals
  const receiptArg = typeof args.values.receipt === 'string' ? args.values.receipt : undefined
  if (typeof args.values.bundle === 'string') {
    if (file === undefined || extra.length > 0) throw new NodeError({ code: 'USAGE' }, 'name exactly one folder to verify against the bundle')
    return runVerifyFolder(file, args.values.bundle, await trustRootOf(args), args.values.json === true, io)
  }
  if (file === undefined) throw new NodeError({ code: 'USAGE' }, 'name the file to verify')
  const node = typeof args.values.node === 'string' ? args.values.node : undefined
  const caseNo = typeof args.values.case === 'string' ? args.values.case : undefined
  if (node === undefined && (caseNo !== undefined || args.values.record === true)) {
    throw new NodeError({ code: 'USAGE' }, '--case and --record apply only with --node')
  }
  if (node === undefined) {
    if (receiptArg === undefined) throw new NodeError({ code: 'USAGE' }, 'give --receipt and --trust-root to verify offline, or --node')
    // A glob such as receipts/contract.txt.*.receipt.json expands to several arguments.
    const trustRoot = await trustRootOf(args)
    const candidates = await receiptCandidates(receiptArg, extra)
    if (candidates === null) throw new NodeError({ code: 'USAGE' }, 'name exactly one file to verify')
    const [hashed] = await hashFiles([file], ['sha256'])
    const sha256 = hashed!.digests.sha256
    const chosen = chooseReceipts(candidates, file, sha256)
    if (chosen.length < candidates.files.length) io.err(`note: ${chosen.length} of ${candidates.files.length} receipts are of this file's digest: checking ${chosen.length === 1 ? chosen[0]!.path : 'those'}`)
    let allValid = true
    for (const r of chosen) {
      const report = await check(r.text, trustRoot, file, sha256)
      printReport(io, report, args.values.json === true)
      allValid &&= report.valid
    }
    return allValid ? 0 : 1
  }
  if (extra.length > 0) throw new NodeError({ code: 'USAGE' }, 'name exactly one file to verify')

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

/** --trust-root, or with --node the node's; offline without one is a USAGE error saying how to get one. */
async function trustRootOf(args: ParsedArgs): Promise<TrustRoot> {
  const path = args.values['trust-root']
  if (typeof path === 'string' && path !== '') return readTrustRoot(path)
  if (typeof args.values.node === 'string') return new CourtchainClient({ url: args.values.node }).trustRoot()
  throw new NodeError({ code: 'USAGE' }, `--trust-root is required: ${TRUST_ROOT_HINT}`)
}

/**
 * verifyReceipt on the SHA-256; then the SM3 digest too (a second read) when the record carries
 * one. Signatures are checked with the native Ed25519 (the same pinned rule as the portable one).
 */
async function check(receipt: unknown, trustRoot: TrustRoot, file: string, sha256: string): Promise<ReceiptReport> {
  const report = verifyReceipt(receipt, trustRoot, { digest: { alg: 'sha256', hex: sha256 }, verify: ed25519Verify })
  const sm3 = report.record?.digests?.sm3
  if (report.valid && sm3 !== undefined) {
    const fileSm3 = toHex((await hashFile(file, ['sm3'])).digests.sm3!)
    const sm = verifyReceipt(receipt, trustRoot, { digest: { alg: 'sm3', hex: fileSm3 }, verify: ed25519Verify })
    const c = sm.checks.find((x) => x.name === 'digest')
    if (c) report.checks.push(c)
    if (!sm.valid) { report.valid = false; report.failed = sm.failed }
  }
  return report
}
