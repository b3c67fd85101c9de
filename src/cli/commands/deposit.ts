// courtchain deposit: hash local files (content never leaves the machine), batch, sign with the
// unit's key, submit, wait for finality, and save one receipt per file.
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { basename, join, relative, resolve, sep } from 'node:path'
import { CourtchainClient, collectFiles, makeBundle, mapPool, type AlreadyDeposited, type DepositProgress, type DepositFile } from '../../client/index.js'
import { NodeError, isNodeError } from '../../util/index.js'
import { intOption, required, type Command, type ParsedArgs } from '../args.js'
import { readUnitKey } from '../files.js'
import { processIo, type Io } from '../io.js'
import { formatTime } from '../report.js'

const RECEIPT_WRITES_IN_FLIGHT = 16

export const depositCommand: Command = {
  name: 'deposit',
  summary: 'hash files locally, sign and submit their digests, wait for commit, save one receipt per file',
  usage: 'deposit <file|dir>... --key <unit key file> --node <url> [--case <no>] [--label <text>] [--sm3] [--out <dir>] [--bundle <file>] [--again] [--batch <n>]',
  options: {
    key: { type: 'string', short: 'k', description: "the depositing unit's key file", env: 'COURTCHAIN_KEY' },
    node: { type: 'string', short: 'n', description: 'RPC URL of a node of the chain', env: 'COURTCHAIN_NODE' },
    case: { type: 'string', description: 'case number recorded with every item' },
    label: { type: 'string', description: "label of the items (default: each file's relative path; with several files it prefixes each path)" },
    sm3: { type: 'boolean', description: 'also deposit the SM3 digest (GB/T 32905)', default: false },
    out: { type: 'string', short: 'o', description: 'folder for the receipts', default: './receipts' },
    bundle: { type: 'string', short: 'b', description: 'also write one receipts bundle: every receipt, the case, the genesis hash, an index by file path (for `verify <folder> --bundle`)' },
    again: { type: 'boolean', description: 'deposit files that are on chain already a second time (without it they are listed and nothing is deposited)', default: false },
    batch: { type: 'string', description: 'items per tx (default and maximum: the genesis maxTxItems)' },
    concurrency: { type: 'string', description: 'txs in flight at once', default: '4' },
    verify: { type: 'boolean', description: 'check every receipt against the trust root before saving it', default: false },
    json: { type: 'boolean', description: 'print the summary as JSON', default: false },
  },
  run: (args) => runDeposit(args, processIo),
}

/** The deposit command with its output injected; returns the exit code. */
export async function runDeposit(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length === 0) throw new NodeError({ code: 'USAGE' }, 'name at least one file or folder to deposit')
  const key = await readUnitKey(required(args, 'key'))
  const client = new CourtchainClient({ url: required(args, 'node') })
  const outDir = resolve(String(args.values.out))
  const batchSize = args.values.batch !== undefined ? intOption(args, 'batch') : undefined
  const concurrency = intOption(args, 'concurrency')
  if (concurrency < 1 || batchSize === 0) throw new NodeError({ code: 'USAGE' }, '--batch and --concurrency must be at least 1')

  const { files, skipped } = await collectFiles(args.positionals)
  for (const s of skipped) io.err(`skipping ${s}: not a regular file`)
  if (files.length === 0) throw new NodeError({ code: 'USAGE' }, 'no files to deposit')
  let label = typeof args.values.label === 'string' ? args.values.label : undefined
  let input: DepositFile[] = files
  // One file: --label is its label; several: it prefixes each file's path (deposit.ts).
  if (label !== undefined && files.length === 1) { input = [{ path: files[0]!.path, label }]; label = undefined }

  const bar = io.errIsTTY ? new ProgressBar() : null
  const caseNo = typeof args.values.case === 'string' ? args.values.case : undefined
  const bundlePath = typeof args.values.bundle === 'string' ? resolve(args.values.bundle) : undefined
  const pathOf = bundlePath !== undefined ? await bundlePaths(args.positionals) : null
  const result = await client.deposit(input, {
    again: args.values.again === true,
    key: { id: key.id, seed: key.seed },
    ...(caseNo !== undefined ? { caseNo } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    concurrency,
    algs: args.values.sm3 === true ? ['sha256', 'sm3'] : ['sha256'],
    verifyReceipts: args.values.verify === true,
    ...(bar ? { onProgress: (p: DepositProgress) => bar.update(p) } : {}),
  }).catch((e: unknown) => {
    if (!isNodeError(e, 'ALREADY_ON_CHAIN')) throw e
    printAlreadyDeposited(io, (e.type as unknown as { items: AlreadyDeposited[] }).items, files.length)
    return null
  }).finally(() => bar?.done())
  if (result === null) return 1

  await mkdir(outDir, { recursive: true })
  // A few files written at once: one after another, a 2,000-file case spent seconds here.
  const written = await mapPool(result.items, RECEIPT_WRITES_IN_FLIGHT, async (d) => {
    const file = join(outDir, `${basename(d.path!)}.${d.id.slice(0, 12)}.receipt.json`)
    await writeFile(file, JSON.stringify(d.receipt, null, 2) + '\n')
    return file
  })
  if (bundlePath !== undefined) {
    await writeFile(bundlePath, JSON.stringify(makeBundle(result, await client.trustRoot(), pathOf!, caseNo)) + '\n')
  }
  const bytes = result.items.reduce((n, d) => n + (d.item.meta?.size ?? 0), 0)
  const heights = result.firstHeight === result.lastHeight ? `block ${result.firstHeight}` : `blocks ${result.firstHeight}–${result.lastHeight}`
  if (args.values.json === true) {
    io.out(JSON.stringify({
      chain: result.chainId, files: result.items.length, bytes, txs: result.txs, firstHeight: result.firstHeight, lastHeight: result.lastHeight,
      elapsedMs: result.elapsedMs, receipts: result.items.map((d, i) => ({ file: d.path, id: d.id, leafIndex: d.leafIndex, height: d.height, receipt: written[i] })),
    }, null, 2))
  } else {
    io.out(`deposited ${result.items.length} file${result.items.length === 1 ? '' : 's'} (${formatBytes(bytes)}) on chain ${result.chainId} ` +
      `in ${result.txs.length} tx${result.txs.length === 1 ? '' : 's'}, ${heights}, in ${(result.elapsedMs / 1000).toFixed(1)} s`)
    io.out(`receipts: ${outDir}${bundlePath !== undefined ? `; bundle: ${bundlePath}` : ''}`)
  }
  return 0
}

