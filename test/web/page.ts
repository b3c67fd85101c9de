// The verifier page in a real browser, shared by browser.test.ts (an in-process server over a
// test chain) and devnet.test.ts (a devnet of real node processes): playwright-core driving
// Debian's chromium, with every request, page error and CSP violation recorded.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'uvu'
import { repoPath } from '../helpers.js'

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
export const ARTIFACTS = repoPath('test', 'artifacts')
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export async function loadPlaywright(): Promise<any | null> {
  // PLAYWRIGHT_CORE lets a checkout without the package point at one installed elsewhere.
  for (const spec of [process.env['PLAYWRIGHT_CORE'], 'playwright-core'].filter(Boolean) as string[]) {
    try { return await import(spec) } catch { /* next */ }
  }
  return null
}

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(pw: unknown): string | null {
  return !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !pw ? 'playwright-core is not installed (npm i -D playwright-core)' : null
}

/**
 * Stands in for a browser suite that cannot run: skipped on a developer's machine, but a failure
 * in CI (CI=true), where a missing chromium must not pass unnoticed as a green run.
 */
export function browserUnavailable(test: Test, name: string, reason: string): void {
  if (process.env['CI'] === 'true' || process.env['CI'] === '1') {
    test(name, () => { throw new Error(`CI: the browser test cannot run: ${reason}`) })
  } else {
    console.log(`${name}: skipped, ${reason}`)
    test.skip(name, () => {})
  }
}

export interface PageSession {
  browser: any
  page: any
  /** Every URL the page requested, in order. */
  requests: string[]
  pageErrors: string[]
  cspViolations: string[]
  /** A full-page screenshot into test/artifacts/<name>.png. */
  shot(name: string): Promise<void>
  /** Writes `content` to a temporary file called `name` and picks it in the file input `selector`. */
  chooseFile(selector: string, name: string, content: Uint8Array | string): Promise<void>
  setMode(mode: 'online' | 'offline'): Promise<void>
  verdictText(): Promise<string>
  /** Requests that left `base`'s origin (blob: and data: stay in the page). */
  foreignRequests(): string[]
}

export function launchBrowser(pw: any): Promise<any> {
  return pw.chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

/** Opens `base + '/'` in `browser` (launched here when not given) and waits until the page says it is ready. */
export async function openVerifierPage(pw: any, base: string, tmpDir: string, browser?: any): Promise<PageSession> {
  mkdirSync(ARTIFACTS, { recursive: true })
  browser ??= await launchBrowser(pw)
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const requests: string[] = [], pageErrors: string[] = [], cspViolations: string[] = []
  page.on('request', (r: any) => requests.push(r.url()))
  page.on('pageerror', (e: Error) => pageErrors.push(e.message))
  page.on('console', (m: any) => { if (m.type() === 'error' && /Content Security Policy|import map/i.test(m.text())) cspViolations.push(m.text()) })
  await page.goto(base + '/')
  await page.waitForSelector('body[data-ready="true"]')
  const origin = new URL(base).origin
  return {
    browser, page, requests, pageErrors, cspViolations,
    async shot(name) { await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }) },
    async chooseFile(selector, name, content) {
      const path = join(tmpDir, name)
      writeFileSync(path, content)
      await page.setInputFiles(selector, path)
    },
    async setMode(mode) { await page.check(`input[name=mode][value=${mode}]`) },
    verdictText: () => page.locator('#verdict').innerText(),
    foreignRequests: () => requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== origin),
  }
}
