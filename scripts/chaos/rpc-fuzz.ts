// RPC fuzzer: random and mutated valid requests to every route of one node. Checks: no 5xx,
// the node keeps serving, replays and forged signatures are refused, and rejected input changes
// no state (the log grows by exactly the leaves of the writes the node accepted).
import { signTx, type EvidenceItem } from '../../src/chain/index.js'
import { ed25519Sign, generateKeyPair, sha256 } from '../../src/crypto/index.js'
import { toHex, utf8 } from '../../src/util/index.js'
import type { ChaosCluster } from './cluster.js'
import { sleep } from './cluster.js'
import { Prng } from './prng.js'

export interface RpcFuzzOptions { count: number; seed: number; target: number; concurrency?: number }
export interface RpcFuzzResult { sent: number; byStatus: Record<string, number>; fiveXx: number; accepted: number; problems: string[]; summary: string }

interface Req { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array; write?: 'tx' | 'record' }

const NASTY_STRINGS = ['', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '__proto__', 'constructor', '../../../etc/passwd', '%00', '\u0000', '\ud800', '𝕏', 'A'.repeat(70_000),
  'ff'.repeat(32).toUpperCase(), 'g'.repeat(64), '0'.repeat(63), '0'.repeat(65), '9'.repeat(30), '(2026)京0491民初1号', '<script>alert(1)</script>', '${7*7}', "' OR 1=1 --"]
const PATH_SEGMENTS = ['', '.', '..', '%2e%2e', '%2F', '%00', '%ff', '%', '9'.repeat(20), '-1', '0x10', '1.5', '00', ' ', '%20', 'a'.repeat(3000), '🙂', 'ＡＢ', '%E4%BA%AC']

function nastyValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(0, 14)) {
    case 0: return null
    case 1: return rng.next() < 0.5
    case 2: return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER + 2, -0])
    case 3: return rng.pick(NASTY_STRINGS)
    case 4: return toHex(rng.bytes(rng.int(0, 70)))
    case 5: return []
    case 6: return {}
    case 7: return depth < 3 ? [nastyValue(rng, depth + 1), nastyValue(rng, depth + 1)] : 1
    case 8: return depth < 3 ? { [rng.pick(['a', '__proto__', 'constructor', 'digests', 'sha256'])]: nastyValue(rng, depth + 1) } : 2
    case 9: return Array.from({ length: rng.int(100, 3000) }, () => rng.int(0, 9))
    case 10: return 'x'.repeat(rng.int(1000, 300_000))
    case 11: return { digests: { sha256: toHex(rng.bytes(32)) } }
    case 12: return rng.int(0, 2 ** 31)
    case 13: return String(rng.int(-5, 5))
    default: return toHex(rng.bytes(32))
  }
}

/** A copy of `v` with one random place replaced, removed or added. */
export function mutateJson(rng: Prng, v: unknown, depth = 0): unknown {
  if (depth > 6 || v === null || typeof v !== 'object' || rng.next() < 0.25) return nastyValue(rng)
  if (Array.isArray(v)) {
    const a = [...v]
    const r = rng.next()
    if (a.length && r < 0.6) { const i = rng.int(0, a.length - 1); a[i] = mutateJson(rng, a[i], depth + 1) }
    else if (a.length && r < 0.8) a.splice(rng.int(0, a.length - 1), 1)
    else a.push(nastyValue(rng))
    return a
  }
  const o: Record<string, unknown> = { ...(v as Record<string, unknown>) }
  const keys = Object.keys(o)
  const r = rng.next()
  if (keys.length && r < 0.6) { const k = rng.pick(keys); o[k] = mutateJson(rng, o[k], depth + 1) }
  else if (keys.length && r < 0.8) delete o[rng.pick(keys)]
  else o[rng.pick(['extra', '__proto__', 'constructor', 'v', 'sig', 'record'])] = nastyValue(rng)
  return o
}

