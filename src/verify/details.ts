// The words of every check detail verifyReceipt reports, in English, by key with {name}
// placeholders. A report carries the key and its values with the English text, so a page in
// another language renders the same detail from its own table (src/web/i18n.ts).
export const CHECK_DETAILS = {
  formatOk: '{format}',
  formatBad: 'not a receipt: {msg}',
  leafNotCanonical: 'leaf bytes are not canonical JSON',
  leafNotJson: 'leaf is not JSON: {msg}',
  leafIdMismatch: "evidence id {id} is not the leaf's hash {hash}",
  leafOk: 'evidence {id}',
  chainMismatchLeaf: 'receipt says chain "{receipt}", its leaf says "{leaf}"',
  chainOther: 'receipt is for chain "{receipt}", trust root is for "{trust}"',
  chainOk: '{chain}',
  trustRootBad: 'trust root: {msg}',
  checkpointBad: '{msg}',
  foreignChain: "this receipt was not signed by the validators of this trust root: it belongs to another chain, or the trust root is not this chain's (receipt's genesis {receiptGenesis}, trust root's genesis {trustGenesis})",
  checkpointQuorum: 'only {actual} of the {expected} validator signatures a quorum needs verified with the keys of this trust root',
  checkpointOrigin: 'checkpoint origin "{origin}" is not this chain\'s',
  checkpointOlder: 'checkpoint is older than the evidence record',
  checkpointOk: 'signed by {count} of {validators} validators of epoch {epoch} ({signers}) at height {height}',
  inclusionSize: "receipt tree size {receipt} is not the checkpoint's {checkpoint}",
  inclusionBad: 'leaf {leaf} is not in the checkpointed tree of {size}',
  inclusionOk: 'leaf {leaf} of {size}',
  depositorNotMember: 'depositor "{depositor}" with this key is not a member in the trust root',
  depositorHeader: 'tx header does not match the record',
  depositorTxHash: "tx header does not hash to the record's tx",
  depositorItem: 'item is not under the signed itemsRoot',
  depositorSig: 'depositor signature does not verify',
  depositorBlock: 'block header is not the block the checkpoint certifies',
  depositorRecordBlock: "block header is not the record's block",
  depositorTxProof: 'signature is not the one the certified block carries',
  depositorGenesis: "tx header is signed for the chain with genesis {tx}, not the trust root's {trust}",
  depositorOk: 'signed by {depositor}',
  depositorOkLater: 'signed by {depositor} with a key registered after genesis (governance); the certified block carries this signature',
  depositorNone: 'tlog-proof receipts carry no depositor signature',
  digestNone: 'no {alg} digest was deposited',
  digestDiffers: 'file {alg} {file} differs from the deposited {deposited}',
  digestOk: '{alg} matches',
} as const

export type CheckDetailKey = keyof typeof CHECK_DETAILS
export type CheckDetailParams = Record<string, string | number>

/** `template` with each {name} replaced by params[name] (left as is when absent). */
export function fillDetail(template: string, params: CheckDetailParams): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => (params[k] === undefined ? all : String(params[k])))
}
