// Shared pieces of the portal: the published guides (for the department lists of the forms),
// the applicant's sign-in state and the upload limits checked before an upload starts.
import { onMounted, ref } from 'vue'
import { api } from '../api'
import { session } from '../session'

/** Guide is a published item's service guide (GET /public/items). */
export interface Guide {
  itemId: string
  code: string
  name: string
  kind: string
  handlingType: string
  theme?: string
  level?: string
  departmentId: string
  department: { id: string; name: string }
  implementingBody: { name: string }
  leadSection: { name: string; departmentName?: string }
  coReviewers: { name: string; departmentName?: string }[]
  legalBasis: string
  conditions?: string
  materials: { code: string; name: string; form: string; count?: number; requirement: string; sample?: string; note?: string; condition?: string }[]
  fees: { name: string; standard: string; basis?: string }[]
  statutoryDays: number
  promisedDays: number
  onSiteVisits: number
  channels: string[]
  enquiry?: { phone: string; address?: string }
  complaint?: { phone: string; address?: string }
  location?: string
  hours?: string
  result?: string
  publishResults?: boolean
  stepLimits?: Record<string, number>
}

/** themes and levels are the values the catalogue is searched by (store.ItemThemes, ItemLevels). */
export const themes = ['household', 'socialSecurity', 'businessStartup', 'investment', 'realEstate', 'marriage', 'socialAssistance', 'health', 'birth', 'employment', 'education', 'socialOrganisation', 'other']
export const levels = ['region', 'city', 'county', 'township']

/** Words is a text in Chinese and English from the server. */
export interface Words {
  zh: string
  en: string
}

/** allGuides reads every published guide (the catalogue is a few hundred items). */
export async function allGuides(query: Record<string, string> = {}): Promise<Guide[]> {
  const out: Guide[] = []
  let after: string | undefined
  for (let i = 0; i < 20; i++) {
    const page = await api.get<{ items: Guide[]; next?: string }>('/public/items', { ...query, limit: 200, after }, { anonymous: true })
    out.push(...page.items)
    if (!page.next) break
    after = page.next
  }
  return out
}

/** departments lists the distinct departments of the guides, by name. */
export function departments(guides: Guide[]): { id: string; name: string }[] {
  const m = new Map<string, string>()
  for (const g of guides) m.set(g.departmentId, g.department?.name || g.departmentId)
  return [...m.entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh'))
}

/** isApplicant says whether an applicant is signed in. */
export function isApplicant(): boolean {
  return !!session.token && !!session.me?.roles.includes('applicant')
}

/** words picks the text of the current language. */
export function words(w: Words | undefined, locale: string): string {
  if (!w) return ''
  return locale === 'en' ? w.en : w.zh
}

/** Upload limits of POST /files: checked before the upload starts. */
export const maxUploadMB = 20
export const acceptedTypes = ['.pdf', '.jpg', '.jpeg', '.png', '.ofd', '.docx']

/** checkUpload returns the reason a file would be refused, or ''. */
export function checkUpload(f: File, t: (k: string, a?: Record<string, unknown>) => string): string {
  if (f.size > maxUploadMB * 1024 * 1024) return t('portal.apply.tooLarge', { name: f.name, limit: maxUploadMB })
  const lower = f.name.toLowerCase()
  if (!acceptedTypes.some((x) => lower.endsWith(x))) return t('portal.apply.badType', { name: f.name })
  return ''
}

/** uploadWithProgress posts a file to /files with XHR, reporting progress in percent. */
export function uploadWithProgress(f: File, onProgress: (p: number) => void): Promise<{ id: string; name: string; size: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/v1/files')
    if (session.token) xhr.setRequestHeader('Authorization', 'Bearer ' + session.token)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded * 100) / e.total))
    xhr.onload = () => {
      let data: any = {}
      try {
        data = JSON.parse(xhr.responseText)
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data)
      else reject(new Error(data?.error?.message || xhr.statusText || 'HTTP ' + xhr.status))
    }
    xhr.onerror = () => reject(new Error('offline'))
    const fd = new FormData()
    fd.append('file', f)
    xhr.send(fd)
  })
}

/** fmtTime shows a server time in the reader's locale, to the minute. */
export function fmtTime(s?: string): string {
  if (!s) return ''
  const d = new Date(s)
  if (isNaN(d.getTime())) return s
  return d.toLocaleString('zh-CN', { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
}

/** publicForm is the state of a form anyone may send (a complaint, an information request): the
 * departments to address it to, the error, and the confirmation with the new record's id. */
export function publicForm(path: string, doneKey: string, t: (k: string, a?: Record<string, unknown>) => string) {
  const depts = ref<{ id: string; name: string }[]>([])
  const error = ref('')
  const done = ref('')
  onMounted(async () => (depts.value = departments(await allGuides())))
  /** send posts body, unless missing names a required field left empty. */
  async function send(body: object, missing: string) {
    error.value = ''
    if (missing) {
      error.value = t('portal.required', { f: missing })
      return
    }
    try {
      const r = await api.post<{ id: string }>(path, body, { anonymous: !session.token })
      done.value = t(doneKey, { id: r.id })
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  return { depts, error, done, send }
}
