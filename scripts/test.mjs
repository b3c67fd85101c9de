#!/usr/bin/env node
// Runs the uvu suites from the build (dist/test), then prints the plain closing line
// "N passed, N failed" that CI reads. Usage: node scripts/test.mjs [filter], where filter is a
// regex on the path under dist/test (e.g. 'cluster/'); only *.test.js files are ever run.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pattern = `${process.argv[2] ?? ''}.*\\.test\\.js$`
const uvu = join(root, 'node_modules', 'uvu', 'bin.js')
const child = spawn(process.execPath, [uvu, 'dist/test', pattern], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
let out = ''
let lingering = null
child.stdout.on('data', (d) => {
  out += d
  process.stdout.write(d)
  // uvu prints "Duration:" last; a failed test may leave a socket or timer that keeps it alive
  if (!lingering && /Duration:/.test(out)) lingering = setTimeout(() => { console.error('test runner still alive 20 s after its totals: stopping it'); child.kill('SIGKILL') }, 20_000)
})
child.on('close', (code) => {
  clearTimeout(lingering)
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '') // uvu colours its totals
  const num = (label) => Number(/* uvu prints e.g. "  Total:     12" */ (plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0)
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped')
  const failed = Math.max(total - passed - skipped, code === 0 || (code === null && total > 0 && passed + skipped === total) ? 0 : 1)
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  process.exit(failed === 0 && total > 0 ? 0 : 1)
})
