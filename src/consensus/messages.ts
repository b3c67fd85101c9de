// Signed payloads and the strict wire encoding of PBFT messages. A signed payload is
// "courtchain/pbft/v2\n<type>\n<chainId>\n<genesis hash>\n" followed by the JSON array of its
// fields, so a signature over one message type can never be replayed as another, nor a vote of
// one chain on another that shares its chain id (domain separation).
import { encode, decode } from 'cborg'
import { NodeError, utf8, toHex } from '../util/index.js'
import type {
  CertSig, CheckpointMsg, Commit, CommittedBlock, ConsensusMessage, NewView, PrePrepare, Prepare,
  PreparedCert, ProposalLike, ViewChange,
} from './types.js'

const TAG = 'courtchain/pbft/v2'

/** The chain a signature is bound to: its id and its genesis hash (a ConsensusContext is one). */
export interface SigningDomain { chainId: string; genesis: { hash: string } }

/** Bytes the sender of `msg` signs (its `sig` field excluded) on the chain `domain`. */
export function signedPayload<B extends ProposalLike>(domain: SigningDomain, msg: ConsensusMessage<B>): Uint8Array {
  const payload = (type: string, fields: unknown[]): Uint8Array =>
    utf8(`${TAG}\n${type}\n${domain.chainId}\n${domain.genesis.hash}\n${JSON.stringify(fields)}`)
  switch (msg.type) {
    case 'pre-prepare': case 'prepare':
      return payload(msg.type, [msg.view, msg.height, msg.digest, msg.from])
    case 'commit':
      // the certificate signature is bound too, so a relayed commit cannot swap it
      return payload(msg.type, [msg.view, msg.height, msg.digest, msg.from, toHex(msg.certSig)])
    case 'view-change': {
      const c = msg.checkpoint
      return payload(msg.type, [msg.view, msg.from, c ? [c.block.height, c.block.hash] : null,
        msg.prepared.map(({ prePrepare: p }) => [p.view, p.height, p.digest])])
    }
    case 'new-view':
      return payload(msg.type, [msg.view, msg.from, msg.viewChanges.map((v) => toHex(v.sig)),
        msg.prePrepares.map((p) => [p.height, p.digest])])
    case 'checkpoint':
      return payload(msg.type, [msg.from, msg.block.height, msg.block.hash])
  }
}

// ---- wire encoding (CBOR, strict) ----

export interface DecodeLimits {
  maxBytes: number
  /** validators: bounds every list of signatures or view-changes */
  maxSigners: number
  maxIdLength: number
  /** heights in flight: bounds the prepared certificates of a view-change and the re-proposals of a new-view */
  maxInFlight: number
}

export const defaultDecodeLimits: DecodeLimits = { maxBytes: 64 * 1024 * 1024, maxSigners: 256, maxIdLength: 128, maxInFlight: 64 }

const CBOR_OPTS = { strict: true, rejectDuplicateMapKeys: true, useMaps: false } as const

type BlockEncoder<B> = (b: B) => Uint8Array
type BlockDecoder<B> = (bytes: Uint8Array) => B
/** How a block goes on the wire inside a message: its bytes, or its index in the message's block table. */
type BlockWriter<B> = (b: B) => Uint8Array | number

/** Encodes `msg` as strict CBOR; blocks go through `encodeBlock`. */
export function encodeMessage<B extends ProposalLike>(msg: ConsensusMessage<B>, encodeBlock: BlockEncoder<B>): Uint8Array {
  return encode(toWire(msg, encodeBlock))
}

function certToWire(c: CertSig[]): unknown[] { return c.map((s) => [s.signer, s.sig]) }
function ppToWire<B>(p: PrePrepare<B>, eb: BlockWriter<B>): unknown[] { return [p.view, p.height, p.digest, eb(p.block), p.from, p.sig] }
function prToWire(p: Prepare): unknown[] { return [p.view, p.height, p.digest, p.from, p.sig] }
function cbToWire<B>(c: CommittedBlock<B> | null, eb: BlockWriter<B>): unknown { return c ? [eb(c.block), certToWire(c.certificate)] : null }
function pcToWire<B>(p: PreparedCert<B>, eb: BlockWriter<B>): unknown {
  return [ppToWire(p.prePrepare, eb), p.prepares.map(prToWire)]
}
function vcToWire<B>(v: ViewChange<B>, eb: BlockWriter<B>): unknown[] {
  return [v.view, v.from, cbToWire(v.checkpoint, eb), v.prepared.map((p) => pcToWire(p, eb)), v.sig]
}

