// The worker thread of AheadHasher (ahead.ts): hashes each block it is sent, in order, and
// answers with its hashes, or null for a block that does not decode (the main thread then
// decodes it itself and reports why).
import { parentPort, workerData } from 'node:worker_threads'
import { hashBlockAhead, type BlockHashes, type BlockLimits } from '../chain/index.js'

const limits = workerData as BlockLimits
parentPort!.on('message', ({ id, block }: { id: number; block: Uint8Array }) => {
  let hashes: BlockHashes | null = null
  try { hashes = hashBlockAhead(block, limits) } catch { /* answered as null */ }
  parentPort!.postMessage({ id, hashes }, hashes ? [hashes.evidenceLeafHashes.buffer as ArrayBuffer] : [])
})
