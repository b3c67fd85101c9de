// The live dashboard: polls /v1/status and /v1/stats, keeps a few minutes of samples and draws
// commit rate and latency as small inline SVG charts, all computed here from what it polled.
import type { BlockHeader, NodeStatus } from '../chain/index.js'
import { byId, getJson, h, link, svg } from './dom.js'
import { formatTime, onLangChange, t, type Key } from './i18n.js'

/** GET /v1/status (src/chain/status.ts). */
export type StatusView = NodeStatus
interface Sample { at: number; height: number; headTime: number; logSize: number; latencyMs: number | null }
interface BlockRow { height: number; time: number; txCount: number; logSize: number }

export const POLL_MS = 1500
const WINDOW_MS = 5 * 60_000
const samples: Sample[] = []
const blocks = new Map<number, BlockRow>()
let status: StatusView | null = null
let stats: Record<string, unknown> | null = null
let statsFailed = false
let error: string | null = null
let visible = false
const statusListeners: ((s: StatusView) => void)[] = []

export const onStatus = (cb: (s: StatusView) => void): void => { statusListeners.push(cb) }
export function setDashboardVisible(v: boolean): void { visible = v; if (v) render() }

/** The first numeric field among `keys` (the stats shape is the node's; accept its likely names). */
function num(obj: Record<string, unknown> | null, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = obj?.[k]
    if (typeof v === 'number' && Number.isFinite(v)) return v
    if (v && typeof v === 'object') {
      const inner = v as Record<string, unknown>
      for (const ik of ['total', 'count', 'p50', 'mean', 'value']) if (typeof inner[ik] === 'number') return inner[ik] as number
    }
    if (Array.isArray(v)) return v.length
  }
  return null
}

async function poll(): Promise<void> {
  try {
    status = await getJson<StatusView>('v1/status')
    error = null
    if (visible) {
      try { stats = await getJson<Record<string, unknown>>('v1/stats'); statsFailed = false } catch { stats = null; statsFailed = true }
    }
    const latencyMs = num(stats, 'commitLatencyMs', 'latencyMs', 'commitLatency')
    samples.push({ at: Date.now(), height: status.height, headTime: status.headTime, logSize: status.logSize, latencyMs })
    while (samples.length > 2 && samples[0]!.at < Date.now() - WINDOW_MS) samples.shift()
    for (const l of statusListeners) l(status)
    if (visible) await refreshBlocks(status.height)
  } catch (e) {
    error = (e as Error).message
  }
  if (visible) render()
}

/** The last few blocks, fetched once each. */
async function refreshBlocks(height: number): Promise<void> {
  const want = Array.from({ length: Math.min(8, height) }, (_, i) => height - i)
  await Promise.all(want.filter((ht) => !blocks.has(ht)).map(async (ht) => {
    try {
      const b = await getJson<{ block: { header: BlockHeader } }>(`v1/blocks/${ht}`)
      const hd = b.block.header
      blocks.set(ht, { height: ht, time: hd.time, txCount: hd.txCount, logSize: hd.logSize })
    } catch { /* shown on the next poll */ }
  }))
  for (const k of blocks.keys()) if (k < height - 16) blocks.delete(k)
}

export function startPolling(): void {
  const loop = async (): Promise<void> => {
    if (!document.hidden) await poll()
    setTimeout(() => void loop(), POLL_MS)
  }
  void loop()
  onLangChange(() => { if (visible) render() })
}

/** Rate (blocks/s) and latency (ms) series from consecutive samples. */
function series(): { rate: number[]; latency: number[]; fromStats: boolean } {
  const rate: number[] = [], latency: number[] = []
  const fromStats = samples.some((s) => s.latencyMs !== null)
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!, b = samples[i]!
    const dt = (b.at - a.at) / 1000
    if (dt <= 0) continue
    const dh = b.height - a.height
    rate.push(dh / dt)
    if (fromStats) { if (b.latencyMs !== null) latency.push(b.latencyMs) } else if (dh > 0) latency.push((b.headTime - a.headTime) / dh)
  }
  return { rate, latency, fromStats }
}

