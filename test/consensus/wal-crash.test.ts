import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./wal-crash-child.js', import.meta.url))

/** Runs the child's phase; with `kill`, SIGKILLs it once it printed "ready". Returns its lines. */
function run(dir: string, phase: string, kill: boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, phase], { env: { ...process.env, COURTCHAIN_WAL_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child ${phase} timed out: ${out}`)) }, 20_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d
      if (kill && out.includes('ready\n')) child.kill('SIGKILL')
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (kill ? signal !== 'SIGKILL' : code !== 0) reject(new Error(`child ${phase} ended with ${code ?? signal}: ${out}`))
      else resolve(out.trim().split('\n'))
    })
  })
}

test('a replica killed with SIGKILL after a commit, with heights above it in flight, does not vote for another block at them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-wal-crash-'))
  try {
    const first = await run(dir, 'first', true)
    assert.equal(first.filter((l) => l.startsWith('commit 0 ')).map((l) => Number(l.split(' ')[2])), [1, 2, 3, 4], 'it sent commit votes for heights 1..4')
    const second = await run(dir, 'second', false)
    const other = second.at(-1)!.split(' ')[1]
    const votes = second.filter((l) => !l.startsWith('done') && l.includes(other!))
    assert.equal(votes, [], 'no prepare or commit for a conflicting block at height 2 in view 0')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
