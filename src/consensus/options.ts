import type { ConsensusOptions } from './types.js'

/** Defaults match genesis.json's consensus block (docs/formats.md "Genesis"). */
export const defaultConsensusOptions: ConsensusOptions = {
  watermarkWindow: 128,
  pipelineDepth: 4,
  checkpointInterval: 64,
  viewTimeoutMs: 2000,
  requestTimeoutMs: 4000,
  blockIntervalMs: 50,
  maxClockSkewMs: 500,
  messageDelayMs: 4000,
  maxBackoffExponent: 4,
  maxViewAhead: 4,
  idleBlocks: false,
  maxPendingRequests: 100_000,
}
