// The API's shapes the counter screens read (the parts they use).

export interface Words {
  zh: string
  en: string
}

export interface InboxTask {
  id: string
  caseId: string
  elementId: string
  name: string
  state: string
  stepKind?: string
  assignee?: string
  claimedAt?: string
  delegation?: string
  createdAt: string
  warnAt?: string
  dueAt?: string
  caseNumber?: string
  itemId?: string
  itemName?: string
  applicantName?: string
  channel?: string
  receivedAt?: string
  loopCounter: number
}

export interface Material {
  code: string
  name: string
  form?: string
  count?: number
  requirement: string
  condition?: string
}

export interface FileInfo {
  id: string
  name: string
  contentType: string
  size: number
  uploadedAt?: string
}

export interface CaseMaterial {
  id: string
  code: string
  name: string
  version: number
  addedAt: string
  files: FileInfo[]
}

export interface CaseDetail {
  id: string
  number: string
  itemId: string
  itemCode: string
  itemName: string
  channel: string
  applicantName: string
  stage: string
  stageText: Words
  decision?: string
  decisionText?: Words
  receivedAt: string
  dueAt?: string
  endedAt?: string
  queryCode?: string
  itemVersion: number
  applicant: { name: string; kind: string; certType?: string; certNo?: string; phone?: string }
  form: Record<string, unknown>
  deadlines: { promisedDays?: number; statutoryDays?: number; clockState: string; dueAt?: string; statutoryDueAt?: string }
  steps: { taskId?: string; name: string; stepKind?: string; units?: string[]; since: string; dueAt?: string }[]
  refusalReason?: string
  decisionReason?: string
  materials: CaseMaterial[]
  commitments: { materialCode: string; materialName?: string; promisedDate: string; state?: string }[]
  timeline: { at: string; kind: string; text: Words; actor?: string; step?: string; comment?: string }[]
}

export interface TaskDetail {
  task: InboxTask & { owner?: string; documentation?: string; limitDays?: number }
  units: string[]
  candidateGroups: string[]
  authority?: { kind: string; unitCode?: string }
  outcomes: string[]
  requires: Record<string, string[]>
  reads: string[]
  passed: string[]
  /** passedNames names each passed step: element id → step name */
  passedNames?: Record<string, string>
  signers?: { taskId: string; section: string; name?: string; state: string }[]
  actions: unknown[]
  case: CaseDetail
}

export interface DiagramElement {
  elementId: string
  state: 'done' | 'current' | 'countersign'
  open: number
  completed: number
}

export interface CaseDiagram {
  xml: string
  definitionKey: string
  definitionVersion: number
  elements: DiagramElement[]
}

export interface PublicItem {
  itemId: string
  code: string
  name: string
  handlingType: string
  channels: string[]
  materials: Material[]
  promisedDays?: number
  statutoryDays?: number
  departmentId?: string
  departmentName?: string
  location?: string
  result?: string
}
