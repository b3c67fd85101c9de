#!/usr/bin/env node
// Runs the uvu suites from the build (dist/test), each test file in its own process, and ends with
// the plain line "tests: N passed, N failed, N skipped" that CI reads (always the last line; the
// exit code is non-zero on any failure).
//
//   node scripts/test.mjs [--unit | --cluster] [--jobs N] [--timeout S] [filter]
//
// filter: a regex on the path under dist/test (e.g. 'cluster/'). Files that start processes (node
// devnets, crash children, chromium) are "cluster" files: they run one at a time with nothing else
// running, because on two cores a second busy process beside a devnet makes its timers miss.
// The other ("unit") files run --jobs at a time (default 2). A file that does not finish within
// --timeout seconds (default 180) is killed with its whole process group and counts as failed.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, relative, sep } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const testRoot = join(root, 'dist', 'test')
const uvu = join(root, 'node_modules', 'uvu', 'bin.js')
// Each file's last time, kept beside the build: the unit pool starts the longest files first, so
// one long file does not run alone at the end.
const timesFile = join(testRoot, '.times.json')

const args = parseArgs(process.argv.slice(2))
// Folders whose files start processes, and the imports that give a file elsewhere away.
const CLUSTER_FOLDERS = ['cluster/', 'chaos/', 'web/']
const STARTS_PROCESSES = /from\s+['"](node:child_process|[^'"]*cluster\/harness\.js|[^'"]*scripts\/chaos\/[^'"]*)['"]/
// uvu lingering after its totals (a socket or timer left open by a failed test) is stopped after this.
const LINGER_MS = 20_000

const started = Date.now()
const files = listTests(testRoot).filter((f) => args.filter.test(f))
const cluster = files.filter(isClusterFile)
const lastTimes = readTimes()
const unit = files.filter((f) => !cluster.includes(f)).sort((a, b) => (lastTimes[b] ?? Infinity) - (lastTimes[a] ?? Infinity))
const plan = [...(args.only !== 'cluster' ? unit : []), ...(args.only !== 'unit' ? cluster : [])]
if (plan.length === 0) {
  console.log(`no test files match ${args.filter}`)
  console.log('tests: 0 passed, 0 failed, 0 skipped')
  process.exit(1)
}
console.log(`${plan.length} test files: ${args.only !== 'cluster' ? unit.length : 0} unit (${args.jobs} at a time), ${args.only !== 'unit' ? cluster.length : 0} that start processes (one at a time); timeout ${args.timeoutS} s each`)

const results = []
if (args.only !== 'cluster') await runPool(unit, args.jobs)
if (args.only !== 'unit') await runPool(cluster, 1)

writeTimes(results)
const sum = (k) => results.reduce((n, r) => n + r[k], 0)
const failedFiles = results.filter((r) => r.failed > 0)
const empty = results.filter((r) => r.passed + r.skipped + r.failed === 0)
console.log('\nslowest files:')
for (const r of [...results].sort((a, b) => b.ms - a.ms).slice(0, 10)) console.log(`  ${secs(r.ms).padStart(7)}  ${r.file}`)
for (const r of empty) console.log(`warning: ${r.file} ran no tests`)
if (failedFiles.length) console.log(`failed files: ${failedFiles.map((r) => r.file + (r.timedOut ? ' (timed out)' : '')).join(', ')}`)
console.log(`total wall time ${secs(Date.now() - started)} (${results.length} files)`)
console.log(`tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') === 0 && sum('passed') + sum('skipped') > 0 ? 0 : 1)

async function runPool(list, jobs) {
  let next = 0
  const worker = async () => {
    while (next < list.length) {
      const r = await runFile(list[next++])
      results.push(r)
      report(r)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, list.length) }, worker))
}

/** Runs one file under uvu in its own process group; resolves with its counts, output and time. */
function runFile(file) {
  const t0 = Date.now()
  const pattern = '^' + file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'
  const child = spawn(process.execPath, [uvu, 'dist/test', pattern, '--no-color'], {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' },
  })
  let out = ''
  let timedOut = false
  let lingering = null
  const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ } }
  const timer = setTimeout(() => { timedOut = true; killGroup() }, args.timeoutS * 1000)
  const onData = (d) => {
    out += d
    if (!lingering && /Duration:/.test(out)) lingering = setTimeout(() => { out += `\n(still alive ${LINGER_MS / 1000} s after its totals: stopped)\n`; killGroup() }, LINGER_MS)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearTimeout(lingering)
      killGroup() // whatever the file started and left behind (nodes of a devnet, a browser)
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
      const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0)
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped')
      let failed = Math.max(total - passed, 0) // uvu's Total counts the tests that ran, skipped ones apart
      // No totals, a crash, or a kill before they were all counted: at least one failure.
      const finished = /Duration:/.test(plain)
      if (timedOut || (code !== 0 && !(finished && signal === 'SIGKILL')) || (signal && !finished)) failed = Math.max(failed, 1)
      resolve({ file, total, passed, skipped, failed, timedOut, ms: Date.now() - t0, out: plain })
    })
  })
}

function report(r) {
  const status = r.timedOut ? `TIMED OUT after ${args.timeoutS} s` : r.failed ? `FAILED (${r.failed})` : r.passed > 0 ? 'ok' : r.skipped > 0 ? 'skipped' : 'no tests'
  console.log(`── ${r.file}  ${status}  ${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}  ${secs(r.ms)}`)
  // A passing file shows what it printed besides uvu's totals; a failing one shows everything.
  const lines = r.out.split('\n').filter((l) => l.trim() !== '')
  const shown = r.failed ? lines : lines.filter((l) => l.trim() !== r.file && !/^[\s•]*\(\d+ \/ \d+\)\s*$/.test(l) && !/^\s*(Total|Passed|Skipped|Duration):/.test(l))
  for (const l of shown) console.log('   ' + l)
}

function isClusterFile(file) {
  if (CLUSTER_FOLDERS.some((d) => file.startsWith(d))) return true
  return STARTS_PROCESSES.test(readFileSync(join(testRoot, file), 'utf8'))
}

function listTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return listTests(p)
    return name.endsWith('.test.js') ? [relative(testRoot, p).split(sep).join('/')] : []
  }).sort()
}

function readTimes() {
  try { return JSON.parse(readFileSync(timesFile, 'utf8')) } catch { return {} }
}

function writeTimes(done) {
  const times = readTimes()
  for (const r of done) if (!r.timedOut) times[r.file] = r.ms
  try { writeFileSync(timesFile, JSON.stringify(times, null, 1) + '\n') } catch { /* only an ordering hint */ }
}

function parseArgs(argv) {
  const a = { only: null, jobs: Number(process.env.TEST_JOBS ?? 2), timeoutS: Number(process.env.TEST_TIMEOUT_S ?? 180), filter: /./ }
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]
    if (v === '--unit') a.only = 'unit'
    else if (v === '--cluster') a.only = 'cluster'
    else if (v === '--jobs') a.jobs = Number(argv[++i])
    else if (v === '--timeout') a.timeoutS = Number(argv[++i])
    else if (v.startsWith('--')) { console.error(`unknown option ${v}`); process.exit(2) }
    else a.filter = new RegExp(v)
  }
  if (!(a.jobs >= 1) || !(a.timeoutS > 0)) { console.error('--jobs and --timeout must be positive'); process.exit(2) }
  return a
}

function secs(ms) { return `${(ms / 1000).toFixed(1)} s` }
