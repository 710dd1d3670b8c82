// Browser scenarios 1, 2 and 4 of issue 12 (the counter), against a demo server at ONEWINDOW_URL:
//  1. clerk1 sees an online application in the inbox, opens it, previews a material and issues
//     a notice with the checklist; the applicant supplements through the API; clerk1 accepts;
//     reviewer-fgj, -zjj and -zrzyj each agree in their own browser context; the decision and
//     the delivery are done in the browser; the case shows 已办结 with its timeline.
//  2. a walk-in case through the intake form, accepted, with the printed receipt page.
//  4. a reviewer of another department neither sees the task nor may open it; the API agrees.
// It prints "WALKIN <case id>" for the supervision scenario that follows.
import { BASE, call, complete, context, eventually, fail, launch, log, must, openTask, pick, PDF, PNG, run, shot, signIn, token, upload } from './lib.mjs'

const ITEM = '450981-FGJ-XK-001' // 企业投资项目核准: 发改局 leads, 住建局 and 自然资源局 countersign

/** marked fails unless the diagram on page shows element with the marker of state (done,
 * current, countersign). */
async function marked(page, element, state) {
  const el = page.locator(`[data-test=case-diagram] g.djs-element[data-element-id="${element}"]`)
  if (!(await el.count()) || !(await el.first().getAttribute('class')).includes('ow-' + state)) fail(`the diagram does not show ${element} as ${state}`)
  log('the diagram shows', element, 'as', state)
}

