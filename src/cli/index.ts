// `courtchain <command>`: dispatch, help, and one place that turns errors into exit codes.
import { isNodeError } from '../util/index.js'
import { helpText, parseCommandArgs, type Command } from './args.js'
import { guardClosedPipes } from './io.js'

// Each command's module is loaded only when it runs (or for the command list): `start` and the
// devnet pull in libp2p and the node, which cost a second or two of start-up that `verify`,
// `deposit` or `receipt` have no use for.
const COMMANDS: [string, () => Promise<Command>][] = [
  ['keygen', async () => (await import('./commands/keygen.js')).keygen],
  ['member-card', async () => (await import('./commands/member-card.js')).memberCardCommand],
  ['genesis', async () => (await import('./commands/genesis.js')).genesisCommand],
  ['init', async () => (await import('./commands/init.js')).initCommand],
  ['start', async () => (await import('./commands/start.js')).startCommand],
  ['backup', async () => (await import('./commands/backup.js')).backupCommand],
  ['restore', async () => (await import('./commands/backup.js')).restoreCommand],
  ['devnet', async () => (await import('./commands/devnet.js')).devnetCommand],
  ['deposit', async () => (await import('./commands/deposit.js')).depositCommand],
  ['verify', async () => (await import('./commands/verify.js')).verifyCommand],
  ['receipt', async () => (await import('./commands/receipt.js')).receiptCommand],
  ['relay', async () => (await import('./commands/relay.js')).relayCommand],
  ['status', async () => (await import('./commands/status.js')).statusCommand],
  ['gov', async () => (await import('./commands/gov.js')).govCommand],
]

/** Every command, loaded. */
export async function commands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map(([, load]) => load()))
}

const USAGE = `courtchain — a permissioned chain for electronic evidence

usage: courtchain <command> [options]     (courtchain <command> --help for its options)

commands:
${'@@'}`

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  guardClosedPipes()
  const [name, ...rest] = argv
  const list = async (): Promise<string> => (await commands()).map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE.replace('@@', await list()))
    return name ? 0 : 1
  }
  const load = COMMANDS.find(([n]) => n === name)?.[1]
  if (!load) {
    console.error(`unknown command "${name}"\n\n${USAGE.replace('@@', await list())}`)
    return 2
  }
  const cmd = await load()
  try {
    const args = parseCommandArgs(cmd, rest)
    if (!args) return 0
    const code = await cmd.run(args)
    return typeof code === 'number' ? code : 0
  } catch (e) {
    if (isNodeError(e, 'USAGE')) { console.error(e.message); return 2 }
    console.error(`courtchain ${name}: ${isNodeError(e) ? `${e.code}: ` : ''}${(e as Error).message}`)
    if (process.env.COURTCHAIN_DEBUG) console.error(e)
    return 1
  }
}

export { helpText }
