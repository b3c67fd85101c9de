// Runs a command's runner with its output captured, as a user would read it, against a test node.
import * as assert from 'uvu/assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeKeyFile } from '../../src/crypto/index.js'
import { FakeNode, UNIT, seedOf } from '../client/fake-node.js'
import { parseCommandArgs, type Command, type ParsedArgs } from '../../src/cli/args.js'
import type { Io } from '../../src/cli/io.js'

export interface Run { code: number; out: string; err: string }
export type Runner = (args: ParsedArgs, io: Io) => Promise<number>

export async function run(cmd: Command, runner: Runner, argv: string[]): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const args = parseCommandArgs(cmd, argv)
  assert.ok(args, 'not a --help run')
  const code = await runner(args, { out: (l) => out.push(l), err: (l) => err.push(l), errIsTTY: false })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** The message of the error `runner` throws (a thrown error is what main() prints after "courtchain <cmd>: "). */
export async function failure(cmd: Command, runner: Runner, argv: string[]): Promise<{ code: string; message: string }> {
  try { await run(cmd, runner, argv) } catch (e) {
    return { code: (e as { code?: string }).code ?? '', message: (e as Error).message }
  }
  throw new Error(`${cmd.name} ${argv.join(' ')} should have failed`)
}

/** What a unit has at hand: a temp folder, a running test node, its key file and the chain's trust root file. */
export interface CliFixture { dir: string; node: FakeNode; keyFile: string; trustRootFile: string; close(): Promise<void> }

export async function cliFixture(name: string, maxTxItems: number): Promise<CliFixture> {
  const dir = await mkdtemp(join(tmpdir(), `courtchain-${name}-`))
  const node = await new FakeNode({ maxTxItems }).start()
  const keyFile = join(dir, 'notary-1.key')
  await writeKeyFile(keyFile, { id: UNIT, seed: seedOf(UNIT) })
  const trustRootFile = join(dir, 'trust-root.json')
  await writeFile(trustRootFile, JSON.stringify(node.trustRoot()))
  return { dir, node, keyFile, trustRootFile, close: async () => { await node.close(); await rm(dir, { recursive: true, force: true }) } }
}