/** The files already on chain, each with its first deposit, and what to do; at most 20 listed. */
function printAlreadyDeposited(io: Io, items: AlreadyDeposited[], total: number): void {
  const SHOWN = 20
  for (const a of items.slice(0, SHOWN)) {
    io.err(`already on chain: ${a.path ?? `item ${a.index}`} — evidence ${a.id} in block ${a.height}, ${formatTime(a.time)}, deposited by ${a.depositor}` +
      `${a.label !== undefined ? ` as "${a.label}"` : ''}${a.deposits > 1 ? ` (${a.deposits} deposits)` : ''}`)
  }
  if (items.length > SHOWN) io.err(`… and ${items.length - SHOWN} more`)
  io.err(`nothing deposited: ${items.length} of ${total} file${total === 1 ? '' : 's'} ${items.length === 1 ? 'is' : 'are'} on chain already ` +
    `(\`courtchain receipt <evidence id> --node <url>\` fetches ${items.length === 1 ? 'its receipt' : 'their receipts'}); pass --again to deposit ${items.length === 1 ? 'it' : 'them'} a second time`)
}

/**
 * Each file's path in the bundle index: relative to the folder argument it was found under
 * ('/'-separated), or its name for a file named directly, so `verify <folder> --bundle` finds it.
 */
async function bundlePaths(args: string[]): Promise<(path: string) => string> {
  const folders: string[] = []
  for (const a of args) if ((await stat(a).catch(() => null))?.isDirectory()) folders.push(resolve(a))
  return (path) => {
    const folder = folders.find((f) => path.startsWith(f + sep))
    return folder ? relative(folder, path).split(sep).join('/') : basename(path)
  }
}

/** A one-line progress bar on stderr: files and bytes hashed, then items committed, then receipts. */
class ProgressBar {
  private last = 0
  private shown = false
  update(p: DepositProgress): void {
    const final = p.phase === 'hash' ? p.files === p.filesTotal : p.phase === 'commit' ? p.txs === p.txsTotal : p.receipts === p.total
    const now = Date.now()
    if (!final && now - this.last < 100) return // redraw at most ten times a second
    this.last = now
    let text: string
    if (p.phase === 'hash') text = `hashing   ${bar(p.bytes, p.bytesTotal)} ${p.files}/${p.filesTotal} files, ${formatBytes(p.bytes)}/${formatBytes(p.bytesTotal)}`
    else if (p.phase === 'commit') text = `committed ${bar(p.items, p.itemsTotal)} ${p.items}/${p.itemsTotal} items, ${p.txs}/${p.txsTotal} txs`
    else text = `receipts  ${bar(p.receipts, p.total)} ${p.receipts}/${p.total}`
    process.stderr.write(`\r\x1b[2K${text}`)
    this.shown = true
  }
  done(): void {
    if (this.shown) process.stderr.write('\n')
  }
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width))
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`
}
