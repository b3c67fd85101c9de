// The items a tx carries. Deposit and verify items are evidence: each becomes one leaf of the log.
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
