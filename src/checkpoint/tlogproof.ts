// C2SP tlog-proof (tlog-proof.md "Format"): a header line, an optional `extra` line, the leaf
// index, the inclusion proof hashes one per line, a blank line, then the checkpoint verbatim.
import { NodeError, abytes, fromBase64, toBase64 } from '../util/index.js'

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'
/** A tree of at most 2^64 leaves has inclusion proofs of at most 64 hashes. */
export const MAX_PROOF_HASHES = 64
/** Longest proof text accepted (the checkpoint note dominates). */
export const MAX_TLOG_PROOF_LENGTH = 2 << 20

export interface TlogProof {
  index: number
  /** Opaque, unauthenticated extra data (courtchain: the leaf bytes); absent when empty. */
  extra?: Uint8Array
  /** Inclusion proof, from the leaf's sibling up to the root's child. */
  proof: Uint8Array[]
  /** The signed checkpoint note, verbatim (ends with a newline). */
  checkpointNote: string
}

function bad(data: Record<string, unknown>, message: string): NodeError {
  return new NodeError({ code: 'TLOG_PROOF_MALFORMED', ...data }, message)
}

/** The tlog-proof text; an empty `extra` is written as no extra line, as the parser expects. */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw bad({ field: 'index', actual: String(p.index) }, `"index" expected a safe unsigned integer, got ${String(p.index)}`)
  if (!Array.isArray(p.proof) || p.proof.length > MAX_PROOF_HASHES) throw bad({ field: 'proof' }, `"proof" expected at most ${MAX_PROOF_HASHES} hashes`)
  if (typeof p.checkpointNote !== 'string' || p.checkpointNote.length === 0 || !p.checkpointNote.endsWith('\n')) {
    throw bad({ field: 'checkpointNote' }, '"checkpointNote" expected a non-empty note ending in newline')
  }
  let out = TLOG_PROOF_HEADER + '\n'
  if (p.extra !== undefined && abytes(p.extra, 'extra').length > 0) out += `extra ${toBase64(p.extra)}\n`
  out += `index ${p.index}\n`
  p.proof.forEach((h, i) => { out += toBase64(abytes(h, `proof[${i}]`, 32)) + '\n' })
  return out + '\n' + p.checkpointNote
}

/** Strict parse of a tlog-proof; the checkpoint note is returned verbatim, not yet verified. */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw bad({}, 'tlog-proof expected a string')
  if (text.length > MAX_TLOG_PROOF_LENGTH) throw bad({ expected: MAX_TLOG_PROOF_LENGTH, actual: text.length }, 'tlog-proof too long')
  const blank = text.indexOf('\n\n')
  if (blank < 0) throw bad({}, 'tlog-proof expected a blank line before the checkpoint')
  // The proof lines are non-empty, so the first blank line ends them.
  const lines = text.slice(0, blank).split('\n')
  const checkpointNote = text.slice(blank + 2)
  if (checkpointNote.length === 0 || !checkpointNote.endsWith('\n')) throw bad({ field: 'checkpointNote' }, 'tlog-proof expected a checkpoint ending in newline')
  if (lines[0] !== TLOG_PROOF_HEADER) throw bad({ field: 'header', actual: lines[0] }, `tlog-proof expected first line ${TLOG_PROOF_HEADER}`)
  let i = 1
  let extra: Uint8Array | undefined
  if (lines[i]?.startsWith('extra ')) {
    try { extra = fromBase64(lines[i]!.slice(6), 'extra') } catch { throw bad({ field: 'extra' }, '"extra" expected canonical base64') }
    if (extra.length === 0) throw bad({ field: 'extra' }, '"extra" line present but empty')
    i++
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[i] ?? '')
  if (!m) throw bad({ field: 'index', actual: lines[i] }, 'tlog-proof expected "index <decimal without leading zeros>"')
  const index = Number(m[1])
  if (!Number.isSafeInteger(index)) throw bad({ field: 'index', actual: m[1] }, '"index" beyond the safe integer range')
  i++
  const hashLines = lines.slice(i)
  if (hashLines.length > MAX_PROOF_HASHES) throw bad({ field: 'proof', actual: hashLines.length }, `"proof" expected at most ${MAX_PROOF_HASHES} hashes`)
  const proof = hashLines.map((line, k) => {
    let h: Uint8Array
    try { h = fromBase64(line, 'proof') } catch { throw bad({ field: `proof[${k}]` }, `"proof[${k}]" expected canonical base64`) }
    if (h.length !== 32) throw bad({ field: `proof[${k}]`, expected: 32, actual: h.length }, `"proof[${k}]" expected 32 bytes, got ${h.length}`)
    return h
  })
  return extra ? { index, extra, proof, checkpointNote } : { index, proof, checkpointNote }
}
