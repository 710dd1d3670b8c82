// Issue 16, browser scenario 1: the designer opens the standard parallel-approval flow in the
// modeller, changes a step's time limit in the properties panel, introduces an error (a gateway
// leading nowhere), sees it marked on the element, fixes it, dry-runs the flow to the end with
// the token path shown, keeps the run as a test case, deploys and publishes (the test case runs), binds it to a new item in the item editor, and
// the item appears in the public catalogue. Prints "ITEM <id> <name>" for the next scenarios.
import { BASE, context, eventually, fail, launch, log, must, pick, run, shot, signIn, token } from './lib.mjs'

const stamp = Date.now().toString(36)
const itemName = '并联审批演示事项' + stamp

run(async () => {
  const browser = await launch()
  const ctx = await context(browser)
  const page = await signIn(ctx, 'designer', '/studio')
  page.on('dialog', (d) => d.accept())

  // The definitions list, the versions of std-parallel, open the published one.
  await page.locator('[data-test=definitions] .el-table__row', { hasText: 'std-parallel' }).click()
  await page.waitForSelector('[data-test=versions] [data-test=open-v1]')
  await page.click('[data-test=open-v1]')
  await page.waitForURL(/\/studio\/modeler\?key=std-parallel/)
  await page.waitForSelector('[data-test=modeler-canvas] .djs-element[data-element-id=countersign]')
  await page.waitForSelector('[data-test=no-problems]')
  log('std-parallel open in the modeller')

  // The countersign step's limit: 5 → 4 working days in the onewindow group of the panel.
  await page.click('.djs-element[data-element-id=countersign]')
  await page.locator('[data-test=properties-panel] .bio-properties-panel-group-header', { hasText: 'onewindow' }).click()
  const limit = page.locator('#bio-properties-panel-ow-timeLimit')
  if ((await limit.inputValue()) !== '5') fail('the countersign step does not show its limit of 5: ' + (await limit.inputValue()))
  await limit.fill('4')
  await page.keyboard.press('Tab')
  await eventually('the modeller to see the change', async () => (await page.locator('[data-test=modeler-dirty]').count()) > 0)
  log('countersign limit set to 4 in the properties panel')

  // An error: a gateway appended after delivery leads nowhere; the server's problem is marked on it.
  await page.click('.djs-element[data-element-id=delivery]')
  await page.click('.djs-context-pad [data-action="append.gateway"]')
  const badge = page.locator('[data-test=problem-badge]').first()
  await badge.waitFor()
  const at = await badge.getAttribute('data-element')
  const title = await badge.getAttribute('title')
  if (!/gateway-no-outgoing/.test(title || '')) fail('the badge does not name the problem: ' + title)
  if ((await page.locator(`.djs-element[data-element-id="${at}"].ow-problem-error`).count()) !== 1) fail('the element is not outlined as an error')
  if (!(await page.locator('[data-test=modeler-deploy]').isDisabled())) fail('deploy is possible with an error')
  await page.locator('[data-test=problems] li', { hasText: 'gateway-no-outgoing' }).waitFor()
  await shot(page, 'studio-modeller-problem')
  log('problem marked at', at)

  // The fix: remove the gateway again.
  await page.locator('[data-test=problems] li', { hasText: 'gateway-no-outgoing' }).click()
  await page.click('.djs-context-pad.open [data-action="delete"]')
  await page.waitForSelector('[data-test=no-problems]')
  if ((await page.locator('[data-test=problem-badge]').count()) !== 0) fail('a badge is left after the fix')
  log('fixed')

  // Dry run to the end: accept, both departments agree, approve, deliver.
  await page.click('[role=tab]:has-text("试运行")')
  await page.click('[data-test=dry-start]')
  for (const step of ['acceptance', 'countersign', 'countersign', 'jointDecision', 'delivery']) {
    const btn = page.locator(`[data-test=dry-complete-${step}]`)
    await btn.waitFor()
    await btn.click()
    await page.waitForTimeout(300)
  }
  await eventually('the dry run to complete', async () => (await page.locator('[data-test=dry-state]').textContent()) === '已办结')
  await page.waitForTimeout(1500) // the token's animation
  for (const id of ['submitted', 'acceptance', 'countersign', 'jointDecision', 'delivery', 'finished'])
    if ((await page.locator(`.djs-element[data-element-id=${id}].ow-entered`).count()) !== 1) fail(id + ' is not on the token path')
  if ((await page.locator('.djs-element[data-element-id=coordination].ow-entered').count()) !== 0) fail('coordination is marked but was not entered')
  await page.click('[data-test=dry-keep]')
  await eventually('the test case to be kept with the definition', async () => {
    const kept = await must(await token('designer'), 'GET', '/studio/definitions/std-parallel/tests')
    return kept.tests.length === 1 && kept.tests[0].expect === 'completed'
  })
  await shot(page, 'studio-dry-run')
  log('dry run completed, token path shown, kept as a test case')

  // Deploy (a new draft version) and publish (the kept test case runs first).
  await page.click('[data-test=modeler-deploy]')
  await page.locator('[data-test=modeler-info]', { hasText: 'v2' }).waitFor()
  await page.click('[data-test=modeler-publish]')
  await page.locator('[data-test=modeler-info]', { hasText: '已发布' }).waitFor()
  log('deployed and published std-parallel v2')

  // Bind it to a new item.
  await page.click('[data-test=modeler-bind]')
  await page.waitForURL(/\/studio\/items\/new/)
  await page.fill('[data-test=item-code]', '450981-DEMO-' + stamp)
  await page.fill('[data-test=item-name]', itemName)
  await pick(page, '[data-test=item-department]', '发展和改革局')
  await pick(page, '[data-test=item-lead]', 'fgj-xzsp')
  await pick(page, '[data-test=item-coreviewers]', 'zjj-xzsp')
  await pick(page, '[data-test=item-coreviewers]', 'zrzyj-xzsp')
  await page.keyboard.press('Escape')
  await pick(page, '[data-test=item-theme]', '投资建设')
  await page.fill('[data-test=item-legal]', '《中华人民共和国行政许可法》')
  await page.fill('[data-test=item-enquiry]', '0775-6810001')
  await page.fill('[data-test=item-complaint]', '0775-6812345')
  await page.click('[data-test=item-add-material]')
  await page.fill('[data-test=item-material-0]', '申请书')
  await page.click('[data-test=item-add-material]')
  await page.fill('[data-test=item-material-1]', '营业执照')
  const stepLimit = page.locator('[data-test=item-step-countersign]')
  await stepLimit.waitFor()
  await page.click('[data-test=item-preview]')
  await page.waitForSelector('[data-test=item-guide-preview] [data-test=flowchart] svg')
  await page.click('[data-test=item-publish]')
  await page.locator('[data-test=item-info]', { hasText: '已发布' }).waitFor({ timeout: 20000 }).catch(async () => {
    fail('the item was not published: ' + (await page.locator('[data-test=item-error]').textContent().catch(() => '')))
  })
  const itemId = page.url().split('/').pop()
  await page.waitForTimeout(500)
  await shot(page, 'studio-item-editor')
  log('item', itemId, 'published')

  // The public catalogue lists it, without an account.
  const pub = await (await context(browser)).newPage()
  await pub.goto(BASE + '/portal', { waitUntil: 'domcontentloaded' })
  await pub.fill('[data-test=catalogue-search]', stamp)
  await pub.locator('[data-test=catalogue-item]', { hasText: itemName }).waitFor()
  const tags = await pub.locator('[data-test=catalogue-item]', { hasText: itemName }).textContent()
  if (!tags.includes('投资建设') || !tags.includes('区县级')) fail('the catalogue does not show the theme and level the editor set: ' + tags)
  log('the item is in the public catalogue, with its theme and level')
  console.log(`ITEM ${itemId} ${itemName}`)
  await browser.close()
})
