// The rest of issue 12's counter, against a demo server at ONEWINDOW_URL (after counter.mjs):
//  - the inbox refreshes on its own when a task arrives, counts follow claim/unclaim, the
//    channel and state filters hide what they should;
//  - every action of the task page counter.mjs does not take: comment, delegate and give back,
//    hand over, 容缺受理, add and remove a signer, object, recall from the done list, return,
//    reject, refuse with reason;
//  - bad input: a 409 on a task someone else completed names who and reloads; the server
//    down shows the banner and keeps the half-typed reason; an upload over the limit shows the
//    server's message;
//  - English in the top bar; the counter's screens at 1366×768 without sideways scrolling,
//    every control named, the keyboard focus visible, an outcome taken by the keyboard alone.
import {
  BASE, PNG, complete, context, eventually, fail, launch, log, must, mustBeLabelled, mustBeReadable, mustShowFocus, openTask, pick, run, signIn, token, upload,
} from './lib.mjs'

const ITEM = '450981-FGJ-XK-001' // 企业投资项目核准: 发改局 leads, 住建局 and 自然资源局 countersign
const CLERK2 = '二号窗口 陈刚'

/** apply files an online application of applicant1 without the business licence (YYZZ). */
async function apply(item, project, withLicence = false) {
  const a = await token('applicant1')
  const materials = []
  for (const code of withLicence ? ['M01', 'M02', 'M03', 'YYZZ'] : ['M01', 'M02', 'M03']) {
    materials.push({ code, fileIds: [await upload(a, code + '.png', 'image/png', PNG)] })
  }
  const k = await must(a, 'POST', '/cases', { itemId: item.itemId, channel: 'online', form: { projectName: project }, materials })
  log('applicant1 applied online:', k.number, project)
  return k
}

/** taskOf waits for user's open task of case k (of stepKind) through the API and returns it. */
async function taskOf(tok, k, stepKind) {
  let found
  await eventually(`a ${stepKind} task of ${k.number}`, async () => {
    const l = await must(tok, 'GET', `/tasks?stepKind=${stepKind}&limit=200`)
    found = l.items.find((x) => x.caseId === k.id)
    return !!found
  })
  return found
}

/** count reads the number on an inbox count tag (all, unclaimed, claimed, ...). */
async function count(page, which) {
  const s = await page.locator(`[data-test=count-${which}]`).innerText()
  return Number(s.match(/(\d+)\s*$/)?.[1] ?? NaN)
}

/** fits fails when the page scrolls sideways at 1366 wide. */
async function fits(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth)
  if (w > 1366) fail(`${what} is ${w}px wide at 1366×768`)
  log(what, 'fits 1366×768 (', w, 'px wide )')
}

/** act opens one of the other actions' panels, picks from its select and confirms it. */
async function act(page, action, select, option, reason) {
  await page.click(`[data-test=more-${action}]`)
  if (select) await pick(page, `[data-test=panel-${action}] [data-test=${select}]`, option)
  if (reason) await page.locator(`[data-test=panel-${action}] input`).last().fill(reason)
  await page.click(`[data-test=confirm-${action}]`)
  await waitDone(page, action)
}

/** waitDone waits for the success of an action on the task page, or fails with its error. */
async function waitDone(page, what) {
  const done = page.locator('[data-test=finished]')
  const err = page.locator('[data-test=action-error]')
  await Promise.race([done.waitFor(), err.waitFor()])
  if (await err.count()) fail(`${what}: ${await err.innerText()}`)
  log(what, 'done')
}