/**
 * A NEW-VIEW's view-changes mostly carry the same blocks (the prepared chain, neighbouring
 * checkpoints): each block goes once into a table and is referenced by its index.
 */
function newViewToWire<B extends ProposalLike>(msg: NewView<B>, eb: BlockEncoder<B>): unknown[] {
  const table: Uint8Array[] = []
  const index = new Map<string, number>()
  const ref: BlockWriter<B> = (b) => {
    let i = index.get(b.hash)
    if (i === undefined) { index.set(b.hash, i = table.length); table.push(eb(b)) }
    return i
  }
  const vcs = msg.viewChanges.map((v) => vcToWire(v, ref))
  const pps = msg.prePrepares.map((p) => ppToWire(p, ref))
  return ['new-view', msg.view, msg.from, vcs, pps, msg.sig, table]
}

function toWire<B extends ProposalLike>(msg: ConsensusMessage<B>, eb: BlockEncoder<B>): unknown[] {
  switch (msg.type) {
    case 'pre-prepare': return ['pre-prepare', ...ppToWire(msg, eb)]
    case 'prepare': return ['prepare', ...prToWire(msg)]
    case 'commit': return ['commit', msg.view, msg.height, msg.digest, msg.from, msg.certSig, msg.sig]
    case 'view-change': return ['view-change', ...vcToWire(msg, eb)]
    case 'new-view': return newViewToWire(msg, eb)
    case 'checkpoint': return ['checkpoint', msg.from, eb(msg.block), certToWire(msg.certificate), msg.sig]
  }
}

function bad(field: string, why: string): never {
  throw new NodeError({ code: 'CONSENSUS_BAD_MESSAGE', field }, `"${field}" ${why}`)
}

/** Strictly decodes a message: exact arity, every field type-checked, sizes bounded, no trailing bytes. */
export function decodeMessage<B extends ProposalLike>(bytes: Uint8Array, limits: DecodeLimits, decodeBlock: BlockDecoder<B>): ConsensusMessage<B> {
  if (!(bytes instanceof Uint8Array)) bad('message', 'expected bytes')
  if (bytes.length > limits.maxBytes) bad('message', `exceeds ${limits.maxBytes} bytes`)
  let raw: unknown
  try { raw = decode(bytes, CBOR_OPTS) } catch (e) { bad('message', `is not strict CBOR: ${(e as Error).message}`) }
  return new Reader(limits, decodeBlock).message(raw)
}

class Reader<B extends ProposalLike> {
  /** A NEW-VIEW's block table (blocks are then referenced by index), each entry decoded once. */
  private table: Uint8Array[] | null = null
  private readonly fromTable = new Map<number, B>()

  constructor(private limits: DecodeLimits, private decodeBlock: BlockDecoder<B>) {}

