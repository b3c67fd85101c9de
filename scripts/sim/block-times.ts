// The simulator's check of what a committed block's time guarantees under proposer-based
// timestamps (CometBFT PBTS-SAFETY.0): some honest replica judged the block timely when it first
// received it, so its time lies within [receipt − precision − message delay, receipt + precision].
// The simulated clocks are exact, so the earliest honest receipt and the first commit bound it.

export class BlockTimeCheck {
  /** earliest virtual time an honest replica received each proposed block */
  private readonly firstSeen = new Map<string, number>()

  constructor(private readonly precisionMs: number, private readonly messageDelayMs: number) {}

  /** An honest replica received a pre-prepare for `hash` at `now`. */
  received(hash: string, now: number): void {
    if (!this.firstSeen.has(hash)) this.firstSeen.set(hash, now)
  }

  /** The first honest commit of `block` at `now`: the violation, if its time is out of bounds. */
  committed(block: { hash: string; height: number; time: number }, now: number): string | null {
    const seen = this.firstSeen.get(block.hash)
    this.firstSeen.delete(block.hash)
    if (seen === undefined) return `height ${block.height} committed though no honest replica received it as a proposal`
    const bound = this.precisionMs + this.messageDelayMs
    if (block.time < seen - bound) return `height ${block.height} stamped ${seen - block.time} ms before an honest replica first received it (bound ${bound} ms)`
    // judged at a receipt before the first commit: at most precision after it
    if (block.time > now + this.precisionMs) return `height ${block.height} stamped ${block.time - now} ms after its first commit (precision ${this.precisionMs} ms)`
    return null
  }
}
