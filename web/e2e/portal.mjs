// Issue 16, browser scenarios 3 and 4 on a phone-sized screen: a member of the public finds the
// item (ONEWINDOW_ITEM_NAME, the one scenario 1 published), reads its guide and flowchart,
// registers, applies with two uploads (a refused type told before any upload; the connection
// lost in the middle and the application resumed with its uploaded file), gets the number and
// query code, looks the progress up without signing in; after the departments finish the case
// through the API, rates it; result publicity shows the case with the name masked (张*三) and the
// statistics count it. Accessibility basics on every portal page visited: each form control and
// image has an accessible name, each text meets WCAG AA contrast, the keyboard focus shows; the
// catalogue's theme and level filters narrow the list.
import { BASE, PDF, PNG, call, eventually, fail, launch, log, must, pick, mustBeLabelled, mustBeReadable, mustShowFocus, run, shot, token } from './lib.mjs'

const itemName = process.env.ONEWINDOW_ITEM_NAME || fail('ONEWINDOW_ITEM_NAME names the item to apply for')
const stamp = Date.now().toString(36)

/** idCard makes a valid GB 11643 number (check character computed). */
function idCard() {
  const body = '450981' + '19900101' + String(100 + Math.floor(Math.random() * 899))
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

async function phone(browser) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  ctx.setDefaultTimeout(20000)
  return ctx
}

/** finish completes every open task of the case through the API, as the departments would. */
async function finish(caseId) {
  const outcomes = { acceptance: 'accept', review: 'agree', approval: 'approve' }
  const users = ['reviewer-fgj', 'reviewer-zjj', 'reviewer-zrzyj', 'clerk1']
  const toks = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await token(u)])))
  for (let round = 0; round < 30; round++) {
    const k = await must(toks['reviewer-fgj'], 'GET', '/cases/' + caseId)
    if (k.stage === 'finished') return
    let done = false
    for (const u of users) {
      const list = await must(toks[u], 'GET', '/tasks?limit=200')
      const task = list.items.find((x) => x.caseId === caseId && x.state !== 'closed')
      if (!task) continue
      await call(toks[u], 'POST', `/tasks/${encodeURIComponent(task.id)}/claim`, {})
      const outcome = task.stepKind === 'review' && task.elementId === 'countersign' ? 'agree' : outcomes[task.stepKind]
      const r = await call(toks[u], 'POST', `/tasks/${encodeURIComponent(task.id)}/complete`, outcome ? { outcome } : {})
      if (r.status < 300) {
        log(u, 'completed', task.elementId, outcome || '')
        done = true
        break
      }
    }
    if (!done) await new Promise((r) => setTimeout(r, 300))
  }
  fail('the case did not finish')
}

/** accessible runs the accessibility checks on the page as it is now. */
async function accessible(page, what) {
  await mustBeLabelled(page, what)
  await mustBeReadable(page, what)
}

