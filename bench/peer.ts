// The no-consensus reference: the same kind of items appended to hypercore (a signed Merkle log,
// one writer, no consensus, no indexes), in batches of the batched scenario's tx size, then a
// proof per item (block + its tree nodes + a signed upgrade to the current length, i.e. what a
// verifier with only the public key needs).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createHash } from 'node:crypto'
import { percentile } from './common.js'

export interface PeerResult {
  available: boolean
  reason?: string
  version?: string
  items: number
  appendPerSec: number
  proofPerSec: number
  /** items / (append time + one proof per item time) */
  appendAndProofPerSec: number
  proofP50Ms: number
  proofP99Ms: number
}

export async function measureHypercore(items: number, batch: number, proofs: number): Promise<PeerResult> {
  let Hypercore: any
  let version = ''
  try {
    Hypercore = (await import('hypercore' as string)).default
    const { createRequire } = await import('node:module')
    version = createRequire(import.meta.url)('hypercore/package.json').version
  } catch (e) {
    return { available: false, reason: `hypercore not installed or not loadable: ${(e as Error).message.split('\n')[0]}`, items: 0, appendPerSec: NaN, proofPerSec: NaN, appendAndProofPerSec: NaN, proofP50Ms: NaN, proofP99Ms: NaN }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cc-bench-hypercore-'))
  const core = new Hypercore(dir)
  try {
    await core.ready()
    const leaf = (i: number): Buffer => {
      const d = createHash('sha256').update(`digest/${i}`).digest('hex')
      return Buffer.from(`{"chain":"bench","depositor":"notary-1","digests":{"sha256":"${d}"},"height":${1 + Math.floor(i / 1000)},"item":${i % 500},"meta":{"size":${1024 + (i & 1023)}},"time":${1764201600000 + i},"tx":"${d}","v":1}`)
    }
    const t0 = performance.now()
    for (let i = 0; i < items; i += batch) {
      const blocks: Buffer[] = []
      for (let j = i; j < Math.min(items, i + batch); j++) blocks.push(leaf(j))
      await core.append(blocks)
    }
    const appendSecs = (performance.now() - t0) / 1000
    const lat: number[] = []
    const t1 = performance.now()
    for (let i = 0; i < proofs; i++) {
      const t = performance.now()
      const index = Math.floor(Math.random() * core.length)
      const p = await core.proof({ block: { index, nodes: 0 }, upgrade: { start: 0, length: core.length } })
      if (!p.block || !p.upgrade) throw new Error('hypercore returned an incomplete proof')
      lat.push(performance.now() - t)
    }
    const proofSecs = (performance.now() - t1) / 1000
    const proofPerSec = proofs / proofSecs
    return {
      available: true, version, items, appendPerSec: items / appendSecs, proofPerSec,
      appendAndProofPerSec: items / (appendSecs + items / proofPerSec), proofP50Ms: percentile(lat, 0.5), proofP99Ms: percentile(lat, 0.99),
    }
  } catch (e) {
    return { available: false, reason: `hypercore failed here: ${(e as Error).message.split('\n')[0]}`, version, items: 0, appendPerSec: NaN, proofPerSec: NaN, appendAndProofPerSec: NaN, proofP50Ms: NaN, proofP99Ms: NaN }
  } finally {
    await core.close().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}
