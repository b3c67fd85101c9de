// p2p fuzzer: a real P2P instance holding a validator's key (that validator's process stopped)
// connects to the other nodes and sends mutated valid frames on every protocol: consensus
// (captured live from the peers, replayed, forged, re-signed with hostile values), tx batches,
// head announcements and sync requests; it answers their sync requests with damaged answers.
// Checks: no node dies, their RSS stays bounded, and the chain still commits afterwards.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { encode } from 'cborg'
import { signTx } from '../../src/chain/index.js'
import { encodeCbor } from '../../src/codec/index.js'
import { signedPayload } from '../../src/consensus/index.js'
import { ed25519Sign, readKeyFile, sha256 } from '../../src/crypto/index.js'
import { P2P } from '../../src/p2p/index.js'
import { encodeHead, encodeRangeRequest } from '../../src/sync/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import type { ChaosCluster } from './cluster.js'
import { sleep } from './cluster.js'
import { mutateFrame } from './mutate.js'
import { Prng } from './prng.js'

export interface P2pFuzzOptions { count: number; seed: number; /** the validator whose key the fuzzer takes */ as: number; maxRssBytes?: number; maxRssGrowthBytes?: number }
export interface P2pFuzzResult { sent: number; byProtocol: Record<string, number>; problems: string[]; summary: string }

const quiet = { info() {}, warn() {}, error() {}, debug() {} }
const PROTOCOLS = ['pbft', 'txs', 'head', 'sync'] as const

