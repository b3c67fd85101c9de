// codec: canonical JSON (RFC 8785) for public records, strict deterministic CBOR for blocks and
// wire messages, and a small record schema check. Browser-safe (util and cborg only).
export * from './json.js'
export * from './cbor.js'
export * from './schema.js'
