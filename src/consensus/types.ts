// Types of the PBFT core (Castro–Liskov, TOCS 2002) run over blocks: messages, inputs, actions,
// persisted records and the replica state. Everything chain-specific comes in through
// ConsensusContext, so the core stays generic and deterministic.

/** What the core needs to know about a block: its digest, place in the chain and time. */
export interface ProposalLike { hash: string; height: number; parent: string; time: number }

/** The committed head a block builds on. */
export interface BlockRef { hash: string; height: number; time: number }

/** Chain-specific, deterministic services the state machine calls. */
export interface ConsensusContext<B extends ProposalLike> {
  chainId: string
  /** member ids in genesis order; primary(v) = validators[v % n] */
  validators: string[]
  self: string
  genesis: BlockRef
  sign(payload: Uint8Array): Uint8Array
  /** false on a bad signature; never throws for bad input */
  verify(signer: string, payload: Uint8Array, sig: Uint8Array): boolean
  /** bytes a commit vote signs (the block's checkpoint note body) */
  commitPayload(block: B): Uint8Array
  /**
   * null = valid, else the reason; must also check that `block.hash` is the digest of its contents.
   * Reads no clock: whether a fresh proposal's time is timely is the core's judgement (timely.ts).
   */
  validateBlock(block: B, parent: BlockRef): string | null
  /** request ids (tx hashes) the block carries, to stop request timers (PBFT §4.4 liveness) */
  requestIds(block: B): string[]
  /**
   * Whether a request is still waiting to be committed, as the app knows it (its mempool). Block
   * sync applies many blocks while the machine sees only the last one, so requests carried by
   * the others are dropped with this after a sync. Optional: without it they wait for a commit.
   */
  stillPending?(requestId: string): boolean
  /**
   * Reconfiguration: the validator set that certified committed block `height` when it is not
   * `validators` (a block of an earlier epoch, e.g. the head a new epoch starts from); absent or
   * null = `validators`. An engine runs one epoch: it is replaced after the epoch's last block.
   */
  certifiersOf?(height: number): CertifierSet | null
  /**
   * Pipelining: whether a block may be proposed or prepared on top of `parent`, a block this
   * replica accepted but that is not committed yet (false at the end of an epoch, or when the app
   * cannot build on it). Absent = never: one height in flight at a time.
   */
  canExtend?(parent: B): boolean
}

/** A validator set other than the current one, for checking old commit certificates. */
export interface CertifierSet {
  validators: readonly string[]
  verify(signer: string, payload: Uint8Array, sig: Uint8Array): boolean
}

export interface CertSig { signer: string; sig: Uint8Array }
/** A block with its commit certificate: 2f+1 commit signatures over commitPayload(block). */
export interface CommittedBlock<B> { block: B; certificate: CertSig[] }

export interface PrePrepare<B> { type: 'pre-prepare'; view: number; height: number; digest: string; block: B; from: string; sig: Uint8Array }
export interface Prepare { type: 'prepare'; view: number; height: number; digest: string; from: string; sig: Uint8Array }
export interface Commit { type: 'commit'; view: number; height: number; digest: string; from: string; certSig: Uint8Array; sig: Uint8Array }
/** PBFT §4.4: a pre-prepare and 2f matching prepares from distinct backups. */
export interface PreparedCert<B> { prePrepare: PrePrepare<B>; prepares: Prepare[] }
export interface ViewChange<B> {
  type: 'view-change'; view: number; from: string
  /** the sender's last committed block (null = genesis): a stable-checkpoint proof */
  checkpoint: CommittedBlock<B> | null
  /** prepared certificates above the checkpoint, ascending heights, one per height */
  prepared: PreparedCert<B>[]
  sig: Uint8Array
}
export interface NewView<B> {
  type: 'new-view'; view: number; from: string
  viewChanges: ViewChange<B>[]
  /** the O set: re-proposals from checkpoint+1 up, one per height, while prepared certificates chain */
  prePrepares: PrePrepare<B>[]
  sig: Uint8Array
}
/** A certified block sent to a replica one height behind (single-block catch-up). */
export interface CheckpointMsg<B> { type: 'checkpoint'; from: string; block: B; certificate: CertSig[]; sig: Uint8Array }

export type ConsensusMessage<B> = PrePrepare<B> | Prepare | Commit | ViewChange<B> | NewView<B> | CheckpointMsg<B>

export type TimerName = 'view' | 'view-change' | 'request' | 'propose'

