// C2SP signed-note (signed-note.md): a text ending in newline, a blank line, then one line per
// signature "— <name> base64(keyID ‖ sig)". Only Ed25519 (type 0x01) keys are supported.
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from '../crypto/portable.js'
import { NodeError, abytes, concatBytes, equalBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from '../util/index.js'

/** Signature type byte of Ed25519 note signatures (signed-note.md "Signature types"). */
export const ED25519_TYPE = 0x01
/** Upper bound on signature lines; the spec requires accepting at least 16. */
export const MAX_NOTE_SIGNATURES = 256
/** Upper bound on a whole note, in UTF-16 code units (roughly bytes for these ASCII notes). */
export const MAX_NOTE_LENGTH = 1 << 20

const EM_DASH = '\u2014'
// Key names are non-empty, without Unicode spaces or '+' (signed-note.md "Format").
const NAME_RE = /^[^\s+]+$/u
// No ASCII control characters other than newline anywhere in a note.
const CONTROL_RE = /[\u0000-\u0009\u000b-\u001f]/

export interface NoteSignature { name: string; keyId: Uint8Array; sig: Uint8Array }
export interface ParsedNote { body: string; signatures: NoteSignature[] }
export interface Verifier { name: string; keyId: Uint8Array; type: number; publicKey: Uint8Array }
export interface NoteSigner { name: string; seed: Uint8Array }
/** An Ed25519 signer (seed32, message) → 64-byte signature; the node injects the native one. */
export type SignFn = (seed: Uint8Array, message: Uint8Array) => Uint8Array
/** An Ed25519 verifier under the pinned rule; the node injects the native one. */
export type VerifyFn = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean

function noteError(code: string, data: Record<string, unknown>, message: string): NodeError {
  return new NodeError({ code, ...data }, message)
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw noteError('NOTE_BAD_NAME', { name: String(name) }, `"name" expected a non-empty key name without spaces or "+", got ${JSON.stringify(name)}`)
  }
  return name
}

/** Key ID of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[:4] (signed-note.md). */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  checkName(name)
  abytes(publicKey, 'publicKey', 32)
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ED25519_TYPE), publicKey)).slice(0, 4)
}

/** Verifier key text `<name>+<hex keyID>+base64(0x01 ‖ publicKey)` of an Ed25519 key. */
export function vkey(name: string, publicKey: Uint8Array): string {
  return `${name}+${toHex(keyId(name, publicKey))}+${toBase64(concatBytes(Uint8Array.of(ED25519_TYPE), publicKey))}`
}

/** Parses an Ed25519 vkey strictly; the key ID must be the one its name and key imply. */
export function parseVkey(text: string): Verifier {
  if (typeof text !== 'string') throw noteError('NOTE_BAD_VKEY', {}, '"vkey" expected a string')
  // Names and hex IDs hold no '+', but base64 keys may: split at the first two only.
  const i = text.indexOf('+')
  const j = text.indexOf('+', i + 1)
  if (i < 0 || j < 0) throw noteError('NOTE_BAD_VKEY', { vkey: text }, '"vkey" expected name+id+key')
  const name = text.slice(0, i)
  const idHex = text.slice(i + 1, j)
  const keyB64 = text.slice(j + 1)
  checkName(name)
  let id: Uint8Array
  let key: Uint8Array
  try {
    id = fromHex(idHex, 'vkey id', 4)
    key = fromBase64(keyB64, 'vkey key')
  } catch (e) {
    throw noteError('NOTE_BAD_VKEY', { vkey: text }, `"vkey" malformed: ${(e as Error).message}`)
  }
  if (key.length < 1 || key[0] !== ED25519_TYPE) {
    throw noteError('NOTE_BAD_VKEY', { vkey: text, expected: ED25519_TYPE, actual: key[0] }, `"vkey" expected signature type 0x01 (Ed25519), got ${key[0]}`)
  }
  const publicKey = key.slice(1)
  if (publicKey.length !== 32) {
    throw noteError('NOTE_BAD_VKEY', { vkey: text, expected: 32, actual: publicKey.length }, `"vkey" expected a 32-byte Ed25519 key, got ${publicKey.length}`)
  }
  if (!equalBytes(id, keyId(name, publicKey))) {
    throw noteError('NOTE_BAD_VKEY', { vkey: text }, '"vkey" key ID does not match its name and key')
  }
  return { name, keyId: id, type: ED25519_TYPE, publicKey }
}

/** Checks a note text: non-empty, ends with newline, no control characters but newline. */
function checkBody(body: unknown): string {
  if (typeof body !== 'string' || body.length === 0 || !body.endsWith('\n')) {
    throw noteError('NOTE_MALFORMED', {}, 'note text expected to be non-empty and end with a newline')
  }
  if (CONTROL_RE.test(body)) throw noteError('NOTE_MALFORMED', {}, 'note text contains a control character')
  if (body.length > MAX_NOTE_LENGTH) throw noteError('NOTE_MALFORMED', { expected: MAX_NOTE_LENGTH, actual: body.length }, 'note text too long')
  return body
}

/** One signature line, newline included: `— <name> base64(keyId ‖ sig)\n`. */
export function signatureLine(name: string, id: Uint8Array, sig: Uint8Array): string {
  checkName(name)
  abytes(id, 'keyId', 4)
  abytes(sig, 'sig')
  return `${EM_DASH} ${name} ${toBase64(concatBytes(id, sig))}\n`
}

