// A unit depositing a case archive: a generated folder of 2,000 files deposited on a 4-validator
// devnet (after one unmeasured deposit of the same size), once through the SDK (every HTTP
// request counted) and once through the `courtchain deposit` command as a user runs it (wall
// time of the whole process). Prints one `BENCH {json}` line.
// Usage: node dist/bench/case-archive.js [--files 2000] [--size 2048]
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { CourtchainClient, collectFiles } from '../src/client/index.js'
import { readKeyFile } from '../src/crypto/index.js'
import { BenchDevnet, benchDir } from './devnet.js'
import { arg, fmt } from './common.js'

const BIN = resolve(benchDir(), '..', '..', 'bin', 'courtchain')

/** `count` files of `size` bytes in a few subfolders, each unique (so none is on chain already). */
async function makeCaseFolder(root: string, count: number, size: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const dir = join(root, `exhibit-${String(Math.floor(i / 250)).padStart(2, '0')}`)
    if (i % 250 === 0) await mkdir(dir, { recursive: true })
    const head = `${tag} file ${i}\n`
    await writeFile(join(dir, `scan-${String(i).padStart(4, '0')}.pdf`), head + 'x'.repeat(Math.max(0, size - head.length)))
  }
}

async function main(): Promise<void> {
  const files = Number(arg('files', '2000'))
  const size = Number(arg('size', '2048'))
  const work = await mkdtemp(join(tmpdir(), 'cc-case-'))
  // Other processes on the machine slow every figure here: the run says how busy it was.
  const loadAtStart = loadavg()[0]!
  const devnet = await BenchDevnet.start()
  try {
    const keyPath = devnet.unitKey(0)
    const key = await readKeyFile(keyPath)
    const url = devnet.urls[0]!

    // A devnet that has been running: one unmeasured deposit of the same size first (a fresh
    // node's first big block meets V8's compiler and cold caches; on a loaded machine its view
    // timer can fire and cost a view change, which says nothing of the deposit path).
    await makeCaseFolder(join(work, 'warm-up'), files, size, `warm-up ${Date.now()}`)
    await new CourtchainClient({ url }).deposit((await collectFiles([join(work, 'warm-up')])).files, { key: { id: key.id, seed: key.seed } })

    // SDK: every request counted by an injected fetch.
    await makeCaseFolder(join(work, 'sdk'), files, size, `sdk ${Date.now()}`)
    const requests = new Map<string, number>()
    const client = new CourtchainClient({
      url,
      fetch: (input, init) => {
        const path = new URL(String(input)).pathname.replace(/[0-9a-f]{64}/g, ':hash')
        const k = `${init?.method ?? 'GET'} ${path}`
        requests.set(k, (requests.get(k) ?? 0) + 1)
        return fetch(input, init)
      },
    })
    const t0 = performance.now()
    const { files: list } = await collectFiles([join(work, 'sdk')])
    // Seconds from the start to the first progress report of each phase (hash, commit, receipt).
    const phases: Record<string, number> = {}
    const res = await client.deposit(list, {
      key: { id: key.id, seed: key.seed }, caseNo: '(2026)京0491民初1号',
      onProgress: (p) => { phases[p.phase] ??= (performance.now() - t0) / 1000 },
    })
    const sdkSeconds = (performance.now() - t0) / 1000
    const httpRequests = [...requests.values()].reduce((a, b) => a + b, 0)

    // The command as a user types it, in its own process (start-up, hashing, writing receipts).
    await makeCaseFolder(join(work, 'cli'), files, size, `cli ${Date.now()}`)
    const t1 = performance.now()
    const cli = await promisify(execFile)(process.execPath, [BIN, 'deposit', join(work, 'cli'), '--key', keyPath, '--node', url,
      '--case', '(2026)京0491民初1号', '--out', join(work, 'receipts'), '--bundle', join(work, 'bundle.json')], { maxBuffer: 1 << 20 })
    const cliSeconds = (performance.now() - t1) / 1000

    const figures = {
      case_archive_files: files, case_archive_file_bytes: size, case_archive_txs: res.txs.length,
      case_archive_sdk_seconds: Number(sdkSeconds.toFixed(2)), case_archive_http_requests: httpRequests,
      case_archive_commit_started_seconds: Number((phases['commit'] ?? NaN).toFixed(2)), case_archive_receipts_started_seconds: Number((phases['receipt'] ?? NaN).toFixed(2)),
      case_archive_cli_seconds: Number(cliSeconds.toFixed(2)), load_average_start: Number(loadAtStart.toFixed(2)),
    }
    console.log(`case archive: ${fmt(files)} files of ${fmt(size)} B in ${res.txs.length} txs; load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`)
    console.log(`  SDK deposit:        ${sdkSeconds.toFixed(2)} s, ${httpRequests} HTTP requests (${[...requests].map(([k, n]) => `${n}× ${k}`).join(', ')})`)
    console.log(`  phases start at:    ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}`)
    console.log(`  courtchain deposit: ${cliSeconds.toFixed(2)} s (whole process)  ${cli.stdout.trim().split('\n')[0]}`)
    console.log(`BENCH ${JSON.stringify(figures)}`)
  } finally {
    await devnet.stop()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
