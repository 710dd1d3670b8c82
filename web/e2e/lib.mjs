// Shared helpers of the browser tests (run by tests/browser_test.go): the browser, signing in,
// the REST API for the parts played by other systems (the applicant's online application),
// Element Plus widgets, and screenshots into docs/screenshots/.
import { chromium } from 'playwright-core'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const BASE = process.env.ONEWINDOW_URL || 'http://127.0.0.1:8080'
export const PASSWORD = process.env.ONEWINDOW_DEMO_PASSWORD || 'onewindow-demo'
const SHOTS = process.env.ONEWINDOW_SCREENSHOTS || ''

/** log prints one step of a scenario (the Go test shows them on failure). */
export function log(...a) {
  console.log('·', ...a)
}

/** fail stops the scenario with a message. */
export function fail(msg) {
  throw new Error(msg)
}

/** launch starts Debian's chromium headless. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.ONEWINDOW_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
}

/** context opens a fresh browser context (a person at their own computer): 1366×768, Chinese. */
export async function context(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
  ctx.setDefaultTimeout(60000)
  ctx.setDefaultNavigationTimeout(60000)
  return ctx
}

/** signIn opens the login page in a new page of ctx and signs user in; it returns the page. */
export async function signIn(ctx, user, path = '/') {
  const page = await ctx.newPage()
  page.on('pageerror', (e) => log(`[${user}] page error:`, e.message))
  await page.goto(BASE + path)
  await page.waitForURL(/\/login/)
  await page.fill('input[name=username]', user)
  await page.fill('input[name=password]', PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.waitForSelector('[data-test=who]')
  log(user, 'signed in at', page.url())
  return page
}

/** shot writes a screenshot of the page into docs/screenshots/NAME.png (when asked for). */
export async function shot(page, name) {
  if (!SHOTS) return
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, name + '.png') })
  log('screenshot', name)
}

/**
 * pick chooses the option with text in the Element Plus select at selector. The option is looked
 * for in that select's own list (the combobox's aria-controls), not in any visible dropdown: a
 * dropdown closing after the previous pick is still visible for a moment and holds the same
 * names.
 */
export async function pick(page, selector, text) {
  await page.click(selector)
  const list = await page.locator(selector).first().evaluate((el) => {
    const box = el.matches('input[role=combobox]') ? el : el.querySelector('input[role=combobox]')
    return box ? box.getAttribute('aria-controls') : null
  })
  const scope = list ? `[id="${list}"]` : '.el-select-dropdown:visible'
  await page.locator(`${scope} .el-select-dropdown__item`, { hasText: text }).first().click()
}

/** eventually retries f (an async predicate) for up to ms. */
export async function eventually(what, f, ms = 60000) {
  const end = Date.now() + ms
  let last
  while (Date.now() < end) {
    try {
      if (await f()) return
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  fail(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`)
}

/** token signs user in through the API. */
export async function token(user) {
  const r = await fetch(BASE + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD }) })
  if (!r.ok) fail(`login ${user}: ${r.status} ${await r.text()}`)
  return (await r.json()).token
}

/** call sends a JSON request to the API and returns {status, body}. */
export async function call(tok, method, path, body) {
  const headers = { Authorization: 'Bearer ' + tok }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const r = await fetch(BASE + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

/** must is call that fails on an answer of 400 or more. */
export async function must(tok, method, path, body) {
  const r = await call(tok, method, path, body)
  if (r.status >= 400) fail(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

/** upload stores a file through the API and returns its id. */
export async function upload(tok, name, type, bytes) {
  const fd = new FormData()
  fd.append('file', new Blob([bytes], { type }), name)
  const r = await fetch(BASE + '/api/v1/files', { method: 'POST', headers: { Authorization: 'Bearer ' + tok }, body: fd })
  if (!r.ok) fail(`upload ${name}: ${r.status} ${await r.text()}`)
  return (await r.json()).id
}

/** PDF is a small valid PDF; PNG a scanned page (a 240×160 image), for materials. */
export const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
export const PNG = readFileSync(new URL('./sample.png', import.meta.url))

/** run runs a scenario script's main and exits non-zero on failure. */
export function run(main) {
  main().then(
    () => {
      log('ok')
      process.exit(0)
    },
    (e) => {
      console.error('FAILED:', e && e.stack ? e.stack : e)
      process.exit(1)
    },
  )
}
