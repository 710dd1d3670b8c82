// Helpers of the designer's studio: the server's problems on the diagram, the token path of a
// dry run, the outcomes a task's next gateway tests, and the diagram a new definition starts from.
import { session } from '../session'

/** Problem is a validation problem from the server, at an element when it has one. */
export interface Problem {
  code: string
  message: string
  elementId?: string
  line: number
  column: number
  severity: 'error' | 'warning'
  level?: string
  file?: string
}

/** Check is the answer of POST /studio/check. */
export interface Check {
  processId?: string
  problems: Problem[]
  errors: number
  warnings: number
  deployable: boolean
}


/** postXML sends raw XML (the API client sends JSON or forms). */
export async function postXML<T>(path: string, xml: string, query = ''): Promise<T> {
  const res = await fetch('/api/v1' + path + query, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', Accept: 'application/json', Authorization: 'Bearer ' + session.token },
    body: xml,
  })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) {
    const err: any = new Error(data?.error?.message || res.statusText)
    err.status = res.status
    err.code = data?.error?.code
    err.problems = data?.problems || []
    throw err
  }
  return data as T
}

const markerClasses = ['ow-problem-error', 'ow-problem-warning', 'ow-entered', 'ow-active', 'ow-flow-taken']

/** clearMarks removes the studio's markers and overlays from every element. */
export function clearMarks(modeler: any, kinds: string[] = markerClasses) {
  const canvas = modeler.get('canvas')
  const registry = modeler.get('elementRegistry')
  for (const el of registry.getAll()) for (const k of kinds) canvas.removeMarker(el, k)
}

/** markProblems puts each problem on its element: a red or orange outline and a badge whose
 * title is the code and message. It returns the problems that have no element on the diagram. */
export function markProblems(modeler: any, problems: Problem[]): Problem[] {
  const canvas = modeler.get('canvas')
  const registry = modeler.get('elementRegistry')
  const overlays = modeler.get('overlays')
  overlays.remove({ type: 'ow-problem' })
  clearMarks(modeler, ['ow-problem-error', 'ow-problem-warning'])
  const loose: Problem[] = []
  const byEl = new Map<string, Problem[]>()
  for (const p of problems) {
    if (!p.elementId || !registry.get(p.elementId)) {
      loose.push(p)
      continue
    }
    byEl.set(p.elementId, [...(byEl.get(p.elementId) || []), p])
  }
  for (const [id, ps] of byEl) {
    const err = ps.some((p) => p.severity === 'error')
    canvas.addMarker(id, err ? 'ow-problem-error' : 'ow-problem-warning')
    const div = document.createElement('div')
    div.className = 'ow-badge ' + (err ? 'ow-badge-error' : 'ow-badge-warning')
    div.textContent = String(ps.length)
    div.title = ps.map((p) => `[${p.code}] ${p.message}`).join('\n')
    div.setAttribute('data-test', 'problem-badge')
    div.setAttribute('data-element', id)
    overlays.add(id, 'ow-problem', { position: { top: -8, right: 8 }, html: div })
  }
  return loose
}

/** showPath marks the elements a dry run entered, in order with a short delay each (the token
 * moving), the flows between them, and the active ones. */
export function showPath(modeler: any, entered: string[], active: string[], delay = 120): Promise<void> {
  const canvas = modeler.get('canvas')
  const registry = modeler.get('elementRegistry')
  clearMarks(modeler, ['ow-entered', 'ow-active', 'ow-flow-taken'])
  const seen = new Set<string>()
  return new Promise((resolve) => {
    let i = 0
    const step = () => {
      if (i >= entered.length) {
        for (const id of active) if (registry.get(id)) canvas.addMarker(id, 'ow-active')
        resolve()
        return
      }
      const id = entered[i++]
      const el = registry.get(id)
      if (el) {
        canvas.addMarker(id, 'ow-entered')
        for (const flow of el.incoming || []) {
          if (flow.source && seen.has(flow.source.id)) canvas.addMarker(flow.id, 'ow-flow-taken')
        }
      }
      seen.add(id)
      setTimeout(step, delay)
    }
    step()
  })
}

/** outcomesOf lists the outcomes the gateway after a task tests (outcome == 'x'), or the
 * countersign's agree/object. */
export function outcomesOf(modeler: any, taskId: string): string[] {
  const el = modeler.get('elementRegistry').get(taskId)
  if (!el) return []
  const out = new Set<string>()
  const bo = el.businessObject
  if (bo.get && (bo.get('ow:countersign') || bo.loopCharacteristics)) {
    out.add('agree')
    out.add('object')
  }
  for (const flow of el.outgoing || []) {
    const next = flow.target
    const flows = next && /Gateway$/.test(next.type) ? next.outgoing : [flow]
    for (const f of flows || []) {
      const cond = f.businessObject?.conditionExpression?.body || ''
      for (const m of cond.matchAll(/outcome\s*==\s*['"]([\w-]+)['"]/g)) out.add(m[1])
    }
  }
  return [...out]
}

/** blankDiagram is a new definition's start: a start event, one acceptance step, an end. */
export function blankDiagram(key: string, name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:flowable="http://flowable.org/bpmn" xmlns:ow="https://onewindow.dev/schema/bpmn/1.0"
  id="Definitions_${key}" targetNamespace="https://onewindow.dev/studio">
  <bpmn:process id="${key}" name="${name}" isExecutable="true">
    <bpmn:startEvent id="start" name="申请提交"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="acceptance" name="受理" flowable:candidateGroups="\${leadSection}" ow:stepKind="acceptance" ow:timeLimit="1">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end" name="办结"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="acceptance" />
    <bpmn:sequenceFlow id="f2" sourceRef="acceptance" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="${key}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="acceptance_di" bpmnElement="acceptance"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`
}

/** checkXML asks the server to validate a drawing at both levels. */
export function checkXML(xml: string): Promise<Check> {
  return postXML<Check>('/studio/check', xml)
}
