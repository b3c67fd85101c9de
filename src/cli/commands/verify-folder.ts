// courtchain verify <folder> --bundle: every file of a folder against the receipts bundle of its
// deposit. Each file in both is checked by digest and its receipt verified against the trust
// root; every file that differs, is missing or was added is listed.
import { readFile } from 'node:fs/promises'
import { relative, sep } from 'node:path'
import type { TrustRoot } from '../../chain/index.js'
import { collectFiles, compareFolder, hashFiles, parseBundle, type FolderEntry } from '../../client/index.js'
import { ed25519Verify } from '../../crypto/index.js'
import { verifyReceipt } from '../../verify/index.js'
import { NodeError, toHex } from '../../util/index.js'
import type { Io } from '../io.js'

type Verdict = FolderEntry & { failed?: string }

/** Exit 0 when every file of the bundle is in the folder unchanged with a valid receipt and none was added; else 1. */
export async function runVerifyFolder(dir: string, bundlePath: string, trustRoot: TrustRoot, json: boolean, io: Io): Promise<number> {
  let raw: unknown
  try { raw = JSON.parse(await readFile(bundlePath, 'utf8')) } catch (e) {
    throw new NodeError({ code: 'BUNDLE_UNREADABLE', path: bundlePath }, `cannot read bundle ${bundlePath}: ${(e as Error).message}`)
  }
  const bundle = parseBundle(raw, bundlePath)
  if (bundle.genesisHash !== trustRoot.genesisHash) {
    io.out(`FAILED: the bundle was deposited on chain "${bundle.chain}" with genesis ${bundle.genesisHash}; ` +
      `the trust root is of chain "${trustRoot.genesis.chainId}" with genesis ${trustRoot.genesisHash}: use the trust root of the chain the files were deposited on`)
    return 1
  }
  const { files } = await collectFiles([dir])
  if (files.length === 0 && Object.keys(bundle.index).length === 0) throw new NodeError({ code: 'USAGE' }, `${dir} has no files and the bundle none either`)
  const hashed = await hashFiles(files.map((f) => f.path))
  const entries: Verdict[] = compareFolder(bundle, hashed.map((h) => ({ path: relative(dir, h.path).split(sep).join('/'), sha256: h.digests.sha256 })))
  // Receipts of one block share its certificate and of one tx the depositor's signature: each
  // distinct signature is checked once.
  const verify = memoized(ed25519Verify)
  for (const e of entries) {
    if (e.status !== 'same') continue
    const report = verifyReceipt(bundle.receipts[e.deposited!.id], trustRoot, { digest: { alg: 'sha256', hex: e.sha256! }, verify })
    if (!report.valid) e.failed = `${report.failed}: ${[...report.checks].reverse().find((c) => c.ok === false)?.detail ?? ''}`
  }
  const count = (s: FolderEntry['status']): number => entries.filter((e) => e.status === s).length
  const verified = entries.filter((e) => e.status === 'same' && e.failed === undefined).length
  const failed = entries.filter((e) => e.failed !== undefined).length
  const ok = verified === Object.keys(bundle.index).length && count('added') === 0
  if (json) {
    io.out(JSON.stringify({ valid: ok, chain: bundle.chain, caseNo: bundle.caseNo, verified, changed: count('changed'), missing: count('missing'), added: count('added'), failed, files: entries }, null, 2))
    return ok ? 0 : 1
  }
  for (const e of entries) {
    const id = e.deposited ? `evidence ${e.deposited.id.slice(0, 12)}…` : ''
    if (e.failed !== undefined) io.out(`FAILED   ${e.path}: ${e.failed}`)
    else if (e.status === 'changed') io.out(`CHANGED  ${e.path}: sha256 ${e.sha256} differs from the deposited ${e.deposited!.sha256} (${id})`)
    else if (e.status === 'missing') io.out(`MISSING  ${e.path}: deposited as ${id}, not in the folder`)
    else if (e.status === 'added') io.out(`ADDED    ${e.path}: not in the bundle (never deposited with these files)`)
  }
  const problems = [[count('changed'), 'changed'], [count('missing'), 'missing'], [count('added'), 'added'], [failed, 'with a failing receipt']]
    .filter(([n]) => (n as number) > 0).map(([n, what]) => `${n} ${what}`)
  io.out(`${ok ? 'VERIFIED' : 'FAILED'}: ${verified} of ${Object.keys(bundle.index).length} deposited files verified in ${dir}` +
    `${bundle.caseNo ? ` (case ${bundle.caseNo})` : ''} on chain ${bundle.chain}${problems.length ? `; ${problems.join(', ')}` : ''}`)
  return ok ? 0 : 1
}

/** `verify` with each (key, message, signature) answered once. */
function memoized(verify: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean): typeof verify {
  const seen = new Map<string, boolean>()
  return (pub, msg, sig) => {
    const key = `${toHex(pub)}${toHex(sig)}${toHex(msg)}`
    let ok = seen.get(key)
    if (ok === undefined) { ok = verify(pub, msg, sig); seen.set(key, ok) }
    return ok
  }
}
