// A tiny element builder and the node's API, the two things every view of the page uses.
// All requests go to this page's own origin (relative URLs): the page makes no other requests.

type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>

/** Creates an element; `on*` attributes become listeners, `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v)
    else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c)
  return el
}

const SVG_NS = 'http://www.w3.org/2000/svg'
export function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const el = document.createElementNS(SVG_NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  return el
}

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} missing from the page`)
  return el as T
}

/** A definition list from [term, value] rows; rows with an undefined value are skipped. */
export function dl(rows: [string, Child | Child[]][]): HTMLDListElement {
  return h('dl', { class: 'kv' }, ...rows.filter(([, v]) => v !== undefined && v !== null).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, ...(Array.isArray(v) ? v : [v]))]))
}

export const mono = (s: string): HTMLElement => h('code', { class: 'mono' }, s)
export const link = (href: string, text: string): HTMLAnchorElement => h('a', { href }, text)

/** An error from the node: its HTTP status and `{code, message}` body. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message) }
}

/** GETs `path` (relative to the page) as JSON; throws ApiError on a non-2xx answer. */
export async function getJson<T = unknown>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path.replace(/^\//, ''), { headers: { accept: 'application/json' }, cache: 'no-store', ...(signal ? { signal } : {}) })
  const text = await res.text()
  let body: unknown = null
  try { body = text ? JSON.parse(text) : null } catch { /* not JSON */ }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: string; message?: string }
    throw new ApiError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? text.slice(0, 200))
  }
  return body as T
}

/** Offers `data` as a file download (a blob URL: nothing is sent anywhere). */
export function download(name: string, data: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }))
  const a = h('a', { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const isHex64 = (s: string): boolean => /^[0-9a-f]{64}$/.test(s)
