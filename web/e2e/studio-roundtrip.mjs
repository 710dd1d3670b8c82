// Issue 16, browser scenario 2: a file written by Camunda Modeler (camunda: attributes and
// extension elements) opened in the studio's modeller and saved keeps every camunda: attribute
// and extension element (the XML is compared). Bad input: a file that is not BPMN shows the
// server's problem and leaves the open diagram as it was.
import { readFileSync } from 'node:fs'
import { context, eventually, fail, launch, log, run, signIn } from './lib.mjs'

const original = readFileSync(new URL('./camunda-modeler.bpmn', import.meta.url), 'utf8')

/** camundaAttrs lists every camunda: attribute as element-id/name=value. */
function camundaAttrs(xml) {
  const out = []
  for (const el of xml.matchAll(/<([\w:]+)\s([^>]*?)\/?>/g)) {
    const id = (el[2].match(/\bid="([^"]*)"/) || [])[1] || el[1]
    for (const a of el[2].matchAll(/camunda:(\w+)="([^"]*)"/g)) out.push(`${id}/${a[1]}=${a[2]}`)
  }
  return out.sort()
}

run(async () => {
  const browser = await launch()
  const ctx = await context(browser)
  const page = await signIn(ctx, 'designer', '/studio/modeler')
  page.on('dialog', (d) => d.accept())
  await page.waitForSelector('[data-test=modeler-canvas] .djs-element')

  // Open the Camunda Modeler file (the new diagram is unsaved: confirm leaving it).
  const open = page.locator('[data-test=modeler-open]')
  await open.setInputFiles({ name: 'leave-request.bpmn', mimeType: 'application/xml', buffer: Buffer.from(original) })
  const confirm = page.locator('.el-message-box__btns .el-button--primary')
  // The modeller asks before it replaces unsaved work; the question can take a moment to appear
  // on a loaded machine (isVisible does not wait), so wait for whichever comes first: the
  // question (answered) or what the open leads to.
  const answerThen = async (next) => {
    await Promise.race([
      confirm.waitFor({ state: 'visible', timeout: 60000 }).then(() => confirm.click()),
      next.waitFor({ state: 'visible', timeout: 60000 }),
    ]).catch(() => {})
    await next.waitFor()
  }
  await answerThen(page.locator('.djs-element[data-element-id=review]'))
  log('Camunda Modeler file open')

  // Bad input over the unsaved diagram: not BPMN. The server's problem is shown, nothing is asked
  // (the file replaces nothing) and the diagram stays as it was, still unsaved. This step used to
  // fail because two questions were open: Enter on the login page signed in twice, and the
  // second sign-in sent the modeller home (a route leave, which asks about unsaved changes); the
  // confirm locator then matched two buttons and Playwright's strict mode refused to click.
  const before = await page.locator('.djs-element').count()
  await open.setInputFiles({ name: 'notes.xml', mimeType: 'application/xml', buffer: Buffer.from('<notes><note>not a process</note></notes>') })
  const problems = page.locator('[data-test=modeler-file-problems]')
  await problems.waitFor()
  if (!/not-bpmn/.test(await problems.textContent())) fail('the problem of a file that is not BPMN is not shown: ' + (await problems.textContent()))
  // (the question of the first open may still be fading out: wait for every box to go; a new
  // question would stay.)
  await eventually('no question about the unsaved diagram', async () => (await page.locator('.el-message-box').count()) === 0, 10000)
  if ((await page.locator('.djs-element[data-element-id=review]').count()) !== 1 || (await page.locator('.djs-element').count()) !== before)
    fail('the open diagram changed after a bad file')
  if (!(await page.locator('[data-test=modeler-dirty]').isVisible())) fail('the diagram is no longer marked unsaved after a bad file')
  log('a file that is not BPMN over an unsaved diagram: problem shown, diagram kept')

  // Save it back and compare.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=modeler-save]')])
  const saved = readFileSync(await download.path(), 'utf8')
  const want = camundaAttrs(original)
  const got = camundaAttrs(saved)
  const lost = want.filter((a) => !got.includes(a))
  if (lost.length) fail('camunda: attributes lost in the round trip: ' + lost.join(', '))
  for (const el of ['<camunda:inputParameter name="days">${days}</camunda:inputParameter>', '<camunda:property name="ui.color" value="blue"', '<camunda:taskListener class="org.example.AuditListener" event="create"'])
    if (!saved.includes(el)) fail('extension element lost in the round trip: ' + el)
  if (!saved.includes('modeler:executionPlatform="Camunda Platform"')) fail('the modeler: attributes were lost')
  log(`round trip kept ${want.length} camunda: attributes and the extension elements`)
  await browser.close()
})
