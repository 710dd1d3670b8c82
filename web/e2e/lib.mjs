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
  let logins = 0
  const count = (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/auth/login') && logins++
  page.on('request', count)
  await page.goto(BASE + path)
  await page.waitForURL(/\/login/)
  await page.fill('input[name=username]', user)
  await page.fill('input[name=password]', PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.waitForSelector('[data-test=who]')
  page.off('request', count)
  // Enter once is one sign-in: a second one (a keyup handler beside the form's submit) sent the
  // user home from the page they had come back to, asking about unsaved changes on the way.
  if (logins !== 1) fail(`${user}: Enter on the login page signed in ${logins} times`)
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

/** openTask opens the inbox row of case number in page and waits for the task page. */
export async function openTask(page, number) {
  await page.goto(BASE + '/counter/inbox')
  await eventually(`${number} in the inbox`, async () => {
    if (await page.locator('[data-test=inbox-table] a', { hasText: number }).count()) return true
    await page.click('text=刷新')
    return false
  })
  await page.locator('[data-test=inbox-table] a', { hasText: number }).first().click()
  await page.waitForSelector('[data-test=task-actions]')
}

/** complete chooses outcome on the open task page and confirms it (two clicks). */
export async function complete(page, outcome, reason) {
  await page.click(`[data-test=outcome-${outcome}]`)
  if (reason) await page.fill('textarea[data-test=reason]', reason)
  await page.click('[data-test=confirm]')
  const done = page.locator('[data-test=finished]')
  const err = page.locator('[data-test=action-error]')
  await Promise.race([done.waitFor(), err.waitFor()])
  if (await err.count()) fail(`${outcome}: ${await err.innerText()}`)
  log('completed with', outcome)
}

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

/**
 * unlabelled lists the form controls of the page without an accessible name (aria-label,
 * aria-labelledby, a label for it or around it, title) and the images without alt text, each
 * as a short piece of its HTML. Placeholders do not count: they go when the reader types.
 */
export async function unlabelled(page) {
  return page.evaluate(() => {
    const out = []
    const named = (el) => {
      if ((el.getAttribute('aria-label') || '').trim()) return true
      const by = el.getAttribute('aria-labelledby')
      if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true
      if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true
      if ((el.getAttribute('title') || '').trim()) return true
      return false
    }
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.closest('[aria-hidden=true]')) continue
      if (!named(el)) out.push(el.outerHTML.slice(0, 160))
    }
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) out.push(img.outerHTML.slice(0, 160))
    return out
  })
}

/** mustBeLabelled fails when a form control or image of the page has no accessible name. */
export async function mustBeLabelled(page, what) {
  const bad = await unlabelled(page)
  if (bad.length) fail(`${what}: ${bad.length} form controls or images without an accessible name:\n  ` + bad.join('\n  '))
  log(what, 'every form control and image has an accessible name')
}

/**
 * lowContrast lists the visible texts of the page whose colour on their background is below
 * WCAG AA (4.5:1, large text 3:1), with the ratio. The background is the first opaque one
 * found up the tree (text over images or gradients is not judged).
 */
export async function lowContrast(page) {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number)
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor)
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3)
        if (getComputedStyle(e).backgroundImage !== 'none') return null
      }
      return [255, 255, 255]
    }
    const out = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    const seen = new Set()
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!el || seen.has(el) || !n.textContent.trim()) continue
      seen.add(el)
      const st = getComputedStyle(el)
      const box = el.getBoundingClientRect()
      if (st.visibility === 'hidden' || st.display === 'none' || box.width === 0 || box.height === 0 || Number(st.opacity) < 1) continue
      if (el.closest('[aria-hidden=true], svg, .djs-container, canvas')) continue
      // WCAG 1.4.3 does not judge inactive controls (a disabled button)
      if (el.closest('[disabled], .is-disabled, [aria-disabled=true]')) continue
      const bg = background(el)
      if (!bg) continue
      const fg = rgb(st.color)
      if (fg.length === 4 && fg[3] < 1) fg.splice(0, 3, ...fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3])))
      const [a, b] = [lum(fg.slice(0, 3)), lum(bg)]
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
      const size = parseFloat(st.fontSize)
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700)
      if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)}:1 ${st.color} on rgb(${bg.join(',')}) "${n.textContent.trim().slice(0, 30)}" <${el.tagName.toLowerCase()} class="${el.className}">`)
    }
    return out
  })
}

/** mustBeReadable fails when a text of the page is below WCAG AA contrast. */
export async function mustBeReadable(page, what) {
  // Colours in a transition (a radio button just picked) are neither the old nor the new ones:
  // wait for the finite animations to end first.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || !isFinite(a.effect?.getComputedTiming().endTime ?? Infinity)), null, { timeout: 5000 })
    .catch(() => {})
  const bad = await lowContrast(page)
  if (bad.length) fail(`${what}: ${bad.length} texts below WCAG AA contrast:\n  ` + bad.join('\n  '))
  log(what, 'every text meets WCAG AA contrast')
}

/** mustShowFocus tabs through the first n stops of the page and fails when the keyboard focus
 * lands on an element that shows no outline (or box shadow) of its own. */
export async function mustShowFocus(page, what, n = 8) {
  await page.locator('body').focus()
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab')
    const f = await page.evaluate(() => {
      const el = document.activeElement
      if (!el || el === document.body) return null
      const st = getComputedStyle(el)
      const ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none'
      return { ring, html: el.outerHTML.slice(0, 120) }
    })
    if (f && !f.ring) fail(`${what}: the keyboard focus on ${f.html} is not visible`)
  }
  log(what, `the keyboard focus shows on the first ${n} stops`)
}
