// C2SP tlog-checkpoint bodies with courtchain's extension lines (docs/formats.md "Checkpoint and
// commit certificate"): origin, tree size, base64 root, then `height <h>`, `block <hex>`,
// `time <ms>`.
import { NodeError, abytes, fromBase64, toBase64 } from '../util/index.js'

/** Longest checkpoint body accepted, and most extension lines. */
export const MAX_CHECKPOINT_LENGTH = 64 * 1024
export const MAX_EXTENSION_LINES = 64

export interface Checkpoint {
  origin: string
  /** Tree size (number of leaves). */
  size: number
  /** 32-byte RFC 6962 root. */
  root: Uint8Array
  height?: number
  /** Lowercase hex of the 32-byte block hash. */
  block?: string
  /** Block time, ms since the epoch. */
  time?: number
  /** Extension lines we do not know, verbatim, after the known ones. */
  extensions?: string[]
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/
const HEX32_RE = /^[0-9a-f]{64}$/
const CONTROL_RE = /[\u0000-\u001f]/
// Known extension lines, in the only order they may appear (before any unknown line).
const KNOWN = ['height', 'block', 'time'] as const

function bad(data: Record<string, unknown>, message: string): NodeError {
  return new NodeError({ code: 'CHECKPOINT_BAD_FORMAT', ...data }, message)
}

function parseDecimal(s: string, field: string): number {
  if (!DECIMAL_RE.test(s)) throw bad({ field, actual: s }, `"${field}" expected a decimal without leading zeros, got ${JSON.stringify(s)}`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw bad({ field, actual: s }, `"${field}" beyond the safe integer range`)
  return n
}

function checkUint(n: unknown, field: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw bad({ field, actual: String(n) }, `"${field}" expected a safe unsigned integer, got ${String(n)}`)
  return n
}

/** The origin line of a courtchain log: `courtchain/<chainId>`. */
export function checkpointOrigin(chainId: string): string {
  if (typeof chainId !== 'string' || !/^[^\s+]+$/u.test(chainId)) {
    throw new NodeError({ code: 'CHECKPOINT_BAD_ORIGIN', actual: String(chainId) }, `"chainId" expected a non-empty id without spaces or "+", got ${JSON.stringify(chainId)}`)
  }
  return `courtchain/${chainId}`
}

/** The note body of a checkpoint, every line ending in newline; extension lines only when set. */
export function formatCheckpoint(c: Checkpoint): string {
  if (typeof c.origin !== 'string' || c.origin.length === 0 || CONTROL_RE.test(c.origin)) throw bad({ field: 'origin' }, '"origin" expected a non-empty line')
  let out = `${c.origin}\n${checkUint(c.size, 'size')}\n${toBase64(abytes(c.root, 'root', 32))}\n`
  if (c.height !== undefined) out += `height ${checkUint(c.height, 'height')}\n`
  if (c.block !== undefined) {
    if (typeof c.block !== 'string' || !HEX32_RE.test(c.block)) throw bad({ field: 'block' }, '"block" expected 64 lowercase hex digits')
    out += `block ${c.block}\n`
  }
  if (c.time !== undefined) out += `time ${checkUint(c.time, 'time')}\n`
  for (const line of c.extensions ?? []) {
    if (typeof line !== 'string' || line.length === 0 || CONTROL_RE.test(line)) throw bad({ field: 'extensions' }, 'extension lines must be non-empty single lines')
    if ((KNOWN as readonly string[]).includes(line.split(' ', 1)[0]!)) throw bad({ field: 'extensions', actual: line }, `extension line ${JSON.stringify(line)} belongs in its own field`)
    out += line + '\n'
  }
  return out
}

/** Strict parse of a checkpoint body (tlog-checkpoint.md "Note text"); format(parse(b)) === b. */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n')) throw bad({}, 'checkpoint expected to end with a newline')
  if (body.length > MAX_CHECKPOINT_LENGTH) throw bad({ expected: MAX_CHECKPOINT_LENGTH, actual: body.length }, 'checkpoint too long')
  if (/[\u0000-\u0009\u000b-\u001f]/.test(body)) throw bad({}, 'checkpoint contains a control character')
  const lines = body.slice(0, -1).split('\n')
  if (lines.length < 3) throw bad({ actual: lines.length }, `checkpoint expected at least 3 lines, got ${lines.length}`)
  if (lines.length - 3 > MAX_EXTENSION_LINES) throw bad({ actual: lines.length - 3 }, 'checkpoint has too many extension lines')
  if (lines.some((l) => l.length === 0)) throw bad({}, 'checkpoint lines must be non-empty')
  const [origin, sizeLine, rootLine] = lines as [string, string, string]
  const size = parseDecimal(sizeLine, 'size')
  let root: Uint8Array
  try { root = fromBase64(rootLine, 'root') } catch { throw bad({ field: 'root' }, '"root" expected canonical base64') }
  if (root.length !== 32) throw bad({ field: 'root', expected: 32, actual: root.length }, `"root" expected 32 bytes, got ${root.length}`)
  const c: Checkpoint = { origin, size, root }
  const extensions: string[] = []
  let next = 0 // index into KNOWN of the next known line allowed
  for (const line of lines.slice(3)) {
    const word = line.split(' ', 1)[0]!
    const k = (KNOWN as readonly string[]).indexOf(word)
    if (k < 0) { extensions.push(line); continue }
    if (k < next || extensions.length > 0) throw bad({ field: word }, `"${word}" line repeated or out of order`)
    next = k + 1
    const value = line.slice(word.length + 1)
    if (line[word.length] !== ' ') throw bad({ field: word }, `"${word}" line expected a value`)
    if (word === 'block') {
      if (!HEX32_RE.test(value)) throw bad({ field: 'block' }, '"block" expected 64 lowercase hex digits')
      c.block = value
    } else {
      c[word as 'height' | 'time'] = parseDecimal(value, word)
    }
  }
  if (extensions.length > 0) c.extensions = extensions
  return c
}
