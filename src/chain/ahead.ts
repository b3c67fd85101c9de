// Hashing ahead of decoding: decoding a block hashes every item (each tx's items root) and placing
// it hashes every evidence record (its log leaf); for a big block that is most of the work. Block
// sync has a worker thread do both for the next blocks while the main thread commits the current
// ones (sync/ahead.ts); decodeBlock then takes the results instead of hashing again. None is
// trusted: a wrong items root changes the tx hash and fails the header's tx root, a wrong leaf
// hash fails the header's log root on commit.
import { decodeBlock, type BlockHashes, type BlockLimits } from './block.js'
import { blockEvidence } from './evidence.js'

/** The hashes decodeBlock and blockEvidence would compute for this block (throws what decodeBlock throws). */
export function hashBlockAhead(bytes: Uint8Array, limits: BlockLimits): BlockHashes {
  const pb = decodeBlock(bytes, limits)
  const placed = blockEvidence(pb, 0)
  // One buffer of its own, so it can be handed to another thread without a copy.
  const evidenceLeafHashes = new Uint8Array(32 * placed.length)
  for (let i = 0; i < placed.length; i++) evidenceLeafHashes.set(placed[i]!.leafHash, 32 * i)
  return { itemsRoots: pb.txs.map((t) => t.header.itemsRoot), evidenceLeafHashes }
}