async function inbox(browser, item) {
  log('— the inbox: auto-refresh, counts, claim/unclaim, filters')
  const clerk = await signIn(await context(browser), 'clerk1')
  await clerk.waitForSelector('[data-test=inbox-table]')
  const who = await clerk.locator('[data-test=who]').innerText()
  for (const want of ['一号窗口 王丽', '综合受理一号窗口', '窗口受理']) if (!who.includes(want)) fail(`the shell does not show ${want}: ${who}`)
  const menu = await clerk.locator('.shell-aside').innerText()
  if (!menu.includes('窗口收件') || menu.includes('监察预警') || menu.includes('流程设计')) fail('clerk1\'s menu is not the counter\'s:\n' + menu)
  log('the shell shows', who.replace(/\s+/g, ' '), 'and the counter\'s menu')
  await clerk.waitForLoadState('networkidle')
  await fits(clerk, 'the inbox')
  await mustBeLabelled(clerk, 'the inbox')
  await mustBeReadable(clerk, 'the inbox')
  await mustShowFocus(clerk, 'the inbox')
  const all0 = await count(clerk, 'all')
  const k = await apply(item, '冷链物流园二期')
  // nobody clicks: the inbox polls and says a task arrived
  await clerk.locator('.el-notification', { hasText: '新的待办' }).first().waitFor({ timeout: 45000 })
  const row = clerk.locator('[data-test=inbox-table] .el-table__row', { hasText: k.number })
  await row.waitFor()
  if ((await row.locator('[data-due]').getAttribute('data-due')) !== 'green') fail('a new task is not green')
  // the count of all is the rows of the table (all fit on one page here), one more than before
  let all1 = 0
  let shown = 0
  const rows = clerk.locator('[data-test=inbox-table] .el-table__body-wrapper .el-table__row')
  await eventually(`the count of all (${all0} before) to grow and match the table`, async () => {
    all1 = await count(clerk, 'all')
    shown = await rows.count()
    return all1 > all0 && all1 === shown
  }).catch((e) => fail(`${e.message}: all ${all1}, ${shown} rows`))
  log('the new task arrived by itself; all', all0, '→', all1)

  const claimed0 = await count(clerk, 'claimed')
  await row.getByRole('button', { name: '签收', exact: true }).click()
  await row.getByRole('button', { name: '退回签收' }).waitFor()
  await eventually('the claimed count to grow', async () => (await count(clerk, 'claimed')) === claimed0 + 1)
  await row.getByRole('button', { name: '退回签收' }).click()
  await row.getByRole('button', { name: '签收', exact: true }).waitFor()
  await eventually('the claimed count to go back', async () => (await count(clerk, 'claimed')) === claimed0)
  log('claimed and unclaimed from the inbox; claimed', claimed0, '→', claimed0 + 1, '→', claimed0)

  await pick(clerk, '[data-test=filter-channel]', '窗口')
  await row.waitFor({ state: 'detached' })
  await pick(clerk, '[data-test=filter-channel]', '网上')
  await row.waitFor()
  await clerk.click('[data-test=count-overdue]')
  await row.waitFor({ state: 'detached' })
  await clerk.click('[data-test=count-overdue]')
  await row.waitFor()
  await pick(clerk, '[data-test=filter-stage]', '审查')
  await row.waitFor({ state: 'detached' })
  await pick(clerk, '[data-test=filter-stage]', '受理')
  await row.waitFor()
  await pick(clerk, '[data-test=filter-item]', '企业投资项目备案')
  await row.waitFor({ state: 'detached' })
  await pick(clerk, '[data-test=filter-item]', '企业投资项目核准')
  await row.waitFor()
  log('the channel, state, step and item filters hide and show the online task')
  return { clerk, k }
}

async function race(browser, clerk, item) {
  log('— 409: someone else completed the task meanwhile')
  const k = await apply(item, '果蔬预冷库', true)
  await openTask(clerk, k.number)
  const t2 = await token('clerk2')
  const t = await taskOf(t2, k, 'acceptance')
  await must(t2, 'POST', `/tasks/${encodeURIComponent(t.id)}/complete`, { outcome: 'accept', comment: '材料齐全' })
  await clerk.click('[data-test=outcome-accept]')
  await clerk.click('[data-test=confirm]')
  const notice = clerk.locator('[data-test=reload-notice]')
  await notice.waitFor()
  const text = await notice.innerText()
  if (!text.includes(CLERK2)) fail('the 409 does not say who completed the task: ' + text)
  await clerk.locator('[data-test=task-actions] .el-alert--info').waitFor() // reloaded: the step is closed
  if (await clerk.locator('[data-test=outcome-accept]').count()) fail('the closed task still offers its outcomes')
  log('the page says', text.trim())
  return k
}

