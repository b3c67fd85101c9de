// The check details of a receipt report in the page's language: English from the verifier's own
// table (src/verify/details.ts), Chinese from this one, filled with the report's values.
import { fillDetail, type Check, type CheckDetailKey } from '../verify/index.js'
import { currentLang } from './i18n.js'

const zh: Record<CheckDetailKey, string> = {
  formatOk: '{format}',
  formatBad: '不是有效的存证回执：{msg}',
  leafNotCanonical: '叶子数据不是规范化 JSON',
  leafNotJson: '叶子数据不是 JSON：{msg}',
  leafIdMismatch: '存证编号 {id} 不是叶子的哈希 {hash}',
  leafOk: '存证编号 {id}',
  chainMismatchLeaf: '回执标明的链为“{receipt}”，叶子记录的链为“{leaf}”',
  chainOther: '回执属于链“{receipt}”，信任根属于链“{trust}”',
  chainOk: '{chain}',
  trustRootBad: '信任根无效：{msg}',
  checkpointBad: '检查点无效：{msg}',
  foreignChain: '该回执不是由本信任根的共识节点签名的：它属于另一条链，或者该信任根不是本链的（回执的创世哈希 {receiptGenesis}，信任根的创世哈希 {trustGenesis}）',
  checkpointQuorum: '用本信任根的公钥只验证通过 {actual} 个共识节点签名，法定数需要 {expected} 个',
  checkpointOrigin: '检查点来源“{origin}”不是本链',
  checkpointOlder: '检查点早于该存证记录',
  checkpointOk: '第 {epoch} 届 {validators} 个共识节点中有 {count} 个签名（{signers}），区块高度 {height}',
  inclusionSize: '回执中的树大小 {receipt} 与检查点的 {checkpoint} 不一致',
  inclusionBad: '叶子 {leaf} 不在检查点所证明的 {size} 个叶子的树中',
  inclusionOk: '共 {size} 个叶子中的第 {leaf} 个',
  depositorNotMember: '存证单位“{depositor}”及其公钥不是信任根中的成员',
  depositorHeader: '交易头与存证记录不符',
  depositorTxHash: '交易头的哈希与存证记录中的交易不符',
  depositorItem: '该条目不在已签名的条目根之下',
  depositorSig: '存证单位的签名验证失败',
  depositorBlock: '区块头不是检查点所证明的区块',
  depositorRecordBlock: '区块头不是存证记录所在的区块',
  depositorTxProof: '该签名不是经证明的区块中所载的签名',
  depositorGenesis: '交易头签署的是创世哈希为 {tx} 的链，而不是信任根的 {trust}',
  depositorOk: '由 {depositor} 签名',
  depositorOkLater: '由 {depositor} 签名（公钥为创世后经治理登记的公钥；经证明的区块载有此签名）',
  depositorNone: 'tlog-proof 格式的回执不含存证单位签名',
  digestNone: '存证时未提交 {alg} 摘要',
  digestDiffers: '文件的 {alg} 摘要 {file} 与存证的 {deposited} 不同',
  digestOk: '{alg} 摘要一致',
}

/** A check's detail in the page's language. */
export function checkDetail(c: Check): string {
  return currentLang() === 'zh' ? fillDetail(zh[c.why.key], c.why.params) : c.detail
}