  arr(x: unknown, field: string, len?: number, max?: number): unknown[] {
    if (!Array.isArray(x)) bad(field, 'expected an array')
    if (len !== undefined && x.length !== len) bad(field, `expected ${len} elements, got ${x.length}`)
    if (max !== undefined && x.length > max) bad(field, `has more than ${max} elements`)
    return x
  }
  uint(x: unknown, field: string): number {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) bad(field, 'expected a safe unsigned integer')
    return x
  }
  id(x: unknown, field: string): string {
    if (typeof x !== 'string' || x.length === 0 || x.length > this.limits.maxIdLength) bad(field, 'expected a member id')
    return x
  }
  digest(x: unknown, field: string): string {
    if (typeof x !== 'string' || !/^[0-9a-f]{64}$/.test(x)) bad(field, 'expected 32-byte lowercase hex')
    return x
  }
  sig(x: unknown, field: string): Uint8Array {
    if (!(x instanceof Uint8Array) || x.length === 0 || x.length > 128) bad(field, 'expected signature bytes')
    return x
  }
  block(x: unknown, field: string): B {
    if (this.table !== null) {
      const i = this.uint(x, field)
      if (i >= this.table.length) bad(field, `refers to block ${i} of a table of ${this.table.length}`)
      let b = this.fromTable.get(i)
      if (b === undefined) this.fromTable.set(i, b = this.blockBytes(this.table[i], `new-view.blocks[${i}]`))
      return b
    }
    return this.blockBytes(x, field)
  }
  blockBytes(x: unknown, field: string): B {
    if (!(x instanceof Uint8Array)) bad(field, 'expected block bytes')
    try { return this.decodeBlock(x) } catch (e) { bad(field, `is not a block: ${(e as Error).message}`) }
  }
  cert(x: unknown, field: string): CertSig[] {
    return this.arr(x, field, undefined, this.limits.maxSigners).map((s, i) => {
      const [signer, sig] = this.arr(s, `${field}[${i}]`, 2)
      return { signer: this.id(signer, `${field}[${i}].signer`), sig: this.sig(sig, `${field}[${i}].sig`) }
    })
  }
  prePrepare(x: unknown, field: string): PrePrepare<B> {
    const [view, height, digest, block, from, sig] = this.arr(x, field, 6)
    return { type: 'pre-prepare', view: this.uint(view, `${field}.view`), height: this.uint(height, `${field}.height`),
      digest: this.digest(digest, `${field}.digest`), block: this.block(block, `${field}.block`),
      from: this.id(from, `${field}.from`), sig: this.sig(sig, `${field}.sig`) }
  }
  prepare(x: unknown, field: string): Prepare {
    const [view, height, digest, from, sig] = this.arr(x, field, 5)
    return { type: 'prepare', view: this.uint(view, `${field}.view`), height: this.uint(height, `${field}.height`),
      digest: this.digest(digest, `${field}.digest`), from: this.id(from, `${field}.from`), sig: this.sig(sig, `${field}.sig`) }
  }
  viewChange(x: unknown, field: string): ViewChange<B> {
    const [view, from, ckpt, prepared, sig] = this.arr(x, field, 5)
    let checkpoint: CommittedBlock<B> | null = null
    if (ckpt !== null) {
      const [block, cert] = this.arr(ckpt, `${field}.checkpoint`, 2)
      checkpoint = { block: this.block(block, `${field}.checkpoint.block`), certificate: this.cert(cert, `${field}.checkpoint.certificate`) }
    }
    const pcs = this.arr(prepared, `${field}.prepared`, undefined, this.limits.maxInFlight).map((x, k): PreparedCert<B> => {
      const at = `${field}.prepared[${k}]`
      const [pp, prs] = this.arr(x, at, 2)
      return { prePrepare: this.prePrepare(pp, `${at}.prePrepare`),
        prepares: this.arr(prs, `${at}.prepares`, undefined, this.limits.maxSigners).map((p, i) => this.prepare(p, `${at}.prepares[${i}]`)) }
    })
    return { type: 'view-change', view: this.uint(view, `${field}.view`), from: this.id(from, `${field}.from`),
      checkpoint, prepared: pcs, sig: this.sig(sig, `${field}.sig`) }
  }
  message(raw: unknown): ConsensusMessage<B> {
    const a = this.arr(raw, 'message')
    switch (a[0]) {
      case 'pre-prepare': return this.prePrepare(a.slice(1), 'pre-prepare')
      case 'prepare': return this.prepare(a.slice(1), 'prepare')
      case 'commit': {
        const [, view, height, digest, from, certSig, sig] = this.arr(a, 'commit', 7)
        return { type: 'commit', view: this.uint(view, 'commit.view'), height: this.uint(height, 'commit.height'),
          digest: this.digest(digest, 'commit.digest'), from: this.id(from, 'commit.from'),
          certSig: this.sig(certSig, 'commit.certSig'), sig: this.sig(sig, 'commit.sig') }
      }
      case 'view-change': return this.viewChange(a.slice(1), 'view-change')
      case 'new-view': {
        const [, view, from, vcs, pps, sig, blocks] = this.arr(a, 'new-view', 7)
        this.table = this.arr(blocks, 'new-view.blocks', undefined, this.limits.maxSigners * (this.limits.maxInFlight + 1)) as Uint8Array[]
        const nv: NewView<B> = { type: 'new-view', view: this.uint(view, 'new-view.view'), from: this.id(from, 'new-view.from'),
          viewChanges: this.arr(vcs, 'new-view.viewChanges', undefined, this.limits.maxSigners).map((v, i) => this.viewChange(v, `new-view.viewChanges[${i}]`)),
          prePrepares: this.arr(pps, 'new-view.prePrepares', undefined, this.limits.maxInFlight).map((p, i) => this.prePrepare(p, `new-view.prePrepares[${i}]`)),
          sig: this.sig(sig, 'new-view.sig') }
        if (this.fromTable.size !== this.table.length) bad('new-view.blocks', 'holds a block no view-change or pre-prepare refers to')
        return nv
      }
      case 'checkpoint': {
        const [, from, block, cert, sig] = this.arr(a, 'checkpoint', 5)
        return { type: 'checkpoint', from: this.id(from, 'checkpoint.from'), block: this.block(block, 'checkpoint.block'),
          certificate: this.cert(cert, 'checkpoint.certificate'), sig: this.sig(sig, 'checkpoint.sig') }
      }
      default: return bad('message.type', 'is unknown')
    }
  }
}
