// crypto for node code: the native (node:crypto) paths, key files, and the portable names
// that have no native twin. Browser code imports ./portable.js instead.
export * from './native.js'
export * from './keyfile.js'
export {
  ed25519Precheck, isSmallOrderEncoding, isCanonicalY, isScalarBelowL, smallOrderEncodings,
  createSha256, createSm3, createHasher, type Hasher, type HashAlg,
  sha256 as portableSha256, sm3 as portableSm3, ed25519Verify as portableEd25519Verify,
  ed25519Sign as portableEd25519Sign, ed25519PublicKey as portableEd25519PublicKey,
} from './portable.js'