export async function fuzzP2p(c: ChaosCluster, o: P2pFuzzOptions): Promise<P2pFuzzResult> {
  const rng = new Prng(o.seed ^ 0xf0f0)
  const problems: string[] = []
  const me = o.as
  const targets = c.ids.map((_, i) => i).filter((i) => i !== me)
  const chain = c.genesis.chainId
  const domain = { chainId: chain, genesis: { hash: c.genesisHash } }
  const key = await readKeyFile(join(c.homes[me]!, 'key.json'))
  const listen = JSON.parse(readFileSync(join(c.homes[me]!, 'config.json'), 'utf8')).listen as string[]
  await c.kill(me, 'SIGTERM')

  const captured: Record<string, Uint8Array[]> = { pbft: [], txs: [], head: [] }
  const keep = (name: string, bytes: Uint8Array): void => {
    const list = captured[name]!
    if (list.length < 300) list.push(bytes)
    else list[rng.int(0, list.length - 1)] = bytes
  }
  const members = c.genesis.members.filter((m) => m.peerId && m.id !== key.id)
  const p2p = await P2P.init({
    seed: key.seed, listen, chainId: chain,
    peers: members.map((m) => ({ id: m.id, peerId: m.peerId!, addrs: m.addrs ?? [], dial: true })),
    maxMessageBytes: c.genesis.consensus.maxBlockBytes * 2 + 1024 * 1024,
  }, { log: quiet })
  const byProtocol: Record<string, number> = { pbft: 0, txs: 0, head: 0, sync: 0, 'sync-answers': 0 }
  let sent = 0
  try {
    for (const name of ['pbft', 'txs', 'head']) await p2p.handle(name, (_from, bytes) => keep(name, bytes))
    // Their sync requests get damaged answers.
    await p2p.handleRequest('sync', async () => {
      byProtocol['sync-answers']!++
      return mutateFrame(rng, encodeCbor({ head: rng.int(0, 2 ** 40), blocks: [{ block: rng.bytes(rng.int(0, 300)), certificate: 'x' }] }))
    })
    const until = Date.now() + 20_000
    while (Date.now() < until && !targets.every((i) => p2p.peers().find((p) => p.id === c.ids[i])?.connected)) await sleep(200)
    if (!targets.every((i) => p2p.peers().find((p) => p.id === c.ids[i])?.connected)) problems.push(`p2p fuzz: could not connect to every node as ${key.id}`)

    // Deposits now and through the fuzz: live consensus frames to capture, and a liveness probe.
    let committedDuring = 0, probes = 0, stopProbe = false
    const probe = (async () => {
      let k = 0
      while (!stopProbe) {
        const i = targets[k++ % targets.length]!
        probes++
        const r = await c.deposit(i, `p2p-fuzz/${o.seed}/${Date.now()}/${k}`, { timeoutMs: 15_000 }).catch(() => null)
        if (r?.status === 200 && r.body.status === 'committed') committedDuring++
        await sleep(100)
      }
    })()
    const capUntil = Date.now() + 10_000
    while (Date.now() < capUntil && captured.pbft!.length < 20) await sleep(200)
    const rssBefore = targets.map((i) => c.rss(i) ?? 0)

    let nonce = Date.now() * 1000
    const validTxBatch = (): Uint8Array => {
      const txs = Array.from({ length: rng.int(1, 4) }, () => {
        const label = `p2p-fuzz-tx/${o.seed}/${nonce}`
        const p = signTx({ v: 1, chain, type: 'deposit', from: c.unitKey.id, nonce: nonce++, items: [{ digests: { sha256: toHex(sha256(utf8(label))) } }] }, c.genesisHash, (m) => ed25519Sign(c.unitKey.seed, m))
        return encodeCbor(p.tx)
      })
      return encodeCbor(txs)
    }
    const headNow = async (): Promise<number> => (await c.status(targets[0]!))?.height ?? 0
    let head = await headNow()
    const others = c.ids.filter((id) => id !== key.id)
    // A consensus message validly signed with the key we hold, with hostile values.
    const signedHostile = (): Uint8Array => {
      const view = rng.pick([0, 1, rng.int(0, 50), 2 ** 32, Number.MAX_SAFE_INTEGER])
      const height = rng.pick([head, head + 1, head + 2, 0, 2 ** 40, Number.MAX_SAFE_INTEGER])
      const digest = toHex(rng.bytes(32))
      const type = rng.pick(['prepare', 'commit', 'view-change'] as const)
      if (type === 'view-change') {
        const m = { type, view, from: key.id, checkpoint: null, prepared: [] } as never
        return encode(['view-change', view, key.id, null, [], ed25519Sign(key.seed, signedPayload(domain, m))])
      }
      const certSig = ed25519Sign(key.seed, rng.bytes(40))
      const m = { type, view, height, digest, from: key.id, certSig } as never
      const sig = ed25519Sign(key.seed, signedPayload(domain, m))
      return encode(type === 'prepare' ? ['prepare', view, height, digest, key.id, sig] : ['commit', view, height, digest, key.id, certSig, sig])
    }
    // A captured frame claiming another validator (its `from` swapped, signature kept: forged).
    const forged = (frame: Uint8Array): Uint8Array => {
      const s = new TextDecoder().decode(frame)
      const from = others.find((id) => s.includes(id))
      if (!from) return frame
      const to = rng.pick(others.filter((x) => x !== from).concat(key.id))
      return from.length === to.length ? utf8(s.split(from).join(to)).length === frame.length ? swapBytes(frame, from, to) : frame : frame
    }
    let inFlight = 0
    for (let k = 0; k < o.count; k++) {
      if (k % 500 === 0) head = await headNow()
      const name = rng.pick(PROTOCOLS)
      const to = c.ids[rng.pick(targets)]!
      byProtocol[name]!++
      sent++
      if (name === 'sync') {
        const base = encodeRangeRequest({ from: rng.pick([0, 1, head, head + 1, 2 ** 40]), to: rng.pick([head, head + 1000, 2 ** 53 - 1, 0]) })
        const bytes = rng.next() < 0.3 ? base : mutateFrame(rng, base)
        while (inFlight >= 32) await sleep(5)
        inFlight++
        void p2p.request(to, 'sync', bytes, { timeoutMs: 3000 }).catch(() => null).finally(() => { inFlight-- })
        continue
      }
      let bytes: Uint8Array
      const pool = captured[name]!
      const base = name === 'txs' ? (rng.next() < 0.5 || pool.length === 0 ? validTxBatch() : rng.pick(pool))
        : name === 'head' ? encodeHead({ height: rng.pick([head, head + 1, 2 ** 40, 0]), hash: toHex(rng.bytes(32)) })
          : pool.length ? rng.pick(pool) : signedHostile()
      const r = rng.next()
      if (name === 'pbft' && r < 0.1) bytes = base // a verbatim replay
      else if (name === 'pbft' && r < 0.2) bytes = forged(base)
      else if (name === 'pbft' && r < 0.35) bytes = signedHostile()
      else if (name === 'txs' && r < 0.1) bytes = base // valid txs, or a replay of forwarded ones
      else bytes = mutateFrame(rng, base)
      if (bytes.length === 0) bytes = rng.bytes(1)
      for (let tries = 0; !p2p.send(to, name, bytes) && tries < 200; tries++) await sleep(5)
      if (k % 100 === 99) await sleep(2)
    }
    const drain = Date.now() + 10_000
    while (inFlight > 0 && Date.now() < drain) await sleep(50)
    await sleep(2000)
    const rssAfter = targets.map((i) => c.rss(i) ?? 0)
    stopProbe = true
    await probe
    for (const i of targets) if (!c.isUp(i)) problems.push(`p2p fuzz: ${c.ids[i]} died:\n${c.logs(i)}`)
    const maxRss = o.maxRssBytes ?? 1536 * 1024 * 1024
    const maxGrowth = o.maxRssGrowthBytes ?? 512 * 1024 * 1024
    targets.forEach((i, k) => {
      if (rssAfter[k]! > maxRss || rssAfter[k]! - rssBefore[k]! > maxGrowth) problems.push(`p2p fuzz: ${c.ids[i]} RSS ${mb(rssBefore[k]!)} → ${mb(rssAfter[k]!)}`)
    })
    await p2p.close()
    // The validator comes back with its own process; the chain must still commit through every node.
    c.start(me)
    if (!(await c.waitServing(me, 45_000))) problems.push(`p2p fuzz: ${key.id} did not restart:\n${c.logs(me)}`)
    for (const i of c.ids.keys()) {
      const r = await c.deposit(i, `p2p-fuzz/after/${o.seed}/${Date.now()}/${i}`, { timeoutMs: 30_000 }).catch((e: Error) => ({ status: 0, body: e.message }) as never)
      if (r.status !== 200 || r.body.status !== 'committed') problems.push(`p2p fuzz: after the fuzz a deposit through ${c.ids[i]} did not commit: ${r.status} ${JSON.stringify(r.body)}`)
    }
    const summary = `p2p fuzz: frames: ${sent} (${Object.entries(byProtocol).map(([k, v]) => `${k} ${v}`).join(', ')}), captured ${captured.pbft!.length} consensus frames, `
      + `deposits committed during the fuzz: ${committedDuring}/${probes}, RSS MiB ${rssBefore.map(mb).join(',')} → ${rssAfter.map(mb).join(',')}, crashes: ${targets.filter((i) => !c.isUp(i)).length}`
    return { sent, byProtocol, problems, summary }
  } finally {
    await p2p.close()
    if (!c.isUp(me)) c.start(me)
  }
}

const mb = (b: number): string => String(Math.round(b / 1048576))

function swapBytes(frame: Uint8Array, from: string, to: string): Uint8Array {
  const out = frame.slice()
  const a = utf8(from), b = utf8(to)
  for (let i = 0; i + a.length <= out.length; i++) {
    let hit = true
    for (let j = 0; j < a.length && hit; j++) hit = out[i + j] === a[j]
    if (hit) { out.set(b, i); i += a.length - 1 }
  }
  return out
}