async function refuse(clerk, item) {
  log('— refuse with reason; the server down keeps the half-typed reason')
  const k = await apply(item, '冷库扩建（重复申报）', true)
  await openTask(clerk, k.number)
  await mustBeLabelled(clerk, 'the task page')
  await mustBeReadable(clerk, 'the task page')
  await fits(clerk, 'the task page')
  await clerk.click('[data-test=outcome-refuse]')
  // no reason: the server refuses the completion and the page says why, in place
  const noReason = await clerk.evaluate(async (num) => {
    const h = { Authorization: 'Bearer ' + localStorage.getItem('onewindow.token') }
    const l = await (await fetch('/api/v1/tasks?stepKind=acceptance&limit=200', { headers: h })).json()
    const t = l.items.find((x) => x.caseNumber === num)
    const r = await fetch(`/api/v1/tasks/${encodeURIComponent(t.id)}/complete`, { method: 'POST', headers: { ...h, 'Content-Type': 'application/json' }, body: '{"outcome":"refuse"}' })
    return { status: r.status, body: await r.json() }
  }, k.number)
  await clerk.click('[data-test=confirm]')
  const shown = await clerk.locator('[data-test=action-error]').innerText()
  if (noReason.status < 400 || !shown.includes(noReason.body.error.message)) fail(`a refusal without reason: the API answers ${noReason.status} ${JSON.stringify(noReason.body)}, the page shows ${shown}`)
  log('without a reason the page shows the server\'s', noReason.status, 'in place:', shown)
  await clerk.fill('textarea[data-test=reason]', '同一项目已于本年度核准，属重复申报')
  await clerk.route('**/api/v1/**', (r) => r.abort())
  await clerk.click('[data-test=confirm]')
  await clerk.locator('.server-down').waitFor()
  await clerk.locator('[data-test=action-error]').waitFor()
  log('server down: the banner shows and the action says so in place')
  await clerk.unroute('**/api/v1/**')
  await clerk.reload()
  await clerk.waitForSelector('[data-test=task-actions]')
  await clerk.click('[data-test=outcome-refuse]')
  const kept = await clerk.locator('textarea[data-test=reason]').inputValue()
  if (!kept.includes('重复申报')) fail('the reason typed before the reload is lost: ' + kept)
  await clerk.click('[data-test=confirm]')
  await waitDone(clerk, 'refuse')
  await eventually('the refused case', async () => (await must(await token('applicant1'), 'GET', '/cases/' + k.id)).stage === 'refused')
  await clerk.goto(BASE + '/counter/cases/' + encodeURIComponent(k.id))
  await clerk.waitForSelector('[data-test=case-stage]')
  const page = await clerk.locator('.page').first().innerText()
  if (!page.includes('不予受理') || !page.includes('重复申报')) fail('the refused case does not show 不予受理 with its reason:\n' + page)
  log('case', k.number, 'refused with its reason')
}

