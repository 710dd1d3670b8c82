// The properties panel's "onewindow" group: onewindow's ow: extensions (docs/bpmn-extensions.md)
// edited through bpmn-js-properties-panel entries, written by the modeller's commands (so undo
// works and validate-as-you-draw sees them). Candidate groups are picked from the org tree's
// sections and written in the file's own dialect (flowable: or camunda:).
import { h } from '@bpmn-io/properties-panel/preact'
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel'
import { useService } from 'bpmn-js-properties-panel'

/** Section is an org unit that can be a candidate group. */
export interface Section {
  code: string
  name: string
}

/** sections are set by the modeller page before the panel renders. */
export const orgTree: { sections: Section[] } = { sections: [] }

const stepKinds = ['acceptance', 'review', 'coordination', 'approval', 'certification', 'delivery']
const stepKindNames: Record<string, string> = { acceptance: '受理', review: '审核', coordination: '协调', approval: '审批', certification: '制证', delivery: '送达' }

function is(bo: any, type: string): boolean {
  return bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type)
}

/** dialect is the vendor prefix the file uses for assignment attributes. */
function dialect(bo: any): string {
  let d = bo
  while (d && d.$parent) d = d.$parent
  const attrs = (d && d.$attrs) || {}
  if (Object.values(attrs).includes('http://flowable.org/bpmn')) return 'flowable'
  return 'camunda'
}

function attrEntry(id: string, label: string, attr: string, description?: string) {
  return function Entry(props: any) {
    const { element } = props
    const modeling = useService('modeling')
    const debounce = useService('debounceInput')
    const bo = element.businessObject
    return h(TextFieldEntry, {
      id,
      element,
      label,
      description,
      getValue: () => bo.get(attr) || '',
      setValue: (v: string) => modeling.updateProperties(element, { [attr]: v || undefined }),
      debounce,
    })
  }
}

function selectEntry(id: string, label: string, attr: string, options: () => { value: string; label: string }[]) {
  return function Entry(props: any) {
    const { element } = props
    const modeling = useService('modeling')
    const bo = element.businessObject
    return h(SelectEntry, {
      id,
      element,
      label,
      getValue: () => bo.get(attr) || '',
      setValue: (v: string) => modeling.updateProperties(element, { [attr]: v || undefined }),
      getOptions: options,
    })
  }
}

function CandidateGroups(props: any) {
  const { element } = props
  const modeling = useService('modeling')
  const bo = element.businessObject
  const attr = dialect(bo) + ':candidateGroups'
  const get = () => (bo.get ? bo.get(attr) : '') || bo.$attrs?.[attr] || ''
  return h(SelectEntry, {
    id: 'ow-candidateGroups',
    element,
    label: '候选组（机构）',
    getValue: get,
    setValue: (v: string) => modeling.updateProperties(element, { [attr]: v || undefined }),
    getOptions: () => {
      const cur = get()
      const opts = [{ value: '', label: '（无）' }, { value: '${leadSection}', label: '${leadSection} 牵头科室' }, { value: '${section}', label: '${section} 会审部门' }]
      for (const s of orgTree.sections) opts.push({ value: s.code, label: s.name + '（' + s.code + '）' })
      if (cur && !opts.some((o) => o.value === cur)) opts.push({ value: cur, label: cur })
      return opts
    },
  })
}

function entries(element: any) {
  const bo = element.businessObject
  const out: any[] = []
  if (is(bo, 'bpmn:UserTask')) {
    out.push(
      { id: 'ow-stepKind', component: selectEntry('ow-stepKind', '环节类型 (ow:stepKind)', 'ow:stepKind', () => [{ value: '', label: '（无）' }, ...stepKinds.map((k) => ({ value: k, label: stepKindNames[k] + ' ' + k }))]), isEdited: isSelectEntryEdited },
      { id: 'ow-timeLimit', component: attrEntry('ow-timeLimit', '时限（工作日，ow:timeLimit）', 'ow:timeLimit'), isEdited: isTextFieldEntryEdited },
      { id: 'ow-warnDays', component: attrEntry('ow-warnDays', '预警提前（工作日，ow:warnDays）', 'ow:warnDays'), isEdited: isTextFieldEntryEdited },
      { id: 'ow-countersign', component: attrEntry('ow-countersign', '会签规则（all / any / 比例，ow:countersign）', 'ow:countersign'), isEdited: isTextFieldEntryEdited },
      { id: 'ow-opinions', component: selectEntry('ow-opinions', '意见公开 (ow:opinions)', 'ow:opinions', () => [{ value: '', label: '内部 internal' }, { value: 'public', label: '公开 public' }]), isEdited: isSelectEntryEdited },
      { id: 'ow-candidateGroups', component: CandidateGroups, isEdited: isSelectEntryEdited },
    )
  }
  if (is(bo, 'bpmn:ServiceTask') || is(bo, 'bpmn:SendTask') || is(bo, 'bpmn:ScriptTask') || is(bo, 'bpmn:BusinessRuleTask')) {
    out.push({ id: 'ow-handler', component: attrEntry('ow-handler', '处理程序 (ow:handler)', 'ow:handler'), isEdited: isTextFieldEntryEdited })
  }
  if (is(bo, 'bpmn:BoundaryEvent') || is(bo, 'bpmn:IntermediateCatchEvent') || is(bo, 'bpmn:StartEvent')) {
    const timer = (bo.eventDefinitions || []).some((d: any) => is(d, 'bpmn:TimerEventDefinition'))
    if (timer) out.push({ id: 'ow-workingDays', component: attrEntry('ow-workingDays', '工作日定时（ow:workingDays）', 'ow:workingDays'), isEdited: isTextFieldEntryEdited })
  }
  if (is(bo, 'bpmn:FlowNode')) {
    out.push({
      id: 'ow-clock',
      component: selectEntry('ow-clock', '计时 (ow:clock)', 'ow:clock', () => [
        { value: '', label: '（不变）' },
        { value: 'start', label: '开始计时 start' },
        { value: 'startAtReceipt', label: '自收件起计时 startAtReceipt' },
        { value: 'pause', label: '暂停计时 pause' },
        { value: 'stop', label: '停止计时 stop' },
      ]),
      isEdited: isSelectEntryEdited,
    })
  }
  return out
}

/** OwPropertiesProvider adds the "onewindow" group to the properties panel. */
class OwPropertiesProvider {
  static $inject = ['propertiesPanel']
  constructor(propertiesPanel: any) {
    propertiesPanel.registerProvider(400, this)
  }
  getGroups(element: any) {
    return (groups: any[]) => {
      const list = entries(element)
      if (list.length) groups.splice(1, 0, { id: 'onewindow', label: 'onewindow 一窗受理', entries: list.map((e) => ({ ...e, element })) })
      return groups
    }
  }
}

/** owPropertiesModule is the didi module of the provider. */
export default {
  __init__: ['owPropertiesProvider'],
  owPropertiesProvider: ['type', OwPropertiesProvider],
}
