// Browser scenario 3 of issue 12 (supervision), against a demo server at ONEWINDOW_URL whose
// case ONEWINDOW_OVERDUE_CASE was made overdue by the test (a past due time): the supervisor
// sees its red alert, acknowledges it, looks at the open cases, the scorecard chart, the
// delegation rate and the decision-support heatmap of an item; the reviewer whose task of that
// case is overdue sees it red in the inbox and in 超期预警.
import { BASE, context, fail, launch, log, must, mustBeLabelled, mustBeReadable, pick, run, shot, signIn, token } from './lib.mjs'

/** screen fails when a control of the page has no name or a text is below WCAG AA contrast. */
async function screen(page, what) {
  await mustBeLabelled(page, what)
  await mustBeReadable(page, what)
}

run(async () => {
  const caseId = process.env.ONEWINDOW_OVERDUE_CASE || fail('ONEWINDOW_OVERDUE_CASE is not set')
  const browser = await launch()
  try {
    const page = await signIn(await context(browser), 'supervisor', '/supervision/alerts')
    const menu = await page.locator('.shell-aside').innerText()
    if (!menu.includes('决策参考') || menu.includes('窗口收件')) fail('the supervisor\'s menu is not supervision\'s:\n' + menu)
    const red = page.locator('[data-test=alerts-table] [data-kind=overdue]')
    await red.first().waitFor()
    log('red alerts listed:', await red.count())
    await shot(page, 'supervision-alerts')
    // open the overdue case's timeline from its alert, then acknowledge the alert
    await page.locator('[data-test=alerts-table] tr', { has: page.locator('[data-kind=overdue]') }).first().locator('a').first().click()
    await page.waitForSelector('[data-test=drawer-state]')
    const state = await page.locator('[data-test=drawer-state]').innerText()
    if (!state.includes('超期')) fail('the overdue case\'s timeline says ' + state)
    await page.keyboard.press('Escape')
    await page.locator('[data-test=ack-overdue]').first().click()
    await page.locator('[data-test=alerts-table] .acked').first().waitFor()
    log('alert acknowledged')
    await mustBeLabelled(page, 'the alerts')
    await mustBeReadable(page, 'the alerts')
    // the filters: red only, then the acknowledged ones
    await pick(page, '[data-test=filter-kind]', '红牌')
    await page.waitForFunction(() => {
      const tags = [...document.querySelectorAll('[data-test=alerts-table] [data-kind]')]
      return tags.length > 0 && tags.every((t) => t.getAttribute('data-kind') === 'overdue')
    })
    await pick(page, '[data-test=filter-acked]', '已知悉')
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-test=alerts-table] .el-table__row')]
      return rows.length > 0 && rows.every((r) => r.querySelector('.acked'))
    })
    log('the kind and acknowledgement filters narrow the list')

    await page.click('.el-menu-item:has-text("在办件")')
    await page.waitForSelector('[data-test=open-cases] .dot.red')
    await shot(page, 'supervision-open-cases')
    await screen(page, 'the open cases')

    await page.click('.el-menu-item:has-text("绩效考评")')
    await page.waitForSelector('[data-test=chart][data-rendered]')
    await page.waitForSelector('[data-test=scorecards] .el-table__row')
    await shot(page, 'scorecard')
    await screen(page, 'the scorecards')
    for (const [level, who] of [['窗口', '窗口'], ['个人', '王丽']]) {
      await page.locator('.el-radio-button', { hasText: level }).click()
      await page.locator('[data-test=scorecards] .el-table__row', { hasText: who }).first().waitFor()
    }
    log('scorecards per department, window and person')

    await page.click('.el-menu-item:has-text("授权到位率")')
    await page.waitForSelector('[data-test=delegation] .el-table__row')
    await page.waitForSelector('[data-test=chart][data-rendered]')
    await shot(page, 'delegation')
    await screen(page, 'the delegation rate')

    await page.click('.el-menu-item:has-text("决策参考")')
    await page.waitForSelector('[data-test=heatmap] [data-rendered]')
    await page.waitForSelector('[data-test=slow-steps] .el-table__row')
    const heat = await page.locator('[data-test=heatmap] [class*="ow-heat-"]').count()
    if (heat === 0) fail('no step is coloured on the heatmap')
    // the test spread the steps' times: the slowest step took days, and the colours differ
    const slowest = await page.locator('[data-test=slow-steps] .el-table__row').first().locator('td').allInnerTexts()
    if (!(Number(slowest[3]) > 0)) fail('the slowest step has no p90: ' + slowest.join(' | '))
    const shades = await page.evaluate(() => new Set([...document.querySelectorAll('[data-test=heatmap] [class*="ow-heat-"]')].map((e) => e.getAttribute('class').match(/ow-heat-\d/)[0])).size)
    if (shades < 2) fail('every step of the heatmap has the same colour')
    log('the slowest step,', slowest[0], ', p90', slowest[3], 'working days;', shades, 'shades on the diagram')
    await shot(page, 'heatmap')
    await screen(page, 'decision support')
    log('heatmap with', heat, 'coloured steps for case', caseId)
    await page.context().close()

    // the counter's side: 住建局's open signer task of the case is past its due time
    const number = (await must(await token('supervisor'), 'GET', '/cases/' + encodeURIComponent(caseId))).number
    const zjj = await signIn(await context(browser), 'reviewer-zjj')
    const row = zjj.locator('[data-test=inbox-table] .el-table__row', { hasText: number })
    await row.waitFor()
    const due = await row.locator('[data-due]').getAttribute('data-due')
    if (due !== 'red') fail(`the overdue task of ${number} is ${due} in the inbox`)
    await zjj.click('.el-menu-item:has-text("超期预警")')
    const late = zjj.locator('[data-test=supervised-table] .el-table__row', { hasText: number })
    await late.waitFor()
    if ((await late.locator('[data-due]').getAttribute('data-due')) !== 'red') fail('超期预警 does not show the task red')
    log('reviewer-zjj sees', number, 'red in the inbox and in 超期预警')
  } finally {
    await browser.close()
  }
})
