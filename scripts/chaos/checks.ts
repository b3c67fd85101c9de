// The checks after a chaos run: nothing acknowledged is lost (a receipt that verifies offline
// against the trust root, from every node), and no two nodes hold different blocks at a height.
import { initialState, quorumSize, validatorVkeys, type TrustRoot } from '../../src/chain/index.js'
import { verifyCheckpoint, verifyReceipt } from '../../src/verify/index.js'
import type { ChaosCluster } from './cluster.js'

/** A deposit the node answered as committed. */
export interface Ack { hash: string; digest: string; height: number; blockHash: string; node: number }

export interface CheckReport { lost: number; forks: number; badCertificates: number; heightsChecked: number; problems: string[] }

/** Runs `fn` over `xs` with at most `limit` at once. */
export async function pool<T>(xs: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, async () => {
    while (next < xs.length) await fn(xs[next++]!)
  }))
}

async function getRetry(c: ChaosCluster, i: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  let last: unknown
  for (let k = 0; k < 3; k++) {
    try {
      const r = await fetch(c.urls[i] + path, { headers, signal: AbortSignal.timeout(15_000) })
      return { status: r.status, body: await r.json().catch(() => null) }
    } catch (e) { last = e }
  }
  throw new Error(`GET ${path} on ${c.ids[i]}: ${(last as Error).message}`)
}

/** Every ack has, on every node, an evidence id for its digest whose receipt verifies and names its tx. */
export async function checkAcks(c: ChaosCluster, acks: readonly Ack[], trustRoot: TrustRoot, nodes: number[]): Promise<{ lost: number; problems: string[] }> {
  const problems: string[] = []
  const lostSet = new Set<string>()
  const jobs = acks.flatMap((a) => nodes.map((i) => ({ a, i })))
  // Nodes often serve byte-identical receipts (same certificate): verify each distinct one once.
  const verified = new Map<string, ReturnType<typeof verifyReceipt>>()
  await pool(jobs, 8, async ({ a, i }) => {
    const why = await (async (): Promise<string | null> => {
      const found = await getRetry(c, i, `/v1/evidence?digest=sha256:${a.digest}`)
      if (found.status !== 200) return `digest lookup answered ${found.status} ${JSON.stringify(found.body)}`
      // Each load deposit has a digest of its own: two leaves mean the tx was committed twice.
      if (found.body.ids.length !== 1) problems.push(`DUPLICATE: tx ${a.hash} has ${found.body.ids.length} evidence leaves on ${c.ids[i]}`)
      for (const id of found.body.ids as string[]) {
        const r = await getRetry(c, i, `/v1/evidence/${id}/receipt`)
        if (r.status !== 200) continue
        const k = a.digest + JSON.stringify(r.body)
        const report = verified.get(k) ?? verifyReceipt(r.body, trustRoot, { digest: { alg: 'sha256', hex: a.digest } })
        verified.set(k, report)
        if (report.valid && report.record?.tx === a.hash) {
          if (report.record.height !== a.height) return `committed at height ${report.record.height}, acknowledged at ${a.height}`
          return null
        }
        if (!report.valid) return `receipt ${id} does not verify: ${report.failed} ${report.checks.find((x) => !x.ok)?.detail}`
      }
      return `no receipt for tx ${a.hash}`
    })().catch((e: Error) => e.message)
    if (why) {
      lostSet.add(a.hash)
      if (problems.length < 20) problems.push(`LOST tx ${a.hash} (acked by ${c.ids[a.node]} at height ${a.height}) on ${c.ids[i]}: ${why}`)
    }
  })
  return { lost: lostSet.size, problems }
}

/** Block hashes agree at every height across nodes; each certificate is a quorum over its own block. */
export async function checkBlocks(c: ChaosCluster, trustRoot: TrustRoot, nodes: number[], acks: readonly Ack[]): Promise<CheckReport> {
  const problems: string[] = []
  const state = initialState(trustRoot.genesis)
  const vkeys = validatorVkeys(state)
  const quorum = quorumSize(state.validators.length)
  const heads = await Promise.all(nodes.map(async (i) => (await c.status(i, 10_000))?.height ?? 0))
  const maxHead = Math.max(0, ...heads)
  const byHeight: Map<number, string>[] = nodes.map(() => new Map())
  let badCertificates = 0
  const certsSeen = new Set<string>()
  const jobs = nodes.flatMap((i, k) => Array.from({ length: heads[k]! }, (_, h) => ({ i, k, h: h + 1 })))
  await pool(jobs, 8, async ({ i, k, h }) => {
    const r = await getRetry(c, i, `/v1/blocks/${h}`).catch((e: Error) => ({ status: 0, body: e.message }))
    if (r.status !== 200) { problems.push(`${c.ids[i]} has no block ${h} below its head: ${r.status} ${JSON.stringify(r.body)}`); return }
    byHeight[k]!.set(h, r.body.hash)
    const cert = r.body.certificate as string
    if (certsSeen.has(cert)) return
    certsSeen.add(cert)
    try {
      const cp = verifyCheckpoint(cert, vkeys, quorum)
      if (cp.block !== r.body.hash || cp.height !== h) throw new Error(`certificate names block ${cp.height} ${cp.block}`)
    } catch (e) {
      badCertificates++
      if (problems.length < 40) problems.push(`${c.ids[i]} block ${h}: bad certificate: ${(e as Error).message}`)
    }
  })
  let forks = 0
  for (let h = 1; h <= maxHead; h++) {
    const seen = new Map<string, string[]>()
    nodes.forEach((i, k) => { const x = byHeight[k]!.get(h); if (x) seen.set(x, [...(seen.get(x) ?? []), c.ids[i]!]) })
    if (seen.size > 1) {
      forks++
      if (problems.length < 40) problems.push(`FORK at height ${h}: ${[...seen].map(([hash, who]) => `${hash.slice(0, 12)} on ${who.join(',')}`).join(' vs ')}`)
    }
  }
  // An acknowledged commit names the block every node holds at that height.
  for (const a of acks) {
    const held = byHeight.map((m) => m.get(a.height)).find((x) => x !== undefined)
    if (held && held !== a.blockHash) {
      forks++
      if (problems.length < 40) problems.push(`FORK: ${c.ids[a.node]} acknowledged tx ${a.hash} in block ${a.height} ${a.blockHash.slice(0, 12)}, nodes hold ${held.slice(0, 12)}`)
    }
  }
  return { lost: 0, forks, badCertificates, heightsChecked: maxHead, problems }
}