async function actions(browser, clerk, k) {
  log('— comment, delegate and give back, hand over, 容缺受理')
  await openTask(clerk, k.number)
  await clerk.fill('textarea[data-test=comment]', '材料已初审，缺营业执照')
  await clerk.click('[data-test=comment-only]')
  await waitDone(clerk, 'comment')
  await clerk.click('.el-tabs__item:has-text("办理过程")')
  await clerk.locator('[data-test=timeline]', { hasText: '材料已初审' }).waitFor()

  // clerk1's window has nobody else: the colleagues are the lead section's reviewer
  const FGJ = '发展和改革局行政审批股审核员'
  await act(clerk, 'delegate', 'person', FGJ)
  const fgj = await signIn(await context(browser), 'reviewer-fgj')
  await openTask(fgj, k.number)
  await fgj.click('[data-test=resolve]')
  await waitDone(fgj, 'give back')
  await clerk.reload()
  await clerk.waitForSelector('[data-test=task-actions]')
  await act(clerk, 'handover', 'person', FGJ)

  await openTask(fgj, k.number)
  await fgj.click('[data-test=outcome-deficient]')
  if (!(await fgj.locator('[data-test=deficient-YYZZ] input').isChecked())) fail('the missing YYZZ is not ticked for 容缺受理')
  await fgj.fill('textarea[data-test=deficient-reason]', '主要材料齐全，营业执照承诺五个工作日内补齐')
  await fgj.click('[data-test=confirm-deficient]')
  await waitDone(fgj, '容缺受理')
  const a = await token('applicant1')
  await eventually('the case to be accepted', async () => (await must(a, 'GET', '/cases/' + k.id)).stage === 'inProgress')
  const tl = (await must(a, 'GET', '/cases/' + k.id)).timeline
  const staff = await must(await token('clerk1'), 'GET', '/cases/' + encodeURIComponent(k.id))
  const words = staff.timeline.map((e) => e.text.zh + (e.comment || '')).join('\n')
  for (const want of ['委派', '交回', '转交', '容缺受理']) if (!words.includes(want)) fail(`the timeline lacks ${want}:\n${words}`)
  log('the timeline holds the delegation, the hand-over and 容缺受理', tl.length)

  log('— countersign: add and remove a signer, object, recall, agree; reject')
  await openTask(fgj, k.number)
  await act(fgj, 'addSigner', 'signer-section', '市场监督管理局')
  await fgj.reload()
  await fgj.waitForSelector('[data-test=task-actions]')
  await act(fgj, 'removeSigner', 'signer-task', '市场监督管理局', '不涉及市场监管事项')
  const ft = await must(await token('reviewer-fgj'), 'GET', `/tasks/${encodeURIComponent((await taskOf(await token('reviewer-fgj'), k, 'review')).id)}`)
  const scj = (ft.signers || []).filter((s) => s.name?.includes('市场监督管理局'))
  if (!scj.length || scj.some((s) => s.state === 'open')) fail('the removed signer is still open: ' + JSON.stringify(ft.signers))
  log('市场监督管理局 added and removed as a signer')

  const zr = await signIn(await context(browser), 'reviewer-zrzyj')
  await openTask(zr, k.number)
  await complete(zr, 'agree')
  await zr.goto(BASE + '/counter/done')
  const doneRow = zr.locator('[data-test=done-table] .el-table__row', { hasText: k.number }).first()
  await doneRow.getByRole('button', { name: '撤回' }).click()
  await openTask(zr, k.number) // the step is back in the inbox
  log('自然资源局 recalled its opinion from the done list')
  await complete(zr, 'agree')
  await zr.context().close()

  await openTask(fgj, k.number)
  await complete(fgj, 'agree')
  // an objection ends the countersign at once (任一部门有异议即转牵头部门协调): 住建局 signs last
  const zjj = await signIn(await context(browser), 'reviewer-zjj')
  await openTask(zjj, k.number)
  await complete(zjj, 'object', '消防设计专篇未附，建议补充后再批')
  await zjj.context().close()

  await openTask(fgj, k.number) // 住建局 objected: the lead coordinates
  await complete(fgj, 'resolved')
  await openTask(fgj, k.number) // the joint decision
  await complete(fgj, 'reject', '住建局不同意：消防设计专篇未附')
  await fgj.context().close()
  log('case', k.number, 'rejected after the countersign')
}

