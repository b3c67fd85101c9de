// A block's header (docs/formats.md "Block"): apart from block.ts, so the validator epochs,
// whose handovers carry a header, need not import the block codec and its tx parser.

export interface BlockHeader {
  v: 1
  chain: string
  height: number
  time: number
  parent: string
  txRoot: string
  txCount: number
  logSize: number
  logRoot: string
  /** Only in the last block of an epoch: the hash of the validator-set handover (epoch.ts). */
  handover?: string
}