async function scenario1(browser, item) {
  log('— scenario 1: an online application through notice, supplement, countersign and delivery')
  const applicant = await token('applicant1')
  const m01 = await upload(applicant, 'M01-申请书扫描件.png', 'image/png', PNG)
  const m02 = await upload(applicant, 'M02-项目申请报告.pdf', 'application/pdf', PDF)
  const m03 = await upload(applicant, 'M03-用地预审意见.pdf', 'application/pdf', PDF)
  const k = await must(applicant, 'POST', '/cases', {
    itemId: item.itemId, channel: 'online', form: { projectName: '北流市农产品冷链加工项目' },
    materials: [{ code: 'M01', fileIds: [m01] }, { code: 'M02', fileIds: [m02] }, { code: 'M03', fileIds: [m03] }],
  })
  log('applicant1 applied online:', k.number)

  const clerk = await signIn(await context(browser), 'clerk1')
  await eventually('the application in the inbox', async () => {
    await page1Reload(clerk)
    return (await clerk.locator('[data-test=inbox-table] a', { hasText: k.number }).count()) > 0
  })
  await clerk.waitForSelector('[data-test=inbox-table] [data-due]')
  await shot(clerk, 'inbox')
  await openTask(clerk, k.number)
  await clerk.waitForSelector('[data-test=case-diagram] [data-rendered]')
  await marked(clerk, 'acceptance', 'current')
  await shot(clerk, 'task')

  // preview a material, in the page
  await clerk.click('.el-tabs__item:has-text("申请材料")')
  await clerk.locator('[data-test=preview-file]', { hasText: 'M01' }).click()
  await clerk.waitForSelector('[data-test=preview] img')
  await shot(clerk, 'material-preview')
  await clerk.keyboard.press('Escape')
  await clerk.locator('[data-test=preview]').waitFor({ state: 'hidden' })
  await clerk.locator('[data-test=preview-file]', { hasText: 'M02' }).click()
  await clerk.waitForSelector('[data-test=preview] iframe')
  await clerk.keyboard.press('Escape')
  await clerk.locator('[data-test=preview]').waitFor({ state: 'hidden' })
  log('previewed an image and a PDF in the page')

  // the notice: the missing business licence is ticked already
  await clerk.click('[data-test=outcome-notify]')
  if (!(await clerk.locator('[data-test=notice-YYZZ] input').isChecked())) fail('the missing YYZZ is not ticked in the checklist')
  if (await clerk.locator('[data-test=notice-M01] input').isChecked()) fail('M01, handed in, is ticked')
  await clerk.click('[data-test=confirm]')
  await clerk.waitForSelector('[data-test=finished]')
  await clerk.click('[data-test=print-notice]')
  await clerk.waitForSelector('[data-test=notice-letter]')
  const letter = await clerk.locator('[data-test=notice-letter]').innerText()
  if (!letter.includes('营业执照')) fail('the notice letter does not name 营业执照:\n' + letter)
  await shot(clerk, 'notice')
  log('clerk1 issued the notice')

  // the applicant supplements through the API
  await eventually('the case to wait for the supplement', async () => (await must(applicant, 'GET', '/cases/' + k.id)).stage === 'awaitingSupplement')
  const yyzz = await upload(applicant, '营业执照.pdf', 'application/pdf', PDF)
  const m01b = await upload(applicant, 'M01-申请书（签字版）.png', 'image/png', PNG)
  await must(applicant, 'POST', `/cases/${k.id}/supplement`, { note: '已补齐', materials: [{ code: 'YYZZ', fileIds: [yyzz] }, { code: 'M01', fileIds: [m01b] }] })
  log('applicant1 supplemented')

  // the task comes back with both versions of M01; clerk1 accepts
  await openTask(clerk, k.number)
  await clerk.click('.el-tabs__item:has-text("申请材料")')
  const versions = await clerk.locator('[data-test=materials] .material', { hasText: 'M01' }).innerText()
  if (!versions.includes('v1') || !versions.includes('v2')) fail('the materials do not show both versions of M01:\n' + versions)
  log('both versions of M01 are listed')
  await complete(clerk, 'accept')

  // three departments countersign, each in their own browser
  for (const r of ['reviewer-fgj', 'reviewer-zjj', 'reviewer-zrzyj']) {
    const p = await signIn(await context(browser), r)
    await openTask(p, k.number)
    if (r === 'reviewer-zjj') {
      await p.waitForSelector('[data-test=case-diagram] [data-rendered]')
      await marked(p, 'acceptance', 'done')
      await marked(p, 'countersign', 'countersign')
      const signed = await p.locator('[data-test=case-diagram] .ow-label').allInnerTexts()
      if (!signed.some((x) => x.includes('1/3'))) fail('the countersign is not labelled 1/3 signed: ' + signed.join(', '))
      await shot(p, 'countersign')
    }
    await complete(p, 'agree')
    await p.context().close()
  }
  // 发改局 decides, clerk1 delivers
  const fgj = await signIn(await context(browser), 'reviewer-fgj')
  await openTask(fgj, k.number)
  await complete(fgj, 'approve')
  await fgj.context().close()
  await openTask(clerk, k.number)
  await complete(clerk, 'none')

  // the case shows 已办结 with its timeline
  await eventually('the case to finish', async () => (await must(applicant, 'GET', '/cases/' + k.id)).stage === 'finished')
  await clerk.goto(BASE + '/counter/done')
  await clerk.locator('[data-test=done-table] a', { hasText: k.number }).first().click()
  await clerk.waitForSelector('[data-test=case-stage]')
  const stage = await clerk.locator('[data-test=case-stage]').innerText()
  if (!stage.includes('已办结')) fail('the finished case shows ' + stage)
  const tl = await clerk.locator('[data-test=timeline]').innerText()
  for (const want of ['一次性告知书', '补正', '受理', '已办结']) if (!tl.includes(want)) fail(`the timeline lacks ${want}:\n${tl}`)
  await clerk.waitForSelector('[data-test=case-diagram] [data-rendered]')
  await shot(clerk, 'case-finished')
  log('case', k.number, 'is 已办结')
  return clerk
}

async function page1Reload(page) {
  if (!page.url().endsWith('/counter/inbox')) await page.goto(BASE + '/counter/inbox')
  else await page.click('text=刷新')
  await page.waitForTimeout(300)
}

