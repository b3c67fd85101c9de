// courtchain receipt: fetch an evidence item's receipt (JSON, or C2SP tlog-proof text with --text).
import { writeFile } from 'node:fs/promises'
import { CourtchainClient } from '../../client/index.js'
import { NodeError, isNodeError } from '../../util/index.js'
import { required, type Command, type ParsedArgs } from '../args.js'
import { processIo, type Io } from '../io.js'

export const receiptCommand: Command = {
  name: 'receipt',
  summary: "fetch an evidence item's receipt from a node",
  usage: 'receipt <evidence id or a unique prefix of it> --node <url> [--text] [--out <file>]',
  options: {
    node: { type: 'string', short: 'n', description: 'RPC URL of a node of the chain', env: 'COURTCHAIN_NODE' },
    text: { type: 'boolean', description: 'the C2SP tlog-proof form instead of courtchain.receipt/v2 JSON', default: false },
    out: { type: 'string', short: 'o', description: 'write the receipt to this file instead of stdout' },
  },
  run: (args) => runReceipt(args, processIo),
}

/** The receipt command with its output injected; 1 when the node does not know the id. */
export async function runReceipt(args: ParsedArgs, io: Io): Promise<number> {
  const [id, ...extra] = args.positionals
  if (id === undefined || extra.length > 0) throw new NodeError({ code: 'USAGE' }, 'name exactly one evidence id (the `evidence` line of `courtchain verify`)')
  if (!/^[0-9a-fA-F]{4,64}$/.test(id)) throw new NodeError({ code: 'USAGE' }, `an evidence id is 64 hex digits, or a unique prefix of at least 4; got "${id}"`)
  const client = new CourtchainClient({ url: required(args, 'node') })
  let full: string
  try { full = await client.resolveEvidenceId(id) } catch (e) {
    if (!isNodeError(e, 'EVIDENCE_NOT_FOUND')) throw e
    io.err(`NOT FOUND: no evidence ${id} on ${client.url}`)
    return 1
  }
  const body = args.values.text === true
    ? await client.receiptText(full)
    : await client.receipt(full).then((r) => (r === null ? null : JSON.stringify(r, null, 2) + '\n'))
  if (body === null) {
    io.err(`NOT FOUND: no evidence ${full} on ${client.url}`)
    return 1
  }
  if (typeof args.values.out === 'string') {
    await writeFile(args.values.out, body)
    io.err(`wrote ${args.values.out}`)
  } else {
    io.out(body.replace(/\n$/, ''))
  }
  return 0
}
