// p2p: the only module that calls libp2p. The polyfill must load before anything imports libp2p.
import './polyfill.js'

export { P2P } from './p2p.js'
export { peerIdFromSeed, peerIdOfPublicKey } from './identity.js'
export { protocolId, DEFAULTS as P2P_DEFAULTS } from './options.js'
export type {
  P2POptions, P2PDeps, PeerEntry, PeerEvent, PeerStatus, MessageHandler, RequestHandler,
  LinkFilter, LinkVerdict, Logger,
} from './options.js'
