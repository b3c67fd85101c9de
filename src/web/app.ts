// The page's entry: hash routes (#/verify, #/dashboard, #/explorer, #/block/12, #/tx/<hash>,
// #/evidence/<id>, #/case/<no>), the language switch, and the status line in the header.
import { onStatus, setDashboardVisible, startPolling } from './dashboard.js'
import { byId } from './dom.js'
import { initExplorer, showExplorer, type ExplorerRoute } from './explorer.js'
import { applyStatic, currentLang, setLang, t } from './i18n.js'
import { initVerifier } from './verifier.js'

type View = 'verify' | 'dashboard' | 'explorer'

function parseRoute(hash: string): { view: View; explorer: ExplorerRoute | null } {
  const parts = hash.replace(/^#\/?/, '').split('/')
  const [head = '', ...rest] = parts
  const arg = rest.join('/')
  if ((head === 'block' || head === 'tx' || head === 'evidence' || head === 'case') && arg) {
    let decoded = arg
    try { decoded = decodeURIComponent(arg) } catch { /* keep as is */ }
    return { view: 'explorer', explorer: { kind: head, arg: decoded } }
  }
  if (head === 'dashboard' || head === 'explorer') return { view: head, explorer: null }
  return { view: 'verify', explorer: null }
}

let lastView: View | null = null
function route(): void {
  const { view, explorer } = parseRoute(location.hash)
  for (const el of document.querySelectorAll<HTMLElement>('[data-view]')) el.hidden = el.dataset['view'] !== view
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (a.dataset['nav'] === view) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  setDashboardVisible(view === 'dashboard')
  if (view === 'explorer') void showExplorer(explorer)
  // Move focus to the new view's heading so keyboard and screen-reader users land on it.
  if (lastView !== null && view !== lastView) {
    const heading = document.querySelector<HTMLElement>(`[data-view="${view}"] h1`)
    heading?.setAttribute('tabindex', '-1')
    heading?.focus()
  }
  lastView = view
}

function syncLangButton(): void {
  const b = byId<HTMLButtonElement>('lang')
  const other = currentLang() === 'zh' ? 'en' : 'zh'
  b.textContent = other === 'zh' ? '中文' : 'English'
  b.lang = other === 'zh' ? 'zh-CN' : 'en'
  b.setAttribute('aria-label', other === 'zh' ? '切换到中文' : 'Switch to English')
  document.title = `courtchain — ${t('navVerify')}`
}

function main(): void {
  applyStatic()
  syncLangButton()
  byId('lang').addEventListener('click', () => { setLang(currentLang() === 'zh' ? 'en' : 'zh'); syncLangButton(); route() })
  initVerifier()
  initExplorer((hash) => { if (location.hash === hash) route(); else location.hash = hash })
  onStatus((s) => {
    byId('chain-id').textContent = `${s.chainId} · #${s.height}`
    byId('node-self').textContent = t('nodeSelf', { id: s.self })
  })
  addEventListener('hashchange', route)
  route()
  startPolling()
  document.body.dataset['ready'] = 'true'
}

main()