async function returnStep(browser, item) {
  log('— return to an earlier step')
  const k = await apply(item, '粮食烘干中心', true)
  const c1 = await token('clerk1')
  const t = await taskOf(c1, k, 'acceptance')
  await must(c1, 'POST', `/tasks/${encodeURIComponent(t.id)}/complete`, { outcome: 'accept' })
  const zjj = await signIn(await context(browser), 'reviewer-zjj')
  await openTask(zjj, k.number)
  await zjj.click('[data-test=more-return]')
  await pick(zjj, '[data-test=return-to]', '受理')
  await zjj.fill('input[data-test=return-reason]', '申请表项目名称与可研报告不一致，请窗口重新受理')
  await zjj.click('[data-test=confirm-return]')
  await waitDone(zjj, 'return')
  await zjj.context().close()
  await taskOf(c1, k, 'acceptance')
  log('case', k.number, 'is back at 受理')
}

async function keyboard(clerk, item) {
  log('— the keyboard alone takes an outcome; English; an upload over the limit')
  const k = await apply(item, '冷链配送中心', true)
  await openTask(clerk, k.number)
  await clerk.locator('[data-test=outcome-accept]').focus()
  await clerk.keyboard.press('Enter')
  await clerk.locator('[data-test=confirm]').waitFor()
  await clerk.locator('[data-test=confirm]').focus()
  await clerk.keyboard.press('Enter')
  await waitDone(clerk, 'accept by the keyboard')

  await clerk.goto(BASE + '/counter/intake')
  await fits(clerk, 'the intake form')
  await pick(clerk, '[data-test=intake-item]', '企业投资项目核准')
  await mustBeLabelled(clerk, 'the intake form')
  await mustBeReadable(clerk, 'the intake form')
  await clerk.fill('input[name=applicantName]', '北流市半填表测试公司')
  await clerk.reload()
  await clerk.locator('input[name=applicantName]').waitFor()
  if ((await clerk.locator('input[name=applicantName]').inputValue()) !== '北流市半填表测试公司') fail('the half-filled intake form is lost on a reload')
  const big = Buffer.alloc(21 << 20, 0x25)
  await clerk.setInputFiles('[data-test=upload-M02]', { name: 'M02-扫描件.pdf', mimeType: 'application/pdf', buffer: big })
  const err = clerk.locator('[data-test=mat-M02] .err')
  await err.waitFor()
  const text = await err.innerText()
  if (!/20 MiB|limit|larger/.test(text)) fail('an upload over the limit shows ' + text)
  log('over the limit:', text)
  await clerk.click('text=重置')

  await pick(clerk, '[data-test=who] .el-select', 'English')
  await clerk.locator('.el-menu-item', { hasText: 'Inbox' }).waitFor()
  await clerk.locator('.page-title', { hasText: 'Walk-in intake' }).waitFor()
  await pick(clerk, '[data-test=who] .el-select', '中文')
  await clerk.locator('.el-menu-item', { hasText: '待办' }).waitFor()
  log('the shell and the page switch to English and back')

  // an administrator holds every staff role: the menu has the counter, supervision and the studio
  const admin = await signIn(await context(clerk.context().browser()), 'admin')
  const menu = await admin.locator('.shell-aside').innerText()
  for (const want of ['待办', '监察预警', '决策参考', '流程设计']) if (!menu.includes(want)) fail(`the admin's menu lacks ${want}:\n${menu}`)
  log('admin lands at', new URL(admin.url()).pathname, 'with every area in the menu')
  await admin.context().close()
}

run(async () => {
  const browser = await launch()
  try {
    const items = await (await fetch(BASE + '/api/v1/public/items?q=' + ITEM)).json()
    const item = items.items[0] || fail('no item ' + ITEM)
    const { clerk, k } = await inbox(browser, item)
    await race(browser, clerk, item)
    await refuse(clerk, item)
    await actions(browser, clerk, k)
    await returnStep(browser, item)
    await keyboard(clerk, item)
  } finally {
    await browser.close()
  }
})
