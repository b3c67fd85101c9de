// A small portable SM3 (GB/T 32905-2016), for browsers: @noble/hashes has none, and node:crypto
// is not available there. Node code uses native.ts (OpenSSL's sm3); tests check the two agree.
import { abytes } from '../util/index.js'

/** An incremental hash: feed chunks with `update`, then `digest` once. */
export interface Hasher {
  update(chunk: Uint8Array): Hasher
  digest(): Uint8Array
}

// GB/T 32905 §4.1 initial value, §4.2 constants T_j.
const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]
const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0
// T_j rotated left by (j mod 32), precomputed (§5.3.3 uses T_j <<< j).
const TJ = Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32))
const P0 = (x: number): number => x ^ rotl(x, 9) ^ rotl(x, 17)
const P1 = (x: number): number => x ^ rotl(x, 15) ^ rotl(x, 23)

class Sm3 implements Hasher {
  private readonly v = Uint32Array.from(IV)
  private readonly w = new Uint32Array(68)
  private readonly buf = new Uint8Array(64)
  private bufLen = 0
  private total = 0
  private done = false

  update(chunk: Uint8Array): Hasher {
    abytes(chunk, 'chunk')
    if (this.done) throw new Error('sm3: update after digest')
    this.total += chunk.length
    let i = 0
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, chunk.length)
      this.buf.set(chunk.subarray(0, take), this.bufLen)
      this.bufLen += take
      i = take
      if (this.bufLen < 64) return this
      this.compress(this.buf, 0)
      this.bufLen = 0
    }
    for (; i + 64 <= chunk.length; i += 64) this.compress(chunk, i)
    this.buf.set(chunk.subarray(i), 0)
    this.bufLen = chunk.length - i
    return this
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('sm3: digest called twice')
    this.done = true
    // §5.2 padding: 1 bit, zeros, then the 64-bit big-endian bit length.
    const bits = this.total * 8
    const padLen = this.bufLen < 56 ? 64 : 128
    const pad = new Uint8Array(padLen)
    pad.set(this.buf.subarray(0, this.bufLen))
    pad[this.bufLen] = 0x80
    const dv = new DataView(pad.buffer)
    dv.setUint32(padLen - 8, Math.floor(bits / 2 ** 32))
    dv.setUint32(padLen - 4, bits >>> 0)
    for (let o = 0; o < padLen; o += 64) this.compress(pad, o)
    const out = new Uint8Array(32)
    const odv = new DataView(out.buffer)
    for (let k = 0; k < 8; k++) odv.setUint32(4 * k, this.v[k]!)
    return out
  }

  // §5.3.2 message expansion and §5.3.3 compression of one 64-byte block.
  private compress(b: Uint8Array, o: number): void {
    const w = this.w
    for (let j = 0; j < 16; j++) {
      const p = o + 4 * j
      w[j] = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
    }
    for (let j = 16; j < 68; j++) {
      w[j] = (P1(w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15)) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!) >>> 0
    }
    const v = this.v
    let A = v[0]!, B = v[1]!, C = v[2]!, D = v[3]!, E = v[4]!, F = v[5]!, G = v[6]!, H = v[7]!
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(A, 12)
      const ss1 = rotl((a12 + E + TJ[j]!) >>> 0, 7)
      const ss2 = ss1 ^ a12
      const ff = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C)
      const gg = j < 16 ? E ^ F ^ G : (E & F) | (~E & G)
      const tt1 = (ff + D + ss2 + (w[j]! ^ w[j + 4]!)) >>> 0
      const tt2 = (gg + H + ss1 + w[j]!) >>> 0
      D = C; C = rotl(B, 9); B = A; A = tt1
      H = G; G = rotl(F, 19); F = E; E = P0(tt2) >>> 0
    }
    v[0] ^= A; v[1] ^= B; v[2] ^= C; v[3] ^= D; v[4] ^= E; v[5] ^= F; v[6] ^= G; v[7] ^= H
  }
}

/** A fresh incremental SM3 hasher. */
export function createSm3(): Hasher {
  return new Sm3()
}