async function scenario2(clerk) {
  log('— scenario 2: a walk-in case through the intake form, with the printed receipt')
  await clerk.goto(BASE + '/counter/intake')
  await pick(clerk, '[data-test=intake-item]', '企业投资项目核准')
  await clerk.fill('input[name=applicantName]', '北流市宏达农业有限公司')
  await clerk.click('text=法人')
  await clerk.fill('input[name=certNo]', '91450981MA5K00000Y')
  await clerk.fill('input[name=phone]', '13900000002')
  await clerk.fill('input[data-test=field-projectName]', '宏达农业烘干仓储项目')
  for (const code of ['M01', 'M02', 'M03', 'YYZZ']) {
    await clerk.setInputFiles(`[data-test=upload-${code}]`, { name: `${code}.png`, mimeType: 'image/png', buffer: Buffer.from(PNG) })
    await clerk.locator(`[data-test=mat-${code}] .file`).first().waitFor()
  }
  await shot(clerk, 'intake')
  await clerk.click('[data-test=intake-submit]')
  const err = clerk.locator('[data-test=intake-error]')
  await Promise.race([clerk.waitForURL(/\/counter\/tasks\//), err.waitFor()])
  if (await err.count()) fail('the intake was refused: ' + (await err.innerText()))
  await clerk.waitForSelector('[data-test=task-actions]')
  const number = (await clerk.locator('[data-test=case-info]').innerText()).match(/\d{8}-450981-FGJ-XK-001-\d{4}/)?.[0]
  if (!number) fail('no case number on the task page')
  await complete(clerk, 'accept')
  await clerk.click('[data-test=print-receipt]')
  await clerk.waitForSelector('[data-test=receipt]')
  const receipt = await clerk.locator('[data-test=receipt]').innerText()
  for (const want of ['受理通知书', number, '北流市宏达农业有限公司', '企业投资项目核准']) if (!receipt.includes(want)) fail(`the receipt lacks ${want}:\n${receipt}`)
  await clerk.emulateMedia({ media: 'print' })
  await shot(clerk, 'receipt')
  await clerk.emulateMedia({ media: 'screen' })
  const caseId = decodeURIComponent(new URL(clerk.url()).pathname.split('/')[3])
  log('walk-in case', number, 'accepted, receipt printed')
  return { caseId, number }
}

async function scenario4(browser, walkin) {
  log('— scenario 4: another department neither sees nor opens the task')
  const mzjTok = await token('reviewer-mzj')
  const clerkTok = await token('reviewer-zjj')
  const tasks = await must(clerkTok, 'GET', '/tasks?limit=200')
  const task = tasks.items.find((x) => x.caseId === walkin.caseId)
  if (!task) fail('住建局 has no task of the walk-in case')
  const api = await call(mzjTok, 'GET', '/tasks/' + encodeURIComponent(task.id))
  if (api.status !== 403) fail(`the API lets 民政局 read 住建局's task: ${api.status}`)
  const mzj = await signIn(await context(browser), 'reviewer-mzj')
  await mzj.waitForSelector('[data-test=inbox-table]')
  await mzj.waitForTimeout(500)
  if (await mzj.locator('[data-test=inbox-table] a', { hasText: walkin.number }).count()) fail('民政局 sees the task in its inbox')
  await mzj.goto(BASE + '/counter/tasks/' + encodeURIComponent(task.id))
  const alert = mzj.locator('.el-alert--error')
  await alert.waitFor()
  const text = await alert.innerText()
  if (!text.includes(api.body.error.message)) fail(`the screen says ${text}, the API ${api.body.error.message}`)
  if (await mzj.locator('[data-test=task-actions]').count()) fail('民政局 gets the actions of 住建局\'s task')
  await shot(mzj, 'wrong-department')
  log('民政局 is refused on the screen and by the API alike:', api.body.error.code)
  await mzj.context().close()
}

async function badInput(clerk) {
  log('— bad input: a refused file type, an expired session')
  await clerk.goto(BASE + '/counter/intake')
  await clerk.locator('[data-test=intake-item]').waitFor()
  await pick(clerk, '[data-test=intake-item]', '企业投资项目核准')
  await clerk.setInputFiles('[data-test=upload-M01]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a scan') })
  const err = clerk.locator('[data-test=mat-M01] .err')
  await err.waitFor()
  const text = await err.innerText()
  if (!/PDF|JPEG|PNG/.test(text)) fail('a refused type shows ' + text)
  log('refused type shown in place:', text)
  // a token the server no longer accepts: to the login page, then back to the same page
  await clerk.goto(BASE + '/counter/done')
  await clerk.evaluate(() => localStorage.setItem('onewindow.token', 'expired.token.value'))
  await clerk.reload()
  await clerk.waitForURL(/\/login\?redirect=/)
  await clerk.fill('input[name=username]', 'clerk1')
  await clerk.fill('input[name=password]', (await import('./lib.mjs')).PASSWORD)
  await clerk.keyboard.press('Enter')
  await clerk.waitForURL(/\/counter\/done$/)
  await clerk.locator('[data-test=done-table]').waitFor()
  log('expired session: signed in again, back on', new URL(clerk.url()).pathname)
}

run(async () => {
  const browser = await launch()
  try {
    const items = await (await fetch(BASE + '/api/v1/public/items?q=' + ITEM)).json()
    const item = items.items[0] || fail('no item ' + ITEM)
    const clerk = await scenario1(browser, item)
    const walkin = await scenario2(clerk)
    await scenario4(browser, walkin)
    await badInput(clerk)
    console.log('WALKIN ' + walkin.caseId)
  } finally {
    await browser.close()
  }
})
