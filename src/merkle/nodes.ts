// The stored nodes of the evidence log as the log and its storage agree on them: addresses of
// complete subtrees, a node to write, and the reader the log asks for hashes.

/** Address of a complete subtree: it covers leaves [index·2^level, (index+1)·2^level). */
export interface LogNodeKey {
  level: number
  index: number
}

/** A complete-subtree hash to persist; leaves are level 0. */
export interface LogNodeWrite extends LogNodeKey {
  hash: Uint8Array
}

/** The storage the log reads from: hashes of complete subtrees, in the order asked. */
export interface LogNodeReader {
  getNodes(keys: LogNodeKey[]): Promise<Uint8Array[]>
  /**
   * The same read done on the caller's thread, for a store whose reads of hot data take
   * microseconds: a proof's few nodes then cost no thread-pool round trip, which under load was
   * most of its latency (and all of its p99).
   */
  getNodesSync?(keys: LogNodeKey[]): Uint8Array[]
}
