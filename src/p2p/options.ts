// Options, defaults and the narrow interfaces P2P is built from.
import { NodeError } from '../util/index.js'

/** One allowlisted member: its libp2p identity, where to reach it, and whether we keep a connection. */
export interface PeerEntry {
  /** Member id (genesis `members[].id`). */
  id: string
  /** libp2p peer id, a function of the member key (see peerIdFromSeed). */
  peerId: string
  /** Multiaddrs, e.g. /ip4/127.0.0.1/tcp/26601 (a trailing /p2p/<peerId> is optional). */
  addrs: string[]
  /** Keep a connection to this peer and re-dial it when it drops (validators). */
  dial: boolean
}

export interface P2POptions {
  /** The node's Ed25519 32-byte seed; the libp2p identity is derived from it. */
  seed: Uint8Array
  /** Multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/0. */
  listen: string[]
  peers: PeerEntry[]
  chainId: string
  /** Largest payload of one message (default 16 MiB: blocks). */
  maxMessageBytes?: number
  /** Per peer and protocol, outbound frames waiting for the socket (default 8192). */
  maxQueueFrames?: number
  /** Per peer and protocol, outbound bytes waiting for the socket (default 64 MiB). */
  maxQueueBytes?: number
  /** Re-dial back-off: first delay and cap (defaults 100 ms and 5 s). */
  redialMinMs?: number
  redialMaxMs?: number
  /** Dial and stream-open timeout (default 5 s). */
  dialTimeoutMs?: number
  /** Default timeout of request() (default 10 s). */
  requestTimeoutMs?: number
  /** Requests served at once on one inbound stream; more are answered BUSY (default 64). */
  maxConcurrentRequests?: number
}

export interface Logger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child?(bindings: object): Logger
}

export interface P2PDeps {
  log: Logger
  /** Aborting it closes the node. */
  signal?: AbortSignal
}

export type MessageHandler = (fromMemberId: string, bytes: Uint8Array) => void | Promise<void>
export type RequestHandler = (fromMemberId: string, bytes: Uint8Array) => Promise<Uint8Array>
/** Fault injection on the send path: pass, drop silently, or deliver after a delay. */
export type LinkVerdict = 'pass' | 'drop' | { delayMs: number }
export type LinkFilter = (toMemberId: string, name: string, bytes: Uint8Array) => LinkVerdict
export interface PeerEvent { id: string; connected: boolean }
export interface PeerStatus { id: string; connected: boolean }

export const DEFAULTS = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxQueueFrames: 8192,
  maxQueueBytes: 64 * 1024 * 1024,
  redialMinMs: 100,
  redialMaxMs: 5000,
  dialTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  maxConcurrentRequests: 64,
} as const

export type ResolvedOptions = Required<P2POptions>

/** Fills in defaults. */
export function resolveOptions(o: P2POptions): ResolvedOptions {
  return {
    maxMessageBytes: DEFAULTS.maxMessageBytes,
    maxQueueFrames: DEFAULTS.maxQueueFrames,
    maxQueueBytes: DEFAULTS.maxQueueBytes,
    redialMinMs: DEFAULTS.redialMinMs,
    redialMaxMs: DEFAULTS.redialMaxMs,
    dialTimeoutMs: DEFAULTS.dialTimeoutMs,
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    maxConcurrentRequests: DEFAULTS.maxConcurrentRequests,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedOptions
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/

/** The libp2p protocol id of a courtchain protocol name: /courtchain/<chainId>/<name>/1. */
export function protocolId(chainId: string, name: string): string {
  if (!NAME_RE.test(name)) throw new NodeError({ code: 'BAD_PROTOCOL_NAME', name }, `bad protocol name "${name}"`)
  return `/courtchain/${chainId}/${name}/1`
}
