// The page's words in English and Chinese. The choice is remembered in localStorage; the first
// visit follows the browser's language.
export type Lang = 'en' | 'zh'

const en = {
  skip: 'Skip to content', sections: 'Sections',
  navVerify: 'Verify a file', navDashboard: 'Dashboard', navExplorer: 'Explorer',
  verifyTitle: 'Verify a file against the chain',
  privacy: 'Your file never leaves this computer: it is hashed here in your browser, and only its digest is looked up. The receipt is then checked here too, against the chain\'s trust root, without taking the server\'s word for it.',
  dropTitle: 'Drop a file here, or choose one', noFile: 'No file chosen',
  modeLegend: 'How to verify', modeOnline: 'Look it up on this node', modeOffline: 'Offline, with a receipt file',
  receiptLabel: 'Receipt (JSON or tlog-proof text)', trustLegend: 'Trust root', trustNode: 'Fetch from this node',
  trustFile: 'Choose a file', trustFileLabel: 'Trust root file (JSON)', alsoSm3: 'Also compute SM3 (GB/T 32905)',
  verifyBtn: 'Verify', hashing: 'Hashing in your browser… {pct}%', lookingUp: 'Looking up the digest…',
  needFile: 'Choose the file to verify first.', needReceipt: 'Choose the receipt file.', needTrust: 'Choose the trust root file.',
  verdictOk: 'Verified: this file was deposited on the chain', verdictBad: 'Verification failed',
  verdictNotFound: 'Not found on this chain', notFoundDetail: 'No evidence on chain "{chain}" has the SHA-256 digest of this file. A single changed byte gives a different digest.',
  failedCheck: 'Failed check: {check}', depositedBy: 'Deposited by', storageTime: 'Storage time (block time agreed by the quorum)',
  localTime: 'your time', utc: 'UTC', inBlock: 'In block', signedBy: 'Validators who signed', evidenceId: 'Evidence id',
  leaf: 'Leaf', fileLabel: 'File', digestSha256: 'SHA-256', digestSm3: 'SM3', checks: 'Checks, all computed in your browser',
  checkFormat: 'receipt format', checkChain: 'chain', checkLeaf: 'evidence record', checkCheckpoint: 'validator signatures on the checkpoint',
  checkInclusion: 'inclusion in the evidence log', checkDepositor: 'depositor signature', checkDigest: 'file digest matches',
  ok: 'passed', failed: 'FAILED', na: 'not available', label: 'Label', caseNo: 'Case number', size: 'Size', mediaType: 'Media type',
  printReport: 'Print report', downloadJson: 'Download JSON report', downloadReceipt: 'Download receipt', deposits: '{n} deposits of this file',
  errorNetwork: 'Could not reach the node: {msg}', errorGeneric: 'Error: {msg}', reportTitle: 'Evidence verification report',
  reportGenerated: 'Generated', reportNode: 'Node', chain: 'Chain',
  dashTitle: 'Live chain', rateCaption: 'Commit rate (blocks/s)', latCaption: 'Block interval (ms)', latCaptionStats: 'Commit latency (ms)',
  validators: 'Validators', recentBlocks: 'Recent blocks', height: 'Height', time: 'Time', txs: 'Txs', logSize: 'Log size',
  tHeight: 'Height', tEvidence: 'Evidence items', tUnits: 'Units', tVerifications: 'Cross-chain verifications', tCases: 'Cases',
  tChains: 'Foreign chains', tView: 'View', tPrimary: 'Primary', tPeers: 'Peers', tRole: 'This node', tMempool: 'Mempool',
  online: 'online', offline: 'offline', primary: 'primary', statsMissing: 'Counts unavailable (/v1/stats failed); showing what status gives.',
  lastMinutes: 'last {m} min', syncing: 'syncing', updated: 'Updated {time}', unreachable: 'Node unreachable: {msg}',
  expTitle: 'Explorer', searchLabel: 'Block height, tx hash, evidence id or case number', go: 'Go',
  block: 'Block', tx: 'Transaction', evidence: 'Evidence', case: 'Case', hash: 'Hash', parent: 'Parent', txRoot: 'Tx root',
  logRoot: 'Log root', certificate: 'Commit certificate', certOk: 'Certificate verified in your browser: signed by {who}',
  certBad: 'Certificate does NOT verify: {msg}', status: 'Status', location: 'Location', from: 'From', type: 'Type', nonce: 'Nonce',
  items: 'Items', record: 'Record', leafIndex: 'Leaf index', notFound: 'Not found: {what}', verifyReceipt: 'Verify this receipt in the browser',
  prev: '← Previous', next: 'Next →', caseEvidence: 'Evidence in this case', raw: 'Raw answer',
  footer: 'Served by this node. No external requests, no cookies.', nodeSelf: 'node {id}', pending: 'pending', committed: 'committed',
  latestBlocks: 'Latest blocks', noBlocksYet: 'No block committed yet.', evidenceCount: 'Evidence items', verifications: 'Verifications on record',
  verdictPasses: 'passes', verdictFails: 'fails', verdictIncomplete: 'incomplete', notVerifiedYet: 'none yet',
  ambiguousId: '{n} evidence ids start with {prefix}: choose one',
}
export type Key = keyof typeof en

