// The node's only door to libp2p: TCP + noise + yamux, an allowlist of member peer ids enforced
// at the handshake, kept connections to validators, framed messages and requests per protocol.
import './polyfill.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { NodeError } from '../util/index.js'
import { FrameChannel, errInfo } from './channel.js'
import { allowlistGater, parsePeerId, privateKeyFromSeed } from './identity.js'
import { RequestClient, createResponder } from './requests.js'
import {
  protocolId, resolveOptions, type LinkFilter, type Logger, type MessageHandler, type P2PDeps,
  type P2POptions, type PeerEntry, type PeerEvent, type PeerStatus, type RequestHandler, type ResolvedOptions,
} from './options.js'

/** Inbound streams per (connection, protocol); we open one per direction, the rest is slack for re-opens. */
const MAX_STREAMS_PER_PROTOCOL = 8
/** A connection that lived this long resets the re-dial back-off. */
const STABLE_CONNECTION_MS = 5000

interface PeerState {
  entry: PeerEntry
  peerId: PeerId
  /** Outbound one-way channels, by protocol id. */
  out: Map<string, FrameChannel>
  /** Outbound request clients, by protocol id. */
  requests: Map<string, RequestClient>
  /** Streams the peer opened to us. */
  inbound: Set<FrameChannel>
  opening: Set<string>
  connected: boolean
  connectedAt: number
  backoffMs: number
  redialTimer?: ReturnType<typeof setTimeout>
  dialing: boolean
}

export class P2P {
  private libp2p!: Libp2p
  private readonly opts: ResolvedOptions
  private readonly log: Logger
  private readonly byMember = new Map<string, PeerState>()
  private readonly byPeerId = new Map<string, PeerState>()
  private readonly peerListeners = new Set<(e: PeerEvent) => void>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly abort = new AbortController()
  private linkFilter: LinkFilter | null = null
  private selfPeerId = ''
  private closed = false

  private constructor(opts: ResolvedOptions, deps: P2PDeps) {
    this.opts = opts
    this.log = deps.log.child?.({ module: 'p2p' }) ?? deps.log
  }

