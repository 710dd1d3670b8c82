// Browser scenario 3 of issue 12 (supervision), against a demo server at ONEWINDOW_URL whose
// case ONEWINDOW_OVERDUE_CASE was made overdue by the test (a past due time): the supervisor
// sees its red alert, acknowledges it, looks at the open cases, the scorecard chart, the
// delegation rate and the decision-support heatmap of an item.
import { BASE, context, fail, launch, log, run, shot, signIn } from './lib.mjs'

run(async () => {
  const caseId = process.env.ONEWINDOW_OVERDUE_CASE || fail('ONEWINDOW_OVERDUE_CASE is not set')
  const browser = await launch()
  try {
    const page = await signIn(await context(browser), 'supervisor', '/supervision/alerts')
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

    await page.click('.el-menu-item:has-text("在办件")')
    await page.waitForSelector('[data-test=open-cases] .dot.red')
    await shot(page, 'supervision-open-cases')

    await page.click('.el-menu-item:has-text("绩效考评")')
    await page.waitForSelector('[data-test=chart][data-rendered]')
    await page.waitForSelector('[data-test=scorecards] .el-table__row')
    await shot(page, 'scorecard')

    await page.click('.el-menu-item:has-text("授权到位率")')
    await page.waitForSelector('[data-test=delegation] .el-table__row')
    await page.waitForSelector('[data-test=chart][data-rendered]')
    await shot(page, 'delegation')

    await page.click('.el-menu-item:has-text("决策参考")')
    await page.waitForSelector('[data-test=heatmap] [data-rendered]')
    await page.waitForSelector('[data-test=slow-steps] .el-table__row')
    const heat = await page.locator('[data-test=heatmap] [class*="ow-heat-"]').count()
    if (heat === 0) fail('no step is coloured on the heatmap')
    await shot(page, 'heatmap')
    log('heatmap with', heat, 'coloured steps for case', caseId)
  } finally {
    await browser.close()
  }
})
