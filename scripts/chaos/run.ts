// One chaos run: a devnet of processes under continuous deposit load, the seeded perturbation
// schedule applied and healed, a stall monitor, then the safety and durability checks.
import type { TrustRoot } from '../../src/chain/index.js'
import { checkAcks, checkBlocks, type Ack } from './checks.js'
import { ChaosCluster, sleep } from './cluster.js'
import { describe, makeSchedule, PERTURBATION_KINDS, type Perturbation, type PerturbationKind } from './schedule.js'

export interface ChaosOptions {
  durationS: number
  seed: number
  nodes: number
  kinds?: readonly PerturbationKind[]
  faultS?: [number, number]
  gapS?: [number, number]
  /** no new height for this long while a quorum of non-faulty nodes can talk is a stall */
  stallMs?: number
  workers?: number
  /** after the load stops, how long to watch for blocks or view changes with no load (default 6000; 0 = skip) */
  quiescenceMs?: number
  /** one validator started with `--byzantine <mode>` for the whole run (it counts as faulty throughout) */
  byzantineFlag?: { node: number; mode: string }
  logLevel?: string
  keep?: boolean
  log?: (line: string) => void
  /** runs after the checks on the same devnet (the fuzzers), before it is stopped */
  after?: (c: ChaosCluster) => Promise<string[]>
}

export interface ChaosResult {
  perturbations: number
  acknowledged: number
  lost: number
  forks: number
  stalls: number
  badCertificates: number
  reopenFailures: number
  noQuorumWindows: number
  heights: number
  problems: string[]
  warnings: string[]
  summary: string
  ok: boolean
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? ((s: string) => console.log(s))
  const stallMs = o.stallMs ?? 20_000
  const kinds = o.kinds ?? PERTURBATION_KINDS
  const schedule = makeSchedule({ seed: o.seed, durationS: o.durationS, nodes: o.nodes, kinds, ...(o.faultS ? { faultS: o.faultS } : {}), ...(o.gapS ? { gapS: o.gapS } : {}) })
  const c = await ChaosCluster.create({ nodes: o.nodes, logLevel: o.logLevel ?? 'info' })
  log(`chaos: seed ${o.seed}, ${o.durationS}s, ${o.nodes} nodes (f=${c.f}), devnet in ${c.dir}`)
  log(`schedule (${schedule.length} perturbations):`)
  for (const p of schedule) log('  ' + describe(p, c.ids))
  const problems: string[] = []
  /** reported, not failing the run: known issues outside the runner's checks */
  const warnings: string[] = []
  const acks: Ack[] = []
  let reopenFailures = 0
  let stalls = 0
  let noQuorumWindows = 0
  let submitted = 0, pending = 0, failedSubmits = 0
  const failures = new Map<string, number>()
  const reopenChecks: Promise<void>[] = []

  // --- fault state, for "progress is expected" ---
  const down = new Set<number>(), paused = new Set<number>(), byz = new Set<number>()
  let partition: number[][] | null = null
  const faulty = (): Set<number> => new Set([...down, ...paused, ...byz])
  const healthy = (): number[] => {
    const bad = faulty()
    const groups = partition ?? [c.ids.map((_, i) => i)]
    const best = groups.map((g) => g.filter((i) => !bad.has(i))).sort((a, b) => b.length - a.length)[0] ?? []
    return best
  }
  const progressExpected = (): boolean => faulty().size <= c.f && healthy().length >= c.quorum