/** Byte-level damage to a text body: flips, cuts, insertions, duplicated keys, deep nesting. */
function mutateText(rng: Prng, text: string): string | Uint8Array {
  const b = utf8(text)
  switch (rng.int(0, 7)) {
    case 0: { const c = b.slice(); for (let k = rng.int(1, 8); k > 0 && c.length; k--) c[rng.int(0, c.length - 1)]! ^= 1 << rng.int(0, 7); return c }
    case 1: return b.slice(0, rng.int(0, b.length))
    case 2: { const at = rng.int(0, b.length); const c = new Uint8Array(b.length + 16); c.set(b.subarray(0, at)); c.set(rng.bytes(16), at); c.set(b.subarray(at), at + 16); return c }
    case 3: return text.replace(/^\{/, '{"v":1,') // duplicate key
    case 4: return '['.repeat(rng.int(100, 100_000)) + ']'.repeat(rng.int(0, 10))
    case 5: return '{"a":'.repeat(rng.int(100, 20_000)) + '1' + '}'.repeat(rng.int(0, 20_000))
    case 6: return text + text
    default: return rng.bytes(rng.int(0, 2048))
  }
}

export async function fuzzRpc(c: ChaosCluster, o: RpcFuzzOptions): Promise<RpcFuzzResult> {
  const rng = new Prng(o.seed ^ 0x5eed)
  const i = o.target
  const base = c.urls[i]!
  const problems: string[] = []
  const chain = c.genesis.chainId
  let nonce = Date.now() * 1000 + 7
  const signed = (items: EvidenceItem[], key = c.unitKey, from = c.unitKey.id): { tx: any; hash: string } =>
    signTx({ v: 1, chain, type: 'deposit', from, nonce: nonce++, items }, c.genesisHash, (m) => ed25519Sign(key.seed, m))
  const item = (label: string): EvidenceItem => ({ digests: { sha256: toHex(sha256(utf8(label))) }, meta: { label, caseNo: '(2026)京0491民初1号' } })

  // Valid material to mutate: one committed deposit, its evidence id and receipt.
  const first = await c.deposit(i, `rpc-fuzz/${o.seed}/${Date.now()}`, { timeoutMs: 30_000 })
  if (first.status !== 200) return { sent: 0, byStatus: {}, fiveXx: 0, accepted: 0, problems: [`rpc fuzz: setup deposit failed: ${first.status} ${JSON.stringify(first.body)}`], summary: 'rpc fuzz: not run' }
  const ids = (await c.get(i, `/v1/evidence?digest=sha256:${first.digest}`)).ids as string[]
  const id = ids[0]!
  const receipt = await c.get(i, `/v1/evidence/${id}/receipt`)
  const committedTx = (await c.get(i, `/v1/txs/${first.hash}`)).tx

  const send = async (r: Req): Promise<{ status: number; body: any }> => {
    const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body as BodyInit | undefined, signal: AbortSignal.timeout(40_000) })
    const text = await res.text()
    let body: any = text
    try { body = JSON.parse(text) } catch { /* not JSON */ }
    return { status: res.status, body }
  }

  // Explicit refusals: a replayed tx, a forged signature, an unknown signer.
  const expectStatus = async (what: string, r: Req, want: number): Promise<void> => {
    const got = await send(r).catch((e: Error) => ({ status: 0, body: e.message }))
    if (got.status !== want) problems.push(`rpc: ${what}: expected ${want}, got ${got.status} ${JSON.stringify(got.body).slice(0, 200)}`)
  }
  const json = { 'content-type': 'application/json' }
  await expectStatus('replayed committed tx', { method: 'POST', path: '/v1/txs', headers: json, body: JSON.stringify(committedTx) }, 409)
  const forged = signed([item('forged')], { id: c.unitKey.id, seed: generateKeyPair().seed })
  await expectStatus('tx with a forged signature', { method: 'POST', path: '/v1/txs', headers: json, body: JSON.stringify(forged.tx) }, 401)
  const stranger = generateKeyPair()
  await expectStatus('tx from a non-member', { method: 'POST', path: '/v1/txs', headers: json, body: JSON.stringify(signed([item('stranger')], { id: 'stranger-1', seed: stranger.seed }, 'stranger-1').tx) }, 403)
  const sigFlipped = signed([item('flipped')])
  sigFlipped.tx.sig = sigFlipped.tx.sig.slice(0, 10) + (sigFlipped.tx.sig[10] === '0' ? '1' : '0') + sigFlipped.tx.sig.slice(11)
  await expectStatus('tx with one signature nibble changed', { method: 'POST', path: '/v1/txs', headers: json, body: JSON.stringify(sigFlipped.tx) }, 401)

  const before = await c.get(i, '/v1/status')
  const contentTypes = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/cbor', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '']
  const hdr = (): Record<string, string> => {
    const ct = rng.next() < 0.8 ? 'application/json' : rng.pick(contentTypes)
    return ct ? { 'content-type': ct } : {}
  }
  const enc = (s: string): string => { try { return encodeURIComponent(s) } catch { return '%ED%A0%80' } }
  const seg = (valid: string): string => (rng.next() < 0.3 ? valid : rng.next() < 0.5 ? rng.pick(PATH_SEGMENTS) : enc(String(nastyValue(rng))).slice(0, 5000))
  const getPaths = (): string => {
    const h = String(rng.int(0, before.height + 3))
    switch (rng.int(0, 16)) {
      case 0: return '/v1/status'
      case 1: return `/v1/txs/${seg(first.hash)}`
      case 2: return `/v1/blocks/${seg(h)}`
      case 3: return `/v1/evidence/${seg(id)}`
      case 4: return `/v1/evidence/${seg(id)}/receipt`
      case 5: return `/v1/evidence?digest=${seg('sha256:' + first.digest)}${rng.next() < 0.5 ? `&limit=${seg('10')}` : ''}`
      case 6: return `/v1/proof/consistency?from=${seg(String(rng.int(0, 5)))}&to=${seg(String(rng.int(0, before.logSize + 2)))}`
      case 7: return `/v1/cases/${seg(encodeURIComponent('(2026)京0491民初1号'))}`
      case 8: return rng.pick(['/v1/checkpoint', '/v1/trust-root', '/v1/chains', '/v1/stats', '/metrics', '/healthz', '/docs', '/docs/openapi.json', '/'])
      case 9: return `/web/${seg('app.js')}`
      case 10: return `/lib/courtchain/${seg('verify')}/${seg('index.js')}`
      case 11: return `/lib/npm/${seg('@noble')}/${seg('hashes')}/${seg('sha2.js')}`
      case 12: return `/v1/${seg('status')}?${seg('a')}=${seg('b')}&${seg('a')}=${seg('c')}`
      case 13: return `/${seg('v1')}//${seg('blocks')}/${seg(h)}/${seg('')}`
      case 14: return `/v1/evidence?digest=sha256:${first.digest}&digest=sm3:${first.digest}&limit=${seg('1')}`
      case 15: return `/v1/proof/consistency?from=${seg('9007199254740993')}&to=${seg('1')}`
      default: return `/v1/blocks/${rng.pick(['9'.repeat(16), '9007199254740991', '0', String(before.height)])}`
    }
  }
  const next = (): Req => {
    const r = rng.next()
    if (r < 0.3) {
      // A freshly signed valid tx, mutated at the JSON level (never re-signed).
      const tx = signed(Array.from({ length: rng.int(1, 3) }, (_, k) => item(`fuzz/${o.seed}/${nonce}/${k}`))).tx
      const q = rng.pick(['', '?wait=none', '?wait=commit&timeoutMs=50', `?wait=${seg('commit')}`, `?timeoutMs=${seg('10')}`, '?x=1'])
      const body = rng.next() < 0.8 ? JSON.stringify(mutateJson(rng, tx)) : mutateText(rng, JSON.stringify(tx))
      return { method: 'POST', path: '/v1/txs' + q, headers: hdr(), body, write: 'tx' }
    }
    if (r < 0.45) {
      const valid = rng.next() < 0.5 ? { receipt, digest: `sha256:${first.digest}` } : { id, digest: `sha256:${first.digest}` }
      const withCase = rng.next() < 0.02 ? { ...valid, caseNo: '(2026)京0491民初1号', record: true } : valid
      const body = rng.next() < 0.85 ? JSON.stringify(mutateJson(rng, withCase)) : mutateText(rng, JSON.stringify(withCase))
      return { method: 'POST', path: '/v1/verify', headers: hdr(), body, write: 'record' }
    }
    if (r < 0.9) {
      const headers: Record<string, string> = rng.next() < 0.3 ? { accept: rng.pick(['text/plain', 'application/json', 'text/plain, application/json', '*/*', 'text/html', '']) } : {}
      return { method: 'GET', path: getPaths(), headers }
    }
    const method = rng.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'GET'])
    const hasBody = method !== 'GET' && method !== 'HEAD'
    return { method, path: getPaths(), headers: hasBody ? hdr() : {}, ...(hasBody ? { body: rng.next() < 0.5 ? JSON.stringify(nastyValue(rng)) : rng.bytes(rng.int(0, 512)) } : {}) }
  }

  const byStatus: Record<string, number> = {}
  let sent = 0, fiveXx = 0, acceptedLeaves = 0, accepted = 0, transportErrors = 0
  const acceptedTxs: string[] = []
  await Promise.all(Array.from({ length: o.concurrency ?? 16 }, async () => {
    while (sent < o.count) {
      const req = next()
      sent++
      let res: { status: number; body: any }
      try { res = await send(req) } catch (e) {
        transportErrors++
        if (transportErrors <= 5) problems.push(`rpc: ${req.method} ${req.path.slice(0, 120)}: no answer: ${(e as Error).message}`)
        continue
      }
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1
      if (res.status >= 500) {
        fiveXx++
        if (fiveXx <= 10) problems.push(`rpc: ${res.status} for ${req.method} ${req.path.slice(0, 160)} body ${String(typeof req.body === 'string' ? req.body : req.body ? `<${req.body.length} bytes>` : '').slice(0, 300)} → ${JSON.stringify(res.body).slice(0, 200)}`)
      }
      if (res.status >= 200 && res.status < 300 && req.method === 'POST') {
        if (req.write === 'tx' && res.body?.hash) { accepted++; acceptedTxs.push(res.body.hash) }
        if (req.write === 'record' && res.body?.recorded) { accepted++; acceptedLeaves++ }
      }
      if (sent % 500 === 0) {
        const h = await fetch(base + '/healthz', { signal: AbortSignal.timeout(5000) }).then((x) => x.status, () => 0)
        if (h !== 200) problems.push(`rpc: /healthz answered ${h} after ${sent} fuzz requests`)
      }
    }
  }))
  // Accepted txs (mutations that left a valid tx) may still be committing: count their leaves.
  for (const h of acceptedTxs) {
    for (let k = 0; k < 40; k++) {
      const t = await c.get(i, `/v1/txs/${h}`)
      if (t.status === 'committed') { acceptedLeaves += t.tx.items.length; break }
      await sleep(250)
    }
  }
  await sleep(1000)
  const after = await c.get(i, '/v1/status')
  if (!c.isUp(i)) problems.push(`rpc: ${c.ids[i]} died during the fuzz:\n${c.logs(i)}`)
  if (after.logSize !== before.logSize + acceptedLeaves) {
    problems.push(`rpc: log size ${before.logSize} → ${after.logSize}, but the accepted writes account for ${acceptedLeaves} leaves: rejected input changed state`)
  }
  if (accepted === 0 && after.height !== before.height) problems.push(`rpc: height ${before.height} → ${after.height} with no accepted write`)
  const statuses = Object.entries(byStatus).sort().map(([s, n]) => `${s}:${n}`).join(' ')
  const summary = `rpc fuzz: requests: ${sent}, 5xx: ${fiveXx}, no answer: ${transportErrors}, accepted writes: ${accepted}, log ${before.logSize}→${after.logSize}, statuses ${statuses}`
  return { sent, byStatus, fiveXx, accepted, problems, summary }
}
