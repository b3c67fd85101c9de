// Mutations of wire frames: raw byte damage, and structure-aware changes of CBOR frames
// (a field replaced by a hostile value of another type or size, elements dropped or added).
import { decode, encode } from 'cborg'
import type { Prng } from './prng.js'

function hostile(rng: Prng): unknown {
  switch (rng.int(0, 11)) {
    case 0: return null
    case 1: return rng.pick([0, 1, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 53), 1.5, Infinity, NaN])
    case 2: return rng.pick(['', 'pre-prepare', 'prepare', 'commit', 'view-change', 'new-view', 'checkpoint', 'court-1', 'x'.repeat(200), '0'.repeat(64)])
    case 3: return rng.bytes(rng.int(0, 200))
    case 4: return rng.bytes(32)
    case 5: return rng.bytes(64)
    case 6: return []
    case 7: return Array.from({ length: rng.int(1, 300) }, () => rng.bytes(rng.int(0, 70)))
    case 8: return { height: rng.int(0, 2 ** 31), hash: 'ab'.repeat(32) }
    case 9: return true
    case 10: return 2 ** 52 + rng.int(0, 1000)
    default: return rng.bytes(rng.int(1000, 70_000))
  }
}

function mutateValue(rng: Prng, v: unknown, depth: number): unknown {
  if (depth > 8 || rng.next() < 0.2) return hostile(rng)
  if (v instanceof Uint8Array) {
    const c = v.slice()
    if (c.length && rng.next() < 0.7) { c[rng.int(0, c.length - 1)]! ^= 1 << rng.int(0, 7); return c }
    return rng.next() < 0.5 ? c.subarray(0, rng.int(0, c.length)) : hostile(rng)
  }
  if (typeof v === 'number') return rng.pick([v + 1, v - 1, v * 2 ** 20, 0, 2 ** 53 - 1, -v, v + 0.5])
  if (Array.isArray(v)) {
    const a = [...v]
    const r = rng.next()
    if (a.length && r < 0.7) { const i = rng.int(0, a.length - 1); a[i] = mutateValue(rng, a[i], depth + 1) }
    else if (a.length && r < 0.85) a.splice(rng.int(0, a.length - 1), 1)
    else a.push(hostile(rng))
    return a
  }
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(o)
    if (keys.length && rng.next() < 0.8) { const k = rng.pick(keys); o[k] = mutateValue(rng, o[k], depth + 1) }
    else o[rng.pick(['extra', 'height', 'from', 'to', 'blocks'])] = hostile(rng)
    return o
  }
  return hostile(rng)
}

/** A damaged copy of a frame: byte flips, cuts, splices, or a structural CBOR change. */
export function mutateFrame(rng: Prng, frame: Uint8Array): Uint8Array {
  const r = rng.next()
  if (r < 0.45) {
    try {
      const v = decode(frame, { useMaps: false, allowUndefined: true } as never)
      return encode(mutateValue(rng, v, 0) as never)
    } catch { /* not CBOR: damage bytes instead */ }
  }
  const c = frame.slice()
  switch (rng.int(0, 5)) {
    case 0: for (let k = rng.int(1, 6); k > 0 && c.length; k--) c[rng.int(0, c.length - 1)]! ^= 1 << rng.int(0, 7); return c
    case 1: return c.subarray(0, rng.int(0, c.length))
    case 2: { const extra = rng.bytes(rng.int(1, 64)); const o = new Uint8Array(c.length + extra.length); o.set(c); o.set(extra, c.length); return o }
    case 3: { const at = rng.int(0, c.length); const o = new Uint8Array(c.length * 2); o.set(c.subarray(0, at)); o.set(c, at); o.set(c.subarray(at), at + c.length); return o.subarray(0, c.length * 2) }
    case 4: return rng.bytes(rng.int(0, 512))
    default: { if (c.length) c[0] = rng.int(0, 255); return c }
  }
}
