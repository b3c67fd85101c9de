// Proposer-based timestamps (CometBFT spec/consensus/proposer-based-timestamp, "PBTS"): a block's
// time is its proposer's clock reading, and an honest replica prepares a fresh proposal only when
// that time is timely by its own clock at the moment the proposal first arrived
// (pbts-algorithm.md, PBTS-RECEPTION-STEP.1). With clocks of honest validators at most PRECISION
// apart and proposals delivered within MSGDELAY, every honest proposal is timely everywhere, and a
// committed block was judged timely by at least one honest replica (pbts-sysmodel.md,
// PBTS-SAFETY.0). A re-proposal keeps its original time and is taken on its prepared certificate.

/** The synchrony parameters (genesis `maxClockSkewMs` is PRECISION, `messageDelayMs` MSGDELAY). */
export interface SynchronyParams { maxClockSkewMs: number; messageDelayMs: number }

/**
 * null when a block stamped `time` and first received at `receivedAt` (this replica's clock) is
 * timely: receivedAt − precision − message delay ≤ time ≤ receivedAt + precision; else why not.
 */
export function untimely(time: number, receivedAt: number, p: SynchronyParams): string | null {
  if (time > receivedAt + p.maxClockSkewMs) return `block time is ${time - receivedAt} ms after its receipt (precision ${p.maxClockSkewMs} ms)`
  const bound = p.maxClockSkewMs + p.messageDelayMs
  if (time < receivedAt - bound) return `block time is ${receivedAt - time} ms before its receipt (precision + message delay ${bound} ms)`
  return null
}

/**
 * How long a proposer waits before reading its clock for a block on top of one stamped
 * `parentTime` (PBTS-ALG-STARTROUND.1: "wait until now_p > decision_p[h_p−1].time"), so that the
 * reading, which becomes the block's time, is after its parent's.
 */
export function proposerWait(parentTime: number, now: number): number {
  return Math.max(0, parentTime + 1 - now)
}
