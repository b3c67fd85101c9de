// The libp2p identity of a member (an Ed25519 key from the member's 32-byte seed, so the peer id
// is a function of the member key and can be listed in genesis) and the allowlist gater.
import './polyfill.js'
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import type { ConnectionGater, MultiaddrConnection, PeerId, PrivateKey } from '@libp2p/interface'
import { ed25519PublicKey } from '../crypto/index.js'
import { NodeError, abytes, fromHex } from '../util/index.js'
import type { Logger } from './options.js'

/** The libp2p peer id (base58 "12D3KooW…") of a 32-byte Ed25519 seed. */
export function peerIdFromSeed(seed: Uint8Array): string {
  abytes(seed, 'seed', 32)
  return peerIdFromPublicKey(publicKeyFromRaw(ed25519PublicKey(seed))).toString()
}

/** The libp2p peer id of a raw 32-byte Ed25519 public key (hex), as genesis lists it. */
export function peerIdOfPublicKey(publicKeyHex: string): string {
  return peerIdFromPublicKey(publicKeyFromRaw(fromHex(publicKeyHex, 'publicKey', 32))).toString()
}

/** The libp2p private key of a 32-byte Ed25519 seed. */
export async function privateKeyFromSeed(seed: Uint8Array): Promise<PrivateKey> {
  abytes(seed, 'seed', 32)
  return generateKeyPairFromSeed('Ed25519', seed)
}

/** Parses a peer id string; throws BAD_PEER_ID with the member id. */
export function parsePeerId(s: string, member: string): PeerId {
  try {
    return peerIdFromString(s)
  } catch {
    throw new NodeError({ code: 'BAD_PEER_ID', member, peerId: s }, `member "${member}" has a malformed peer id`)
  }
}

/**
 * A gater admitting only allowlisted peer ids. The check runs on the authenticated id right after
 * the noise handshake, both ways; refusals are logged with code PEER_NOT_ALLOWED.
 */
export function allowlistGater(isAllowed: (peerId: string) => boolean, log: Logger): ConnectionGater {
  const allowed = (peerId: PeerId): boolean => isAllowed(peerId.toString())
  const check = (dir: string) => (peerId: PeerId, maConn: MultiaddrConnection): boolean => {
    if (allowed(peerId)) return false
    log.warn({ code: 'PEER_NOT_ALLOWED', peerId: peerId.toString(), remoteAddr: maConn.remoteAddr.toString(), dir }, 'refused connection: peer not in the allowlist')
    return true
  }
  return {
    denyDialPeer: (peerId) => !allowed(peerId),
    denyInboundEncryptedConnection: check('in'),
    denyOutboundEncryptedConnection: check('out'),
    // The allowlist may shrink while an upgrade is in flight.
    denyInboundUpgradedConnection: (peerId) => !allowed(peerId),
    denyOutboundUpgradedConnection: (peerId) => !allowed(peerId),
  }
}
