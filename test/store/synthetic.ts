// Deterministic synthetic blocks for the store tests, the crash child and bench/store-scale:
// every leaf is a function of (height, item), so a test can recompute the whole log on its own.
import { createHash } from 'node:crypto'
import type { EvidenceLog, LogAppend } from '../../src/merkle/index.js'
import type { CommitBlockInput } from '../../src/store/index.js'
import { toHex, utf8 } from '../../src/util/index.js'

const sha = (s: string): Uint8Array => createHash('sha256').update(s).digest()
const shaHex = (s: string): string => createHash('sha256').update(s).digest('hex')

export const ITEMS_PER_TX = 100

/** RFC 6962 leaf hash with native SHA-256, for generation speed; tests check it against merkle's hashLeaf. */
export const nativeLeafHash = (leaf: Uint8Array): Uint8Array =>
  createHash('sha256').update(Uint8Array.of(0)).update(leaf).digest()

/** sha256 digest of item `i` of a block generated with `seed` (default: the height). */
export const syntheticDigest = (seed: number, i: number): string => shaHex(`digest/${seed}/${i}`)
export const syntheticTxHash = (height: number, t: number): Uint8Array => sha(`tx/${height}/${t}`)
export const syntheticCase = (height: number, i: number): string | undefined => (i % 10 === 0 ? `case-${height % 7}` : undefined)

/** Leaf bytes of item `i` in block `height`: an evidence record (docs/formats.md), JCS order. */
export function syntheticLeaf(height: number, i: number, seed = height): Uint8Array {
  const caseNo = syntheticCase(height, i)
  const digests = i % 2 === 1
    ? `{"sha256":"${syntheticDigest(seed, i)}","sm3":"${shaHex(`sm3/${seed}/${i}`)}"}`
    : `{"sha256":"${syntheticDigest(seed, i)}"}`
  const meta = caseNo === undefined ? '{"size":1024}' : `{"caseNo":"${caseNo}","size":1024}`
  return utf8(`{"chain":"bench","depositor":"notary-1","digests":${digests},"height":${height},` +
    `"item":${i % ITEMS_PER_TX},"meta":${meta},"time":${1764201600000 + height * 50},` +
    `"tx":"${toHex(syntheticTxHash(height, Math.floor(i / ITEMS_PER_TX)))}","v":1}`)
}

/** Number of evidence items the crash child puts in block `height` (irregular, some empty). */
export const crashItems = (height: number): number => (height * 7919) % 61

/**
 * Block `height` with `items` evidence items on top of `log` (or of the pending `after`); returns
 * the store input and the pending log append to commit once the store has it.
 */
export function syntheticBlock(log: EvidenceLog, height: number, items: number,
  opts: { after?: LogAppend; seed?: number } = {}): { input: CommitBlockInput; pending: LogAppend } {
  const seed = opts.seed ?? height
  const from = opts.after?.size ?? log.size
  const leaves = Array.from({ length: items }, (_, i) => syntheticLeaf(height, i, seed))
  const ids = leaves.map(nativeLeafHash)
  const pending = log.append(ids, opts.after)
  const evidence = leaves.map((_, i) => {
    const caseNo = syntheticCase(height, i)
    const digests: CommitBlockInput['evidence'][number]['digests'] = [{ alg: 'sha256', hex: syntheticDigest(seed, i) }]
    if (i % 2 === 1) digests.push({ alg: 'sm3', hex: shaHex(`sm3/${seed}/${i}`) })
    return { leafIndex: from + i, id: ids[i]!, digests, ...(caseNo !== undefined && { caseNo }) }
  })
  const txs = Array.from({ length: Math.ceil(items / ITEMS_PER_TX) }, (_, t) => ({ hash: syntheticTxHash(height, t), index: t }))
  const input: CommitBlockInput = {
    height,
    hash: sha(`block/${height}`),
    blockBytes: utf8(`block ${height} `.padEnd(200, '.')),
    certificate: `courtchain/bench\n${pending.size}\nroot\nheight ${height}\n\n— court-1 sig\n`,
    txs,
    evidence,
    logWrites: pending.writes,
    logSize: pending.size,
    logRoot: pending.root,
    state: [{ key: 'nonce/notary-1', value: utf8(String(height)) }],
  }
  return { input, pending }
}
