// The vote fence of a restored validator. Its WAL is as old as the backup, and the node may have
// voted after the backup was taken, at heights the restored WAL does not know of: voting there
// again could sign a second block at a (view, height) it already signed (PBFT §4.5: a replica
// never forgets what it sent). So a restored validator follows the chain by block sync and votes
// nothing until its committed head has passed every height it may have voted at. A validator
// votes at most pipelineDepth heights above its committed head, and what it committed its peers
// have committed too, so those heights end at the highest head its peers report when it comes
// back, plus pipelineDepth.
import { quorumSize } from '../chain/index.js'

/** The fence height from the validators' reported heads; null until 2f of them were heard (a quorum with this node). */
export function fenceHeight(heads: ReadonlyMap<string, number>, validators: readonly string[], self: string, depth: number): number | null {
  const heard = validators.filter((v) => v !== self && heads.has(v)).map((v) => heads.get(v)!)
  return heard.length > 0 && heard.length >= quorumSize(validators.length) - 1 ? Math.max(...heard) + depth : null
}

export interface VoteFenceDeps {
  store: { voteFence(): Promise<number | 'unknown' | null>; setVoteFence(f: number | 'unknown' | null): Promise<void> }
  self: string
  /** heights a validator votes on above its committed head (pipelineDepth) */
  depth: number
  log: { info(o: object, m: string): void }
  /** the fence is gone: the node may start voting */
  onLifted(): void
}

export class VoteFence {
  private constructor(private fence: number | 'unknown' | null, private readonly d: VoteFenceDeps) {}

  /** The fence the store holds (restore writes 'unknown'); `head` is the committed height now. */
  static async open(d: VoteFenceDeps, head: number): Promise<VoteFence> {
    const f = new VoteFence(await d.store.voteFence(), d)
    if (f.fence === 'unknown') d.log.info({}, 'restored from a backup: following without voting until the vote fence is known (from the validators\' heads) and passed')
    else if (f.fence !== null) d.log.info({ fence: f.fence, height: head }, 'restored from a backup: following without voting until the vote fence is passed')
    f.committed(head)
    return f
  }

  /** True while this node must not vote. */
  get holds(): boolean { return this.fence !== null }

  /** The latest heads the peers reported: they fix a fence not known yet. */
  heard(heads: ReadonlyMap<string, number>, validators: readonly string[]): void {
    if (this.fence !== 'unknown') return
    const h = fenceHeight(heads, validators, this.d.self, this.d.depth)
    if (h === null) return
    this.fence = h
    this.d.log.info({ fence: h }, 'vote fence set: this node votes again once its committed head reaches it')
    void this.d.store.setVoteFence(h).catch(() => undefined) // a failed write is the store watch's to report
  }

  /** The committed head is now `height`. */
  committed(height: number): void {
    if (typeof this.fence !== 'number' || height < this.fence) return
    this.d.log.info({ fence: this.fence, height }, 'vote fence passed: voting again')
    this.fence = null
    void this.d.store.setVoteFence(null).catch(() => undefined).then(() => this.d.onLifted())
  }
}