/** One signer's Ed25519 signature over `body` (the note text, final newline included). */
export function noteSignature(body: string, signer: NoteSigner, sign: SignFn = ed25519Sign): NoteSignature {
  checkBody(body)
  const name = checkName(signer.name)
  const id = keyId(name, ed25519PublicKey(abytes(signer.seed, 'seed', 32)))
  return { name, keyId: id, sig: sign(signer.seed, utf8(body)) }
}

/** The note text of `body` followed by the blank line and the given signature lines. */
export function assembleNote(body: string, signatures: NoteSignature[]): string {
  checkBody(body)
  if (signatures.length === 0) throw noteError('NOTE_MALFORMED', {}, 'a signed note needs at least one signature')
  return body + '\n' + signatures.map((s) => signatureLine(s.name, s.keyId, s.sig)).join('')
}

/** Signs `body` with each signer (Ed25519 via crypto/portable unless `sign` is given). */
export function signNote(body: string, signers: NoteSigner[], sign: SignFn = ed25519Sign): string {
  return assembleNote(body, signers.map((s) => noteSignature(body, s, sign)))
}

/** Strict parse of a signed note; the text ends at the last blank line (signed-note.md "Format"). */
export function parseNote(text: string): ParsedNote {
  if (typeof text !== 'string') throw noteError('NOTE_MALFORMED', {}, 'note expected a string')
  if (text.length > MAX_NOTE_LENGTH) throw noteError('NOTE_MALFORMED', { expected: MAX_NOTE_LENGTH, actual: text.length }, 'note too long')
  if (CONTROL_RE.test(text)) throw noteError('NOTE_MALFORMED', {}, 'note contains a control character')
  if (/[\ud800-\udfff]/u.test(text)) throw noteError('NOTE_MALFORMED', {}, 'note is not valid UTF-8')
  const split = text.lastIndexOf('\n\n')
  if (split < 0) throw noteError('NOTE_MALFORMED', {}, 'note has no blank line before its signatures')
  const body = text.slice(0, split + 1)
  const sigText = text.slice(split + 2)
  if (sigText.length === 0 || !sigText.endsWith('\n')) throw noteError('NOTE_MALFORMED', {}, 'note expected signature lines ending in newline')
  const lines = sigText.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw noteError('NOTE_MALFORMED', { expected: MAX_NOTE_SIGNATURES, actual: lines.length }, `note has ${lines.length} signatures, at most ${MAX_NOTE_SIGNATURES} allowed`)
  }
  const signatures = lines.map((line, i) => {
    const m = /^\u2014 ([^ ]+) ([^ ]+)$/u.exec(line)
    if (!m || !NAME_RE.test(m[1]!)) throw noteError('NOTE_MALFORMED', { line: i }, `signature line ${i} malformed`)
    let raw: Uint8Array
    try { raw = fromBase64(m[2]!, 'signature') } catch {
      throw noteError('NOTE_MALFORMED', { line: i }, `signature line ${i} is not canonical base64`)
    }
    if (raw.length < 5) throw noteError('NOTE_MALFORMED', { line: i, actual: raw.length }, `signature line ${i} expected key ID and signature, got ${raw.length} bytes`)
    return { name: m[1]!, keyId: raw.slice(0, 4), sig: raw.slice(4) }
  })
  return { body, signatures }
}

export interface VerifiedNote { body: string; verified: string[] }

/**
 * Verifies a note against Ed25519 vkeys: unknown signatures are ignored, a known key's bad
 * signature rejects the note (NOTE_BAD_SIGNATURE), a key counts once however often it signs,
 * and fewer than `quorum` distinct verified keys throw NOTE_QUORUM. Returns signer names in order.
 * `verify` defaults to crypto/portable's ed25519Verify; the node may pass the native twin.
 */
export function verifyNote(text: string, vkeys: Array<string | Verifier>, quorum = 1, verify: VerifyFn = ed25519Verify): VerifiedNote {
  if (!Number.isSafeInteger(quorum) || quorum < 1) {
    throw noteError('NOTE_BAD_QUORUM', { actual: quorum }, `"quorum" expected an integer >= 1, got ${quorum}`)
  }
  const known = new Map<string, Verifier>()
  for (const k of vkeys) {
    const v = typeof k === 'string' ? parseVkey(k) : k
    const id = `${v.name}+${toHex(v.keyId)}`
    if (known.has(id)) throw noteError('NOTE_BAD_VKEY', { vkey: id }, `two vkeys share name and key ID ${id}`)
    known.set(id, v)
  }
  const { body, signatures } = parseNote(text)
  const message = utf8(body)
  const seen = new Set<string>()
  const verified: string[] = []
  for (const s of signatures) {
    const id = `${s.name}+${toHex(s.keyId)}`
    const v = known.get(id)
    if (!v) continue // signed-note.md: verifiers MUST ignore signatures from unknown keys
    // Every known-key signature is checked, repeats included, so a bad repeat cannot hide.
    if (!verify(v.publicKey, message, s.sig)) {
      throw noteError('NOTE_BAD_SIGNATURE', { key: id }, `signature of ${id} does not verify`)
    }
    if (seen.has(id)) continue
    seen.add(id)
    verified.push(s.name)
  }
  if (verified.length < quorum) {
    throw noteError('NOTE_QUORUM', { expected: quorum, actual: verified.length }, `note expected ${quorum} verified signatures from known keys, got ${verified.length}`)
  }
  return { body, verified }
}
