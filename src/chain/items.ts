// The items a tx carries. Deposit and verify items are evidence: each becomes one leaf of the log.
import { canonicalJson } from '../codec/index.js'
import { ChainErrorCode } from './errors.js'
import { checks, faultError, HEX32_RE, recordFault, type Fault } from './schema.js'

export interface Digests { sha256: string; sm3?: string }
export interface EvidenceMeta { size?: number; mediaType?: string; label?: string; caseNo?: string; commitment?: string }
export interface EvidenceItem { digests: Digests; meta?: EvidenceMeta }

// Court case numbers such as "(2026)京0491民初1号" or "（2026）浙01民终123号".
export const CASE_NO_RE = /^[\p{L}\p{N}(（〔\[][\p{L}\p{N} ()（）〔〕\[\]._\/#-]{0,127}$/u
const C = checks(ChainErrorCode.TX_BAD_FORMAT)

const evidenceFields = {
  digests: { check: C.object({ sha256: { check: C.string(64, HEX32_RE) }, sm3: { check: C.string(64, HEX32_RE), optional: true } }) },
  meta: {
    optional: true,
    check: C.object({
      size: { check: C.uint(), optional: true },
      mediaType: { check: C.string(255, /^[\x21-\x7e]+\/[\x21-\x7e]+$/), optional: true },
      label: { check: C.string(1024), optional: true },
      caseNo: { check: C.string(128, CASE_NO_RE), optional: true },
      commitment: { check: C.string(64, HEX32_RE), optional: true },
    }),
  },
}

/** Checks one evidence item (deposit or verification record) strictly. */
export function parseEvidenceItem(value: unknown, path: string): EvidenceItem {
  const fault = evidenceItemFault(value)
  if (fault !== undefined) throw faultError(path, fault, ChainErrorCode.TX_BAD_FORMAT)
  return value as EvidenceItem
}

/** parseEvidenceItem's checks: the first fault of `value` as an evidence item, or undefined. */
export function evidenceItemFault(value: unknown): Fault | undefined {
  const fault = recordFault(value, evidenceFields)
  if (fault !== undefined) return fault
  const { meta } = value as EvidenceItem
  // An empty meta would give two encodings of one item (with and without it).
  if (meta !== undefined && isEmpty(meta)) return { kind: 'object', at: '.meta' }
  return undefined
}

function isEmpty(obj: object): boolean {
  for (const k in obj) if (Object.hasOwn(obj, k)) return false
  return true
}

// Canonical JSON (RFC 8785) of evidence items written out for their known keys, in sorted order
// (UTF-16 code units: "sha256" < "sm3"; "caseNo" < "commitment" < "label" < "mediaType" < "size").
// Every item is written once for its leaf in the tx's items root and once inside its evidence
// record; the generic encoder's key sort and walk were most of that. Anything not of the known
// shape (an extra key, a non-plain object, a value of another type) goes to canonicalJson, which
// writes or refuses it as before.
const DIGEST_KEYS = ['sha256', 'sm3'] as const
const META_KEYS = ['caseNo', 'commitment', 'label', 'mediaType', 'size'] as const

/** canonicalJson(item) for an evidence item. */
export function evidenceItemJson(item: EvidenceItem): string {
  const known = knownShape(item, ITEM_KEYS)
  const digests = known ? knownJson(item.digests, DIGEST_KEYS) : null
  const meta = !known ? null : item.meta !== undefined ? knownJson(item.meta, META_KEYS) : Object.hasOwn(item, 'meta') ? null : ''
  if (digests === null || meta === null) return canonicalJson(item)
  return '{"digests":' + digests + (item.meta !== undefined ? ',"meta":' + meta : '') + '}'
}

/** canonicalJson(digests). */
export const digestsJson = (d: Digests): string => knownJson(d, DIGEST_KEYS) ?? canonicalJson(d)
/** canonicalJson(meta). */
export const metaJson = (m: EvidenceMeta): string => knownJson(m, META_KEYS) ?? canonicalJson(m)

const ITEM_KEYS = ['digests', 'meta'] as const

// True for a plain object whose own keys are all among `keys` (sorted), and no inherited enumerable ones.
function knownShape(obj: unknown, keys: readonly string[]): boolean {
  if (typeof obj !== 'object' || obj === null) return false
  const proto = Object.getPrototypeOf(obj)
  if (proto !== Object.prototype && proto !== null) return false
  for (const k in obj) if (!Object.hasOwn(obj, k) || !keys.includes(k)) return false
  return true
}

// The JSON of an object of the known shape whose values are strings or finite numbers, or null.
function knownJson(obj: unknown, keys: readonly string[]): string | null {
  if (!knownShape(obj, keys)) return null
  let out = '{'
  for (const k of keys) {
    if (!Object.hasOwn(obj as object, k)) continue
    const v = (obj as Record<string, unknown>)[k]
    let json: string
    if (typeof v === 'string' && v.isWellFormed()) json = JSON.stringify(v)
    else if (typeof v === 'number' && Number.isFinite(v)) json = JSON.stringify(v)
    else return null
    out += (out.length > 1 ? ',"' : '"') + k + '":' + json
  }
  return out + '}'
}