const zh: Record<Key, string> = {
  skip: '跳到正文', sections: '栏目',
  navVerify: '核验文件', navDashboard: '链上概况', navExplorer: '浏览器',
  verifyTitle: '用区块链核验电子数据文件',
  privacy: '文件不会离开您的电脑：只在本浏览器内计算摘要，只用摘要查询。存证回执也在本浏览器内依据本链的信任根核验，不依赖服务器的说法。',
  dropTitle: '把文件拖到这里，或点击选择', noFile: '尚未选择文件',
  modeLegend: '核验方式', modeOnline: '在本节点查询', modeOffline: '离线核验（使用回执文件）',
  receiptLabel: '存证回执（JSON 或 tlog-proof 文本）', trustLegend: '信任根', trustNode: '从本节点获取',
  trustFile: '选择文件', trustFileLabel: '信任根文件（JSON）', alsoSm3: '同时计算 SM3 摘要（GB/T 32905）',
  verifyBtn: '核验', hashing: '正在本浏览器内计算摘要… {pct}%', lookingUp: '正在查询摘要…',
  needFile: '请先选择要核验的文件。', needReceipt: '请选择回执文件。', needTrust: '请选择信任根文件。',
  verdictOk: '核验通过：该文件已在链上存证', verdictBad: '核验未通过',
  verdictNotFound: '本链上未找到', notFoundDetail: '链“{chain}”上没有与该文件 SHA-256 摘要相同的存证。文件哪怕改动一个字节，摘要也会不同。',
  failedCheck: '未通过的检查：{check}', depositedBy: '存证单位', storageTime: '存证时间（共识节点确认的区块时间）',
  localTime: '本地时间', utc: 'UTC', inBlock: '所在区块', signedBy: '签名的共识节点', evidenceId: '存证编号',
  leaf: '叶子', fileLabel: '文件', digestSha256: 'SHA-256', digestSm3: 'SM3', checks: '各项检查（均在本浏览器内完成）',
  checkFormat: '回执格式', checkChain: '链标识', checkLeaf: '存证记录', checkCheckpoint: '共识节点对检查点的签名',
  checkInclusion: '存证日志包含证明', checkDepositor: '存证单位签名', checkDigest: '文件摘要一致',
  ok: '通过', failed: '未通过', na: '不适用', label: '标签', caseNo: '案号', size: '大小', mediaType: '媒体类型',
  printReport: '打印核验报告', downloadJson: '下载 JSON 报告', downloadReceipt: '下载回执', deposits: '该文件共有 {n} 条存证',
  errorNetwork: '无法连接节点：{msg}', errorGeneric: '出错：{msg}', reportTitle: '电子数据核验报告',
  reportGenerated: '生成时间', reportNode: '节点', chain: '链',
  dashTitle: '链上实时概况', rateCaption: '出块速率（块/秒）', latCaption: '出块间隔（毫秒）', latCaptionStats: '提交时延（毫秒）',
  validators: '共识节点', recentBlocks: '最近区块', height: '高度', time: '时间', txs: '交易数', logSize: '日志大小',
  tHeight: '区块高度', tEvidence: '存证条数', tUnits: '应用单位', tVerifications: '跨链核验', tCases: '案件',
  tChains: '外部链', tView: '视图', tPrimary: '主节点', tPeers: '对等节点', tRole: '本节点', tMempool: '待打包交易',
  online: '在线', offline: '离线', primary: '主节点', statsMissing: '统计接口（/v1/stats）不可用，仅显示状态接口的数据。',
  lastMinutes: '最近 {m} 分钟', syncing: '同步中', updated: '更新于 {time}', unreachable: '无法连接节点：{msg}',
  expTitle: '区块浏览器', searchLabel: '区块高度、交易哈希、存证编号或案号', go: '查询',
  block: '区块', tx: '交易', evidence: '存证', case: '案件', hash: '哈希', parent: '父区块', txRoot: '交易根',
  logRoot: '日志根', certificate: '提交证书', certOk: '提交证书已在本浏览器内验证：签名者 {who}',
  certBad: '提交证书验证失败：{msg}', status: '状态', location: '位置', from: '发送方', type: '类型', nonce: '序号',
  items: '条目', record: '记录', leafIndex: '叶子序号', notFound: '未找到：{what}', verifyReceipt: '在浏览器内核验此回执',
  prev: '← 上一个', next: '下一个 →', caseEvidence: '本案存证', raw: '原始数据',
  footer: '由本节点提供。不向外部发出任何请求，不使用 Cookie。', nodeSelf: '节点 {id}', pending: '待确认', committed: '已确认',
  latestBlocks: '最新区块', noBlocksYet: '尚无已确认的区块。', evidenceCount: '存证条数', verifications: '链上核验记录',
  verdictPasses: '通过', verdictFails: '未通过', verdictIncomplete: '未完成', notVerifiedYet: '暂无',
  ambiguousId: '有 {n} 个存证编号以 {prefix} 开头，请选择一个',
}