function chart(values: number[], unit: string, label: string): HTMLElement {
  const W = 300, H = 80, pad = 4
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'spark', preserveAspectRatio: 'none', 'aria-hidden': 'true' })
  const max = Math.max(1e-9, ...values)
  const last = values.at(-1)
  const now = last === undefined ? '—' : `${fmt(last)} ${unit}`
  root.append(svg('line', { x1: 0, y1: H - pad, x2: W, y2: H - pad, class: 'axis' }))
  if (values.length > 1) {
    const pts = values.map((v, i) => `${(i / (values.length - 1)) * W},${H - pad - (v / max) * (H - 2 * pad)}`).join(' ')
    root.append(svg('polyline', { points: `0,${H - pad} ${pts} ${W},${H - pad}`, class: 'area' }))
    root.append(svg('polyline', { points: pts, class: 'line' }))
  }
  // The numbers are HTML (not SVG text), so they neither stretch with the chart nor hide from readers.
  return h('div', { role: 'img', 'aria-label': `${label}: ${now}, max ${fmt(max)} ${unit}` },
    h('p', { class: 'chart-now', 'aria-hidden': 'true' }, h('span', { class: 'muted' }, `max ${fmt(max)}`), h('strong', {}, now)),
    root)
}
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))

function tile(key: Key, value: string | number | null, id: string): HTMLElement {
  return h('div', { class: 'tile', 'data-tile': id }, h('span', { class: 'tile-label' }, t(key)), h('span', { class: 'tile-value' }, value === null ? '—' : String(value)))
}

function render(): void {
  const note = byId('dash-note')
  if (error) note.textContent = t('unreachable', { msg: error })
  else if (status) note.textContent = [t('updated', { time: new Date().toLocaleTimeString() }), statsFailed ? t('statsMissing') : '', status.syncing ? t('syncing') : ''].filter(Boolean).join(' · ')
  if (!status) return
  const s = status
  const count = (...keys: string[]): number | null => num(stats, ...keys)
  byId('tiles').replaceChildren(
    tile('tHeight', s.height, 'height'),
    tile('tEvidence', count('evidence', 'evidenceItems', 'items') ?? s.logSize, 'evidence'),
    tile('tUnits', count('units', 'unitCount', 'members'), 'units'),
    tile('tVerifications', count('verifications', 'crossChainVerifications', 'verified'), 'verifications'),
    tile('tCases', count('cases', 'caseCount'), 'cases'),
    tile('tChains', count('foreignChains', 'chains'), 'chains'),
    tile('tView', s.view, 'view'),
    tile('tPrimary', s.primary ?? '—', 'primary'),
    tile('tPeers', `${s.peers.filter((p) => p.connected).length}/${s.peers.length}`, 'peers'),
    tile('tRole', `${s.self} (${s.role})`, 'self'),
  )
  const { rate, latency, fromStats } = series()
  const minutes = Math.max(1, Math.round(WINDOW_MS / 60_000))
  byId('rate-caption').textContent = `${t('rateCaption')} · ${t('lastMinutes', { m: minutes })}`
  byId('lat-caption').textContent = `${t(fromStats ? 'latCaptionStats' : 'latCaption')} · ${t('lastMinutes', { m: minutes })}`
  byId('rate-chart').replaceChildren(chart(rate, 'blk/s', t('rateCaption')))
  byId('lat-chart').replaceChildren(chart(latency, 'ms', t(fromStats ? 'latCaptionStats' : 'latCaption')))
  byId('validators').replaceChildren(...s.validators.map((v) => h('li', { class: v.online ? 'on' : 'off', 'data-validator': v.id },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', {}, v.id), ' ',
    h('span', { class: 'state' }, v.online ? t('online') : t('offline')),
    v.id === s.primary ? h('span', { class: 'badge' }, t('primary')) : null)))
  const rows = [...blocks.values()].sort((a, b) => b.height - a.height).slice(0, 8)
  byId('blocks').querySelector('tbody')!.replaceChildren(...rows.map((b) => h('tr', {},
    h('td', {}, link(`#/block/${b.height}`, String(b.height))), h('td', { title: formatTime(b.time).local }, formatTime(b.time).clock), h('td', {}, b.txCount), h('td', {}, b.logSize))))
}
