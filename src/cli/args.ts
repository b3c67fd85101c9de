// Small command framework over node:util parseArgs: every command declares its options once,
// and gets --help, unknown-option errors and env/config fallbacks from here.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { NodeError } from '../util/index.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  description: string
  default?: string | boolean
  /** Environment variable read when the flag is absent. */
  env?: string
}

export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  run(args: ParsedArgs): Promise<number | void>
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parses argv for `cmd`; prints help and returns null for --help. Unknown flags throw USAGE. */
export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs | null {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } }
  for (const [name, o] of Object.entries(cmd.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }
  }
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new NodeError({ code: 'USAGE' }, `${(e as Error).message}\n\n${helpText(cmd)}`)
  }
  if (parsed.values.help) { console.log(helpText(cmd)); return null }
  const values = { ...parsed.values } as ParsedArgs['values']
  for (const [name, o] of Object.entries(cmd.options)) {
    if (values[name] === undefined && o.env && process.env[o.env] !== undefined) {
      values[name] = o.type === 'boolean' ? process.env[o.env] === 'true' || process.env[o.env] === '1' : process.env[o.env]
    }
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default
  }
  return { values, positionals: parsed.positionals }
}

export function helpText(cmd: Command): string {
  const lines = [`courtchain ${cmd.name} — ${cmd.summary}`, '', `usage: courtchain ${cmd.usage}`, '', 'options:']
  for (const [name, o] of Object.entries(cmd.options)) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' <value>' : ''}`
    const extra = [o.default !== undefined ? `default ${String(o.default)}` : '', o.env ? `env ${o.env}` : ''].filter(Boolean).join('; ')
    lines.push(`  ${flag.padEnd(30)} ${o.description}${extra ? ` (${extra})` : ''}`)
  }
  lines.push(`  ${'-h, --help'.padEnd(30)} show this help`)
  return lines.join('\n')
}

/** A required string option, or a USAGE error naming it. */
export function required(args: ParsedArgs, name: string): string {
  const v = args.values[name]
  if (typeof v !== 'string' || v === '') throw new NodeError({ code: 'USAGE' }, `--${name} is required`)
  return v
}

export function intOption(args: ParsedArgs, name: string): number {
  const v = args.values[name]
  const n = Number(v)
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v) || !Number.isSafeInteger(n)) throw new NodeError({ code: 'USAGE' }, `--${name} expected a whole number, got ${String(v)}`)
  return n
}
