// How the commands print a receipt's verdict and a time: one line that says VERIFIED or FAILED
// and why, then the facts a court asks for.
import type { ReceiptReport } from '../verify/index.js'
import type { Io } from './io.js'

export function printReport(io: Io, r: ReceiptReport, json: boolean): void {
  if (json) { io.out(JSON.stringify(r, null, 2)); return }
  if (!r.valid) {
    const failed = [...r.checks].reverse().find((c) => c.ok === false)
    io.out(`FAILED: ${r.failed ?? 'format'}: ${failed?.detail ?? 'the receipt did not verify'}`)
    if (r.evidenceId) io.out(`  evidence ${r.evidenceId}`)
    return
  }
  const rec = r.record!
  io.out(`VERIFIED: deposited by ${rec.depositor} at ${formatTime(rec.time)} in block ${rec.height}, ` +
    `log leaf ${r.leafIndex} of ${r.treeSize}, signed by ${r.signers.join(', ')}`)
  io.out(`  evidence  ${r.evidenceId}`)
  io.out(`  chain     ${rec.chain}`)
  io.out(`  sha256    ${rec.digests.sha256}${rec.digests.sm3 ? `\n  sm3       ${rec.digests.sm3}` : ''}`)
  if (rec.meta?.label !== undefined) io.out(`  label     ${rec.meta.label}`)
  if (rec.meta?.caseNo !== undefined) io.out(`  case      ${rec.meta.caseNo}`)
  if (r.checks.some((c) => c.name === 'depositor' && c.ok === null)) io.out('  note      a tlog-proof receipt carries no depositor signature; the depositor is as the record states')
}

/** "2026-11-27 21:03:04 UTC (local: 2026-11-28 05:03:04 GMT+8)"; the local part only when it differs. */
export function formatTime(ms: number): string {
  const d = new Date(ms)
  const utc = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'long', timeZone: 'UTC' }).format(d)
  const local = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'short', timeStyle: 'long' }).format(d)
  return local === utc ? utc : `${utc} (local: ${local})`
}