  /** Starts libp2p listening on `opts.listen` and begins dialing the `dial: true` peers. */
  static async init(opts: P2POptions, deps: P2PDeps): Promise<P2P> {
    const p2p = new P2P(resolveOptions(opts), deps)
    const privateKey = await privateKeyFromSeed(opts.seed)
    p2p.libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: opts.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: allowlistGater((id) => p2p.byPeerId.has(id) && !p2p.closed, p2p.log),
      connectionManager: {
        // The default (5 inbound connections per second per host) breaks quick re-dials on loopback.
        inboundConnectionThreshold: 1000,
        maxIncomingPendingConnections: 100,
        dialTimeout: p2p.opts.dialTimeoutMs,
        reconnectRetries: 0, // we re-dial ourselves, with our own back-off
      },
      services: {},
    })
    p2p.selfPeerId = p2p.libp2p.peerId.toString()
    p2p.libp2p.addEventListener('peer:connect', (evt) => p2p.onConnect(evt.detail))
    p2p.libp2p.addEventListener('peer:disconnect', (evt) => p2p.onDisconnect(evt.detail))
    p2p.setPeers(opts.peers)
    if (deps.signal) {
      if (deps.signal.aborted) { await p2p.close(); throw deps.signal.reason }
      deps.signal.addEventListener('abort', () => { void p2p.close() }, { once: true })
    }
    p2p.log.info({ peerId: p2p.selfPeerId, addrs: p2p.addrs() }, 'p2p listening')
    return p2p
  }

  /** Our own peer id. */
  get peerId(): string { return this.selfPeerId }

  /** The bound listen addresses (ephemeral ports resolved), without the /p2p suffix. */
  addrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString().replace(/\/p2p\/[^/]+$/, ''))
  }

  /** Allowlisted peers and whether a connection to each is open. */
  peers(): PeerStatus[] {
    return [...this.byMember.values()].map((p) => ({ id: p.entry.id, connected: this.connectionOf(p) != null }))
  }

  /** Subscribes to connect/disconnect of allowlisted peers; returns the unsubscribe function. */
  onPeer(cb: (e: PeerEvent) => void): () => void {
    this.peerListeners.add(cb)
    return () => { this.peerListeners.delete(cb) }
  }

  /** Fault injection on send/broadcast/request; null turns it off. */
  setLinkFilter(filter: LinkFilter | null): void {
    this.linkFilter = filter
  }

  /** Replaces the allowlist: removed peers are disconnected, new `dial` peers are dialed. Our own entry is skipped. */
  setPeers(entries: PeerEntry[]): void {
    const next = new Map<string, { entry: PeerEntry; peerId: PeerId }>()
    for (const e of entries) {
      const peerId = parsePeerId(e.peerId, e.id)
      if (peerId.toString() === this.selfPeerId) continue
      next.set(e.id, { entry: { ...e, addrs: [...e.addrs] }, peerId })
    }
    for (const p of [...this.byMember.values()]) {
      const n = next.get(p.entry.id)
      if (n == null || n.peerId.toString() !== p.peerId.toString()) this.removePeer(p)
    }
    for (const { entry, peerId } of next.values()) {
      const existing = this.byMember.get(entry.id)
      if (existing) {
        existing.entry = entry
        if (entry.dial) this.scheduleRedial(existing, 0)
        continue
      }
      const p: PeerState = {
        entry, peerId, out: new Map(), requests: new Map(), inbound: new Set(), opening: new Set(),
        connected: false, connectedAt: 0, backoffMs: this.opts.redialMinMs, dialing: false,
      }
      this.byMember.set(entry.id, p)
      this.byPeerId.set(peerId.toString(), p)
      if (entry.dial) this.scheduleRedial(p, 0)
    }
  }

  /** Registers the handler of one-way messages on protocol `name`. */
  async handle(name: string, handler: MessageHandler): Promise<void> {
    const protocol = protocolId(this.opts.chainId, name)
    await this.libp2p.handle(protocol, (stream, conn) => {
      const p = this.peerOfStream(stream, conn)
      if (p == null) return
      const bindings = { peer: p.entry.id, protocol: name, dir: 'in' }
      const ch = new FrameChannel({
        ...this.limits(bindings),
        onFrame: (body) => this.deliver(handler, p.entry.id, name, body),
        onClosed: () => { p.inbound.delete(ch) },
      })
      p.inbound.add(ch)
      ch.attach(stream)
    }, { maxInboundStreams: MAX_STREAMS_PER_PROTOCOL, maxOutboundStreams: MAX_STREAMS_PER_PROTOCOL, force: true })
  }

  /** Registers the handler of requests on protocol `name`; its answer (or error) goes back to the requester. */
  async handleRequest(name: string, handler: RequestHandler): Promise<void> {
    const protocol = protocolId(this.opts.chainId, name)
    await this.libp2p.handle(protocol, (stream, conn) => {
      const p = this.peerOfStream(stream, conn)
      if (p == null) return
      const bindings = { peer: p.entry.id, protocol: name, dir: 'in' }
      const ch = createResponder({
        ...this.limits(bindings),
        from: p.entry.id,
        handler,
        maxResponseBytes: this.opts.maxMessageBytes,
        maxConcurrent: this.opts.maxConcurrentRequests,
        onClosed: () => { p.inbound.delete(ch) },
      })
      p.inbound.add(ch)
      ch.attach(stream)
    }, { maxInboundStreams: MAX_STREAMS_PER_PROTOCOL, maxOutboundStreams: MAX_STREAMS_PER_PROTOCOL, force: true })
  }

  /** Fire-and-forget to one member; false when not connected or its queue is full. Oversized payloads throw. */
  send(toMemberId: string, name: string, bytes: Uint8Array): boolean {
    const p = this.byMember.get(toMemberId)
    if (p == null || this.closed || this.connectionOf(p) == null) return false
    this.checkSize(bytes)
    const protocol = protocolId(this.opts.chainId, name)
    return this.transmit(p, name, bytes, () => this.enqueueMessage(p, protocol, name, bytes))
  }

  /** Sends to every connected allowlisted peer; returns how many accepted it. */
  broadcast(name: string, bytes: Uint8Array): number {
    let n = 0
    for (const id of this.byMember.keys()) if (this.send(id, name, bytes)) n++
    return n
  }

  /** Sends a request and resolves with the answer; rejects with NOT_CONNECTED, TIMEOUT, REMOTE_ERROR, STREAM_CLOSED. */
  async request(toMemberId: string, name: string, bytes: Uint8Array, o: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    const p = this.byMember.get(toMemberId)
    if (p == null || this.closed || this.connectionOf(p) == null) {
      throw new NodeError({ code: 'NOT_CONNECTED', peer: toMemberId }, `not connected to ${toMemberId}`)
    }
    this.checkSize(bytes)
    const protocol = protocolId(this.opts.chainId, name)
    let client = p.requests.get(protocol)
    if (client == null) {
      const c: RequestClient = new RequestClient({
        ...this.limits({ peer: p.entry.id, protocol: name, dir: 'out' }),
        peer: p.entry.id,
        onClosed: () => { if (p.requests.get(protocol) === c) p.requests.delete(protocol) },
      })
      p.requests.set(protocol, c)
      client = c
    }
    const c = client
    return c.request(bytes, o.timeoutMs ?? this.opts.requestTimeoutMs, (head, body) =>
      this.transmit(p, name, body, () => {
        const ok = c.channel.enqueue(head, body)
        if (ok) this.ensureStream(p, protocol, c.channel, (err) => c.failAll(err))
        return ok
      }))
  }

  /** Stops dialing, closes every stream and connection, stops libp2p. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.abort.abort(new NodeError({ code: 'CLOSED' }, 'p2p closed'))
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    for (const p of this.byMember.values()) this.dropChannels(p, 'p2p closed')
    for (const p of this.byMember.values()) if (p.redialTimer) clearTimeout(p.redialTimer)
    await this.libp2p?.stop()
    this.log.info({}, 'p2p closed')
  }

  // --- internals ---

  private limits(bindings: Record<string, unknown>): { bindings: Record<string, unknown>; log: Logger; maxBodyBytes: number; maxQueueFrames: number; maxQueueBytes: number } {
    return { bindings, log: this.log, maxBodyBytes: this.opts.maxMessageBytes, maxQueueFrames: this.opts.maxQueueFrames, maxQueueBytes: this.opts.maxQueueBytes }
  }

  private checkSize(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new NodeError({ code: 'BAD_BYTES', field: 'bytes' }, '"bytes" expected Uint8Array')
    if (bytes.length > this.opts.maxMessageBytes) {
      throw new NodeError({ code: 'MESSAGE_TOO_LARGE', max: this.opts.maxMessageBytes, actual: bytes.length }, `message of ${bytes.length} bytes exceeds ${this.opts.maxMessageBytes}`)
    }
  }

  // Applies the link filter: 'drop' pretends success (a lossy link), a delay re-enqueues later.
  private transmit(p: PeerState, name: string, bytes: Uint8Array, enqueue: () => boolean): boolean {
    const verdict = this.linkFilter?.(p.entry.id, name, bytes) ?? 'pass'
    if (verdict === 'pass') return enqueue()
    if (verdict === 'drop') return true
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) enqueue() }, Math.max(0, verdict.delayMs))
    this.timers.add(t)
    return true
  }

  private enqueueMessage(p: PeerState, protocol: string, name: string, bytes: Uint8Array): boolean {
    let ch = p.out.get(protocol)
    if (ch == null) {
      const c: FrameChannel = new FrameChannel({
        ...this.limits({ peer: p.entry.id, protocol: name, dir: 'out' }),
        // Nothing is expected back on a one-way stream; a frame from the remote is ignored.
        onFrame: () => {},
        // Frames still queued go out on a fresh stream while the peer is connected.
        onClosed: () => { if (c.queuedFrames > 0) this.ensureStream(p, protocol, c, () => c.clear()) },
      })
      p.out.set(protocol, c)
      ch = c
    }
    const ok = ch.enqueue(null, bytes)
    if (ok) this.ensureStream(p, protocol, ch, () => ch.clear())
    return ok
  }

  // Opens the channel's stream on an open connection unless it has one or one is being opened.
  private ensureStream(p: PeerState, protocol: string, ch: FrameChannel, onFail: (err: Error) => void): void {
    if (ch.stream != null || p.opening.has(protocol) || this.closed) return
    p.opening.add(protocol)
    void (async () => {
      try {
        const conn = this.connectionOf(p)
        if (conn == null) throw new NodeError({ code: 'NOT_CONNECTED', peer: p.entry.id }, `not connected to ${p.entry.id}`)
        const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.dialTimeoutMs)])
        const stream = await conn.newStream(protocol, { signal })
        if (this.closed || this.byMember.get(p.entry.id) !== p) { stream.abort(new Error('peer removed')); return }
        ch.attach(stream)
      } catch (err) {
        this.log.debug({ peer: p.entry.id, protocol, err: errInfo(err) }, 'cannot open stream')
        onFail(err instanceof Error ? err : new Error(String(err)))
      } finally {
        p.opening.delete(protocol)
      }
    })()
  }

  private deliver(handler: MessageHandler, from: string, name: string, body: Uint8Array): void {
    // A handler that throws or rejects costs nothing but a log line.
    const fail = (err: unknown): void => this.log.warn({ from, protocol: name, err: errInfo(err) }, 'message handler failed')
    try {
      const r = handler(from, body)
      if (r != null && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch(fail)
    } catch (err) {
      fail(err)
    }
  }

  // The trusted sender of an inbound stream: the allowlist entry of its authenticated peer id.
  private peerOfStream(stream: Stream, conn: Connection): PeerState | null {
    const p = this.byPeerId.get(conn.remotePeer.toString())
    if (p == null || this.closed) {
      this.log.warn({ peerId: conn.remotePeer.toString(), protocol: stream.protocol }, 'stream from a peer not in the allowlist')
      stream.abort(new Error('not allowlisted'))
      return null
    }
    return p
  }

  private connectionOf(p: PeerState): Connection | undefined {
    // The newest open connection: after a simultaneous dial both work, the newest lives longer.
    const conns = this.libp2p.getConnections(p.peerId)
    for (let i = conns.length - 1; i >= 0; i--) if (conns[i]!.status === 'open') return conns[i]
    return undefined
  }

  private onConnect(peerId: PeerId): void {
    const p = this.byPeerId.get(peerId.toString())
    if (p == null || p.connected) return
    p.connected = true
    p.connectedAt = Date.now()
    this.log.info({ peer: p.entry.id }, 'peer connected')
    this.emit({ id: p.entry.id, connected: true })
  }

  private onDisconnect(peerId: PeerId): void {
    const p = this.byPeerId.get(peerId.toString())
    if (p == null) return
    this.dropChannels(p, 'peer disconnected')
    if (p.connected) {
      p.connected = false
      this.log.info({ peer: p.entry.id }, 'peer disconnected')
      this.emit({ id: p.entry.id, connected: false })
    }
    // A peer that accepts our handshake and then drops us (it no longer allowlists us) must not
    // be re-dialed at the minimum delay forever: only a connection that lasted resets the back-off.
    if (Date.now() - p.connectedAt >= STABLE_CONNECTION_MS) p.backoffMs = this.opts.redialMinMs
    if (p.entry.dial) {
      this.scheduleRedial(p, p.backoffMs)
      p.backoffMs = Math.min(p.backoffMs * 2, this.opts.redialMaxMs)
    }
  }

  private emit(e: PeerEvent): void {
    for (const cb of this.peerListeners) {
      try { cb(e) } catch (err) { this.log.warn({ err: errInfo(err) }, 'onPeer callback failed') }
    }
  }

  private dropChannels(p: PeerState, why: string): void {
    const err = new NodeError({ code: 'PEER_GONE', peer: p.entry.id }, `${p.entry.id}: ${why}`)
    for (const c of p.requests.values()) { c.failAll(err); c.channel.abort(err) }
    for (const c of p.out.values()) c.abort(err)
    for (const c of p.inbound) c.abort(err)
    p.requests.clear()
    p.out.clear()
    p.inbound.clear()
  }

  private removePeer(p: PeerState): void {
    this.byMember.delete(p.entry.id)
    this.byPeerId.delete(p.peerId.toString())
    if (p.redialTimer) clearTimeout(p.redialTimer)
    p.redialTimer = undefined
    this.dropChannels(p, 'removed from the allowlist')
    this.log.info({ peer: p.entry.id }, 'peer removed from the allowlist')
    this.libp2p.hangUp(p.peerId, { signal: this.abort.signal }).catch((err: unknown) => this.log.debug({ peer: p.entry.id, err: errInfo(err) }, 'hang up failed'))
    if (p.connected) { p.connected = false; this.emit({ id: p.entry.id, connected: false }) }
  }

  private scheduleRedial(p: PeerState, delayMs: number): void {
    if (this.closed || !p.entry.dial || p.redialTimer != null || p.dialing || this.byMember.get(p.entry.id) !== p) return
    // ±20% jitter, so two nodes that lost each other do not re-dial in lockstep.
    const jittered = Math.round(delayMs * (0.8 + Math.random() * 0.4))
    p.redialTimer = setTimeout(() => { p.redialTimer = undefined; void this.dial(p) }, jittered)
  }

  private async dial(p: PeerState): Promise<void> {
    if (this.closed || this.byMember.get(p.entry.id) !== p || this.connectionOf(p) != null) return
    if (p.entry.addrs.length === 0) return
    p.dialing = true
    try {
      const addrs = p.entry.addrs.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${p.entry.peerId}`))
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.dialTimeoutMs)])
      await this.libp2p.dial(addrs, { signal })
    } catch (err) {
      if (!this.closed) this.log.debug({ peer: p.entry.id, err: errInfo(err), retryMs: p.backoffMs }, 'dial failed')
    } finally {
      p.dialing = false
    }
    if (this.connectionOf(p) == null) {
      this.scheduleRedial(p, p.backoffMs)
      p.backoffMs = Math.min(p.backoffMs * 2, this.opts.redialMaxMs)
    }
  }
}
