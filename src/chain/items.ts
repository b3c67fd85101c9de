// The items a tx carries. Deposit and verify items are evidence: each becomes one leaf of the log.
import { ChainErrorCode } from './errors.js'
import { checks, HEX32_RE, record } from './schema.js'

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
  const item = record(value, path, evidenceFields, ChainErrorCode.TX_BAD_FORMAT) as unknown as EvidenceItem
  if (item.meta && Object.keys(item.meta).length === 0) {
    // An empty meta would give two encodings of one item (with and without it).
    record(undefined, `${path}.meta`, {}, ChainErrorCode.TX_BAD_FORMAT)
  }
  return item
}