const dicts: Record<Lang, Record<Key, string>> = { en, zh }
const STORAGE_KEY = 'courtchain.lang'

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'en' || saved === 'zh') return saved
  } catch { /* storage may be disabled */ }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

let lang: Lang = initialLang()
const listeners: (() => void)[] = []

export const currentLang = (): Lang => lang

/** The text of `key` in the current language, with `{name}` placeholders filled. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  return dicts[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`))
}

export function setLang(next: Lang): void {
  lang = next
  try { localStorage.setItem(STORAGE_KEY, next) } catch { /* not remembered */ }
  applyStatic()
  for (const l of listeners) l()
}

export function onLangChange(cb: () => void): void { listeners.push(cb) }

/** Fills every `data-i18n` element (text) and `data-i18n-aria` element (aria-label) of the page. */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset['i18n'] as Key
    if (key in en) el.textContent = key === 'hashing' ? t(key, { pct: 0 }) : t(key)
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset['i18nAria'] as Key))
}

/** A time both in the viewer's zone and in UTC (a court record names both), as YYYY-MM-DD hh:mm:ss.mmm. */
export function formatTime(ms: number): { local: string; utc: string; zone: string; clock: string } {
  const d = new Date(ms)
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    fractionalSecondDigits: 3, timeZoneName: 'short', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]))
  const clock = `${parts['hour']}:${parts['minute']}:${parts['second']}.${parts['fractionalSecond']}`
  const local = `${parts['year']}-${parts['month']}-${parts['day']} ${clock} ${parts['timeZoneName']}`
  return { local, utc: d.toISOString().replace('T', ' ').replace('Z', ' UTC'), zone, clock }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024, i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]} (${n.toLocaleString()} B)`
}