  let startedAt = Date.now()
  let stopping = false
  const T = (): string => `t=${((Date.now() - startedAt) / 1000).toFixed(1)}s`
  try {
    c.ids.forEach((_, i) => c.start(i, o.byzantineFlag?.node === i ? ['--byzantine', o.byzantineFlag.mode] : []))
    if (o.byzantineFlag) { byz.add(o.byzantineFlag.node); log(`${c.ids[o.byzantineFlag.node]} runs with --byzantine ${o.byzantineFlag.mode} throughout`) }
    for (const i of c.ids.keys()) if (!(await c.waitServing(i, 60_000))) throw new Error(`${c.ids[i]} did not start:\n${c.logs(i)}`)
    c.trustRoot = (await c.get(0, '/v1/trust-root')) as TrustRoot
    const trustRoot = c.trustRoot
    startedAt = Date.now()

    // --- load: signed deposits with ?wait=commit; most workers use the nodes in the healthy quorum ---
    let label = 0
    const worker = async (w: number): Promise<void> => {
      while (!stopping) {
        const up = c.ids.map((_, i) => i).filter((i) => c.isUp(i) && !c.paused[i])
        const good = healthy().filter((i) => up.includes(i))
        const pool = w === 0 ? up : (good.length ? good : up)
        if (pool.length === 0) { await sleep(200); continue }
        const i = pool[Math.floor(Math.random() * pool.length)]!
        submitted++
        try {
          const r = await c.deposit(i, `chaos/${o.seed}/${startedAt}/${label++}`)
          if (r.status === 200 && r.body.status === 'committed') {
            acks.push({ hash: r.hash, digest: r.digest, height: r.body.height, blockHash: r.body.blockHash, node: i })
          } else if (r.status === 202) pending++
          else { failedSubmits++; failures.set(`${r.status} ${r.body?.code ?? ''}`, (failures.get(`${r.status} ${r.body?.code ?? ''}`) ?? 0) + 1); await sleep(100) }
        } catch (e) { failedSubmits++; const k = (e as Error).name; failures.set(k, (failures.get(k) ?? 0) + 1); await sleep(100) }
      }
    }
    const workers = Array.from({ length: o.workers ?? 4 }, (_, w) => worker(w))

    // --- stall monitor ---
    let monitorUntil = 0
    let maxHeight = 0, lastProgress = Date.now(), expectedSince: number | null = Date.now(), inStall = false, wasExpected = true
    const monitor = (async () => {
      while (!stopping || monitorUntil > Date.now()) {
        const st = await Promise.all(c.ids.map((_, i) => c.status(i, 1500)))
        const h = Math.max(0, ...st.map((s) => s?.height ?? 0))
        const now = Date.now()
        if (h > maxHeight) { maxHeight = h; lastProgress = now; inStall = false }
        const expected = progressExpected()
        if (expected && !wasExpected) expectedSince = now
        if (!expected && wasExpected) { expectedSince = null; noQuorumWindows++ }
        wasExpected = expected
        if (expected && expectedSince !== null && !inStall && now - Math.max(lastProgress, expectedSince) > stallMs) {
          inStall = true
          stalls++
          const msg = `STALL at ${T()}: no new height above ${maxHeight} for ${Math.round((now - Math.max(lastProgress, expectedSince)) / 1000)}s with a quorum up (faulty: ${[...faulty()].map((i) => c.ids[i]).join(',') || 'none'}; views ${st.map((s) => s?.view ?? '-').join(',')})`
          log('  ' + msg)
          problems.push(msg)
        }
        await sleep(500)
      }
    })()

    // --- perturbations ---
    const restart = (i: number, why: string): void => {
      c.start(i)
      down.delete(i)
      reopenChecks.push(c.waitServing(i, 45_000).then((ok) => {
        if (!ok) { reopenFailures++; problems.push(`${c.ids[i]} did not serve status 45s after restart (${why}):\n${c.logs(i, 15)}`) }
      }))
    }
    const primaryIndex = async (): Promise<number> => {
      for (const i of c.ids.keys()) { const s = await c.status(i); if (s?.primary) return c.ids.indexOf(s.primary) }
      return 0
    }
    const apply = async (p: Perturbation): Promise<() => Promise<void>> => {
      switch (p.kind) {
        case 'kill': case 'kill-primary': case 'quorum-loss': case 'wipe': {
          const ts = p.kind === 'kill-primary' ? [await primaryIndex()] : p.targets
          for (const i of ts) { down.add(i); if (p.kind === 'wipe') await c.wipe(i); else await c.kill(i) }
          log(`  ${T()} ${p.kind} ${ts.map((i) => c.ids[i]).join(',')}`)
          return async () => { for (const i of ts) restart(i, p.kind) }
        }
        case 'pause':
          for (const i of p.targets) { paused.add(i); c.pause(i) }
          log(`  ${T()} pause ${p.targets.map((i) => c.ids[i]).join(',')}`)
          return async () => { for (const i of p.targets) { c.resume(i); paused.delete(i) } }
        case 'partition-minority': case 'partition-split': {
          const a = p.targets, b = p.others ?? []
          for (const i of a) c.setControl(i, { dropTo: b.map((j) => c.ids[j]!) })
          for (const j of b) c.setControl(j, { dropTo: a.map((i) => c.ids[i]!) })
          partition = [a, b]
          log(`  ${T()} ${p.kind} ${a.map((i) => c.ids[i]).join(',')} | ${b.map((i) => c.ids[i]).join(',')}`)
          return async () => { for (const i of c.ids.keys()) c.setControl(i, {}); partition = null }
        }
        case 'delay': case 'loss':
          for (const i of c.ids.keys()) c.setControl(i, p.kind === 'delay' ? { delayMs: p.delayMs!, jitterMs: p.jitterMs! } : { loss: p.loss! })
          log(`  ${T()} ${p.kind} on every link`)
          return async () => { for (const i of c.ids.keys()) c.setControl(i, {}) }
        case 'byzantine': {
          const t = p.onPrimary ? await primaryIndex() : p.targets[0]!
          byz.add(t)
          c.setControl(t, { byzantine: p.mode! })
          log(`  ${T()} byzantine ${p.mode} on ${c.ids[t]}`)
          return async () => { c.setControl(t, {}); byz.delete(t) }
        }
      }
    }
    for (const p of schedule) {
      const wait = startedAt + p.at * 1000 - Date.now()
      if (wait > 0) await sleep(wait)
      const heal = await apply(p)
      await sleep(p.duration * 1000)
      await heal()
      log(`  ${T()} healed ${p.kind}`)
    }
    const end = startedAt + o.durationS * 1000 - Date.now()
    if (end > 0) await sleep(end)

    // --- cool-down: stop the load, every node up and level, one more commit through each ---
    stopping = true
    monitorUntil = Date.now() + 5000
    await Promise.all(workers)
    await Promise.all(reopenChecks)
    for (const i of c.ids.keys()) if (!c.isUp(i)) restart(i, 'end of run')
    await Promise.all(reopenChecks)
    for (const i of c.ids.keys()) {
      const r = await c.deposit(i, `chaos/${o.seed}/${startedAt}/final-${i}`, { timeoutMs: 30_000 }).catch((e: Error) => ({ status: 0, body: e.message } as never))
      if (r.status === 200 && r.body.status === 'committed') acks.push({ hash: r.hash, digest: r.digest, height: r.body.height, blockHash: r.body.blockHash, node: i })
      else problems.push(`after healing, a deposit through ${c.ids[i]} did not commit: ${r.status} ${JSON.stringify(r.body)}`)
    }
    const target = Math.max(0, ...(await Promise.all(c.ids.map((_, i) => c.status(i)))).map((s) => s?.height ?? 0))
    const level = Date.now() + 60_000
    while (Date.now() < level) {
      const hs = (await Promise.all(c.ids.map((_, i) => c.status(i)))).map((s) => s?.height ?? -1)
      if (hs.every((h) => h >= target)) break
      await sleep(500)
    }
    const hs = (await Promise.all(c.ids.map((_, i) => c.status(i)))).map((s) => s?.height ?? -1)
    if (!hs.every((h) => h >= target)) problems.push(`nodes did not level at height ${target} within 60s: ${hs.join(',')}`)
    await monitor
    log(`load: ${submitted} submitted, ${acks.length} acknowledged committed, ${pending} still pending at their timeout, ${failedSubmits} refused or failed (${[...failures].map(([k, n]) => `${k}: ${n}`).join(', ')}); heights ${hs.join(',')}`)

    // --- quiescence: with no load, no node should keep making blocks or changing views ---
    const quietMs = o.quiescenceMs ?? 6000
    const q0 = await Promise.all(c.ids.map((_, i) => c.status(i)))
    if (quietMs > 0) await sleep(quietMs)
    const q1 = quietMs > 0 ? await Promise.all(c.ids.map((_, i) => c.status(i))) : q0
    const grew = q1.map((s, i) => (s?.height ?? 0) - (q0[i]?.height ?? 0))
    const views = q1.map((s, i) => (s?.view ?? 0) - (q0[i]?.view ?? 0))
    if (grew.some((g) => g > 0) || views.some((v) => v > 0)) {
      warnings.push(`CHURN with no load for ${quietMs / 1000}s: heights +${grew.join(',+')} (empty blocks), views +${views.join(',+')} (stale PBFT requests after block sync, see test/chaos/stale-requests.test.ts)`)
    }

    // --- checks ---
    const nodes = [...c.ids.keys()]
    const atChecks = await Promise.all(nodes.map((i) => c.status(i)))
    log(`heights at the checks: ${atChecks.map((s) => s?.height ?? '-').join(',')}, mempools ${atChecks.map((s) => s?.mempool ?? '-').join(',')}`)
    const blocks = await checkBlocks(c, trustRoot, nodes, acks)
    const lostReport = await checkAcks(c, acks, trustRoot, nodes)
    problems.push(...blocks.problems, ...lostReport.problems)
    log(`checked: ${acks.length} receipts on ${nodes.length} nodes, ${blocks.heightsChecked} heights, restarts ${c.starts.map((n) => n - 1).join(',')}`)
    if (o.after) problems.push(...(await o.after(c)))
    const lost = lostReport.lost
    const summary = `perturbations: ${schedule.length}, acknowledged: ${acks.length}, lost: ${lost}, forks: ${blocks.forks}, stalls: ${stalls}`
    const ok = lost === 0 && blocks.forks === 0 && stalls === 0 && blocks.badCertificates === 0 && reopenFailures === 0 && problems.length === 0
    return { perturbations: schedule.length, acknowledged: acks.length, lost, forks: blocks.forks, stalls, badCertificates: blocks.badCertificates, reopenFailures, noQuorumWindows, heights: blocks.heightsChecked, problems, warnings, summary, ok }
  } finally {
    stopping = true
    await c.stop(o.keep === true)
    if (o.keep) log(`devnet kept in ${c.dir}`)
  }
}