export type ConsensusInput<B> =
  | { type: 'start'; now: number }
  | { type: 'message'; from: string; msg: ConsensusMessage<B>; now: number }
  | { type: 'timeout'; timer: TimerName; id: number; now: number }
  | { type: 'proposal'; block: B; view: number; now: number }
  /** The app could not build the block asked for at (height, view). */
  | { type: 'proposal-failed'; height: number; view: number; now: number }
  | { type: 'request'; txHash: string; now: number }
  | { type: 'synced'; head: CommittedBlock<B>; now: number }

/** WAL records: written before the message they justify leaves ("persist before send"). */
export type ConsensusRecord<B> =
  | { kind: 'view'; view: number; mode: Mode; fixed?: number }
  | { kind: 'pre-prepare'; msg: PrePrepare<B> }
  | { kind: 'prepare'; msg: Prepare }
  | { kind: 'commit'; msg: Commit; prepared: PreparedCert<B> }
  | { kind: 'committed'; head: CommittedBlock<B> }

export type ConsensusAction<B> =
  | { type: 'broadcast'; msg: ConsensusMessage<B> }
  | { type: 'send'; to: string; msg: ConsensusMessage<B> }
  | { type: 'persist'; record: ConsensusRecord<B> }
  | { type: 'setTimer'; timer: TimerName; id: number; ms: number }
  | { type: 'cancelTimer'; timer: TimerName }
  | { type: 'requestProposal'; height: number; view: number; parent: BlockRef }
  | { type: 'commit'; block: B; certificate: CertSig[] }
  | { type: 'requestSync'; fromHeight: number; peers: string[] }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; msg: string; data?: Record<string, unknown> }

export type Mode = 'normal' | 'view-change'

export interface ConsensusOptions {
  /** heights above the last committed one whose messages are kept (high watermark) */
  watermarkWindow: number
  /** heights agreed on at once (pipelining; 1 = one at a time); commits stay in height order */
  pipelineDepth: number
  /** every K-th committed height becomes the stable checkpoint (low watermark) */
  checkpointInterval: number
  viewTimeoutMs: number
  requestTimeoutMs: number
  blockIntervalMs: number
  /** PBTS PRECISION: most two honest validators' clocks differ by (genesis `maxClockSkewMs`) */
  maxClockSkewMs: number
  /** PBTS MSGDELAY: longest from a proposer reading its clock for a block to an honest replica receiving it */
  messageDelayMs: number
  /** cap on the exponent of the view-change back-off */
  maxBackoffExponent: number
  /** normal-case messages are kept for views up to current + this */
  maxViewAhead: number
  /** propose even with no pending request (the simulator uses it) */
  idleBlocks: boolean
  maxPendingRequests: number
}

/** Messages of one height, indexed by view then sender (one of each kind per sender and view). */
export interface Slot<B> {
  prePrepares: Map<number, PrePrepare<B>>
  rejected: Set<number>
  prepares: Map<number, Map<string, Prepare>>
  commits: Map<number, Map<string, Commit>>
}

export interface ConsensusState<B> {
  opts: ConsensusOptions
  view: number
  mode: Mode
  viewChangeAttempts: number
  head: BlockRef
  headCert: CommittedBlock<B> | null
  stableHeight: number
  /**
   * Heights up to here are fixed by a commit certificate this replica holds but has not applied
   * (a NEW-VIEW's checkpoint above its head): it syncs them and never proposes or votes at them
   * (PBFT §4.4: after a new view the low watermark is the new view's stable checkpoint).
   */
  fixedHeight: number
  slots: Map<number, Slot<B>>
  /** own prepared certificates above the head, by height (the highest view at each) */
  prepared: Map<number, PreparedCert<B>>
  /** own votes "phase:view:height" → digest, restored from the WAL: never vote twice */
  votes: Map<string, string>
  viewChanges: Map<string, ViewChange<B>>
  /** the highest view above ours each replica was seen in (its signed view-change or normal-case message) */
  viewsSeen: Map<string, number>
  /** views whose NEW-VIEW this replica accepted or sent */
  newViewDone: number
  /** the last NEW-VIEW accepted or sent, resent to a replica that missed it */
  lastNewView: NewView<B> | null
  pending: Map<string, number>
  requestSeq: number
  timers: Map<TimerName, number>
  timerSeq: number
  /** The block the app was asked to build and has not answered yet. */
  proposalAsked: { view: number; height: number } | null
  ahead: Map<string, number>
  syncAskedAt: number
  checkpointSent: Map<string, number>
}
