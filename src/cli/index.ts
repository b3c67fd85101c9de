// `courtchain <command>`: dispatch, help, and one place that turns errors into exit codes.
import { isNodeError } from '../util/index.js'
import { helpText, parseCommandArgs, type Command } from './args.js'
import { devnetCommand } from './commands/devnet.js'
import { genesisCommand } from './commands/genesis.js'
import { keygen } from './commands/keygen.js'
import { initCommand } from './commands/init.js'
import { memberCardCommand } from './commands/member-card.js'
import { backupCommand, restoreCommand } from './commands/backup.js'
import { startCommand } from './commands/start.js'
import { depositCommand } from './commands/deposit.js'
import { verifyCommand } from './commands/verify.js'
import { receiptCommand } from './commands/receipt.js'
import { statusCommand } from './commands/status.js'
import { govCommand } from './commands/gov.js'
import { relayCommand } from './commands/relay.js'

export const commands: Command[] = [keygen, memberCardCommand, genesisCommand, initCommand, startCommand, backupCommand, restoreCommand, devnetCommand, depositCommand, verifyCommand, receiptCommand, relayCommand, statusCommand, govCommand]

const USAGE = `courtchain — a permissioned chain for electronic evidence

usage: courtchain <command> [options]     (courtchain <command> --help for its options)

commands:
${'@@'}`

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const list = commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE.replace('@@', list))
    return name ? 0 : 1
  }
  const cmd = commands.find((c) => c.name === name)
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${USAGE.replace('@@', list)}`)
    return 2
  }
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