run(async () => {
  const browser = await (await import('./lib.mjs')).launch()
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  page.on('pageerror', (e) => log('page error:', e.message))

  // Search by theme and level: 户籍 at county level is the two items of the public security bureau.
  await page.goto(BASE + '/portal')
  await page.locator('[data-test=catalogue-item]').first().waitFor()
  await pick(page, '[data-test=catalogue-theme]', '户籍')
  await pick(page, '[data-test=catalogue-level]', '区县级')
  await eventually('the catalogue to show the household items only', async () => {
    const names = await page.locator('[data-test=catalogue-item] h2').allTextContents()
    return names.length === 2 && names.every((n) => n.includes('户口'))
  })
  log('theme and level narrow the catalogue')

  // Find the item and read its guide with the flowchart.
  await page.goto(BASE + '/portal')
  await page.fill('[data-test=catalogue-search]', itemName)
  await page.locator('[data-test=catalogue-item]', { hasText: itemName }).first().waitFor()
  await shot(page, 'portal-catalogue')
  await accessible(page, 'catalogue')
  await mustShowFocus(page, 'catalogue')
  await page.locator('[data-test=catalogue-item] h2 a', { hasText: itemName }).first().click()
  await page.waitForSelector('[data-test=flowchart] .djs-element[data-element-id=countersign]')
  await page.waitForSelector('[data-test=guide-steps] .el-table__row')
  if (!(await page.locator('[data-test=guide-steps]').textContent()).includes('工作日')) fail('the guide shows no step limits')
  await shot(page, 'portal-guide')
  await accessible(page, 'guide')
  log('guide and flowchart read')

  // Apply: sign in first, by registering.
  await page.click('[data-test=guide-apply]')
  await page.waitForURL(/\/portal\/account/)
  await accessible(page, 'sign-in')
  await page.click('.el-tabs__item:has-text("注册")')
  await page.waitForSelector('[data-test=reg-username]')
  await accessible(page, 'registration')
  const user = 'zxs' + stamp
  await page.fill('[data-test=reg-username]', user)
  await page.fill('[data-test=reg-password]', 'a-long-password')
  await page.fill('[data-test=reg-realname]', '张小三')
  await page.fill('[data-test=reg-idcard]', idCard())
  await page.fill('[data-test=reg-phone]', '138' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0'))
  await page.click('[data-test=reg-submit]')
  await page.waitForURL(/\/apply$/)
  await page.waitForSelector('[data-test=apply-material]')
  log('registered as', user)

  // A refused type is told before any upload starts.
  const inputs = page.locator('[data-test=apply-material] input[type=file]')
  await inputs.nth(0).setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') })
  await page.locator('[data-test=apply-error]', { hasText: 'setup.exe' }).waitFor()
  log('a refused type is told before the upload')

  // The first upload, then the connection drops: submitting keeps everything; a reload resumes.
  await inputs.nth(0).setInputFiles({ name: '申请书.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) })
  await page.locator('[data-test=apply-material]').nth(0).locator('.files li').waitFor()
  await ctx.setOffline(true)
  await page.click('[data-test=apply-submit]')
  await page.locator('[data-test=apply-error]', { hasText: '网络' }).waitFor()
  await ctx.setOffline(false)
  await page.reload()
  await page.waitForSelector('[data-test=apply-resumed]')
  if ((await page.locator('[data-test=apply-material]').nth(0).locator('.files li').count()) !== 1) fail('the uploaded file was not kept')
  log('connection lost and the application resumed with its upload')

  await page.locator('[data-test=apply-material] input[type=file]').nth(1).setInputFiles({ name: '营业执照.png', mimeType: 'image/png', buffer: PNG })
  await page.locator('[data-test=apply-material]').nth(1).locator('.files li').waitFor()
  await shot(page, 'portal-application-form')
  await accessible(page, 'application')
  await page.click('[data-test=apply-submit]')
  const number = (await page.locator('[data-test=apply-number]').textContent()).trim()
  const code = (await page.locator('[data-test=apply-code]').textContent()).trim()
  await shot(page, 'portal-application')
  log('applied:', number, code)
  const caseHref = await page.locator('a[href^="/portal/mine/"]').getAttribute('href')
  const caseId = caseHref.split('/').pop()

  // Progress without signing in.
  const anon = await (await phone(browser)).newPage()
  await anon.goto(BASE + '/portal/progress')
  await anon.fill('[data-test=progress-number]', number)
  await anon.fill('[data-test=progress-code]', code)
  await anon.click('[data-test=progress-lookup]')
  await anon.waitForSelector('[data-test=progress-result]')
  if ((await anon.locator('[data-test=progress-result]').textContent()).includes('张小三')) fail('the public progress names the applicant')
  await shot(anon, 'portal-progress')
  await accessible(anon, 'progress')
  log('progress looked up without an account')

  // The departments finish the case (API); the applicant rates it.
  await finish(caseId)
  await page.goto(BASE + '/portal/mine/' + caseId)
  await page.locator('[data-test=case-stage]', { hasText: '办结' }).waitFor()
  await page.click('[data-test=rate-very_satisfied]')
  await page.click('[data-test=rate-submit]')
  await page.locator('[data-test=case-rating]', { hasText: '已评价' }).waitFor()
  await accessible(page, 'my case')
  log('rated')

  // Scenario 4: result publicity and statistics.
  await anon.goto(BASE + '/portal/results')
  const row = anon.locator('[data-test=results-table] .el-table__row', { hasText: number })
  await row.waitFor()
  const text = await row.textContent()
  if (!text.includes('张*三') || text.includes('张小三')) fail('the result row does not mask the name: ' + text)
  await shot(anon, 'portal-results')
  await accessible(anon, 'result publicity')
  await anon.goto(BASE + '/portal/statistics')
  await anon.click('.el-radio-button:has-text("按事项")')
  const stat = anon.locator('[data-test=stats-table] .el-table__row', { hasText: itemName })
  await eventually('the statistics to count the case', async () => {
    const cells = await stat.locator('td').allTextContents()
    return Number(cells[1]) >= 1 && Number(cells[2]) >= 1
  })
  await anon.waitForSelector('[data-test=stats-chart] canvas')
  await accessible(anon, 'statistics') // first: it waits for the radio buttons' transition
  await shot(anon, 'portal-statistics')
  for (const path of ['/portal/complaint', '/portal/disclosure']) {
    await anon.goto(BASE + path)
    await anon.waitForSelector('main form')
    await accessible(anon, path)
  }
  log('result publicity and statistics show the case')
  await browser.close()
})
