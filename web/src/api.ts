// The REST client of the workbench: every screen talks to /api/v1 through it. It sends the
// session's token, turns the server's {code, message} errors into ApiError, sends the user to the
// login page on 401 (keeping the page to come back to) and raises the "server down" banner when
// the server cannot be reached.
import { reactive } from 'vue'
import { session, clearSession } from './session'

/** ApiError is an answer of the server other than 2xx, with its machine-readable code. */
export class ApiError extends Error {
  status: number
  code: string
  details?: unknown
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

/** connection is the state the banner shows: down while the server cannot be reached. */
export const connection = reactive({ down: false, lastError: '' })

/** onUnauthorized is set by the router: where to go when the token is refused. */
let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null | string[]>
  body?: unknown
  form?: FormData
  /** anonymous requests send no token (the public portal). */
  anonymous?: boolean
  signal?: AbortSignal
}

/** buildQuery turns an object into ?a=1&b=2, dropping empty values and repeating arrays. */
export function buildQuery(q?: RequestOptions['query']): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x))
    else p.append(k, String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

/** request calls the API; path starts after /api/v1 (e.g. "/tasks"). */
export async function request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (!opts.anonymous && session.token) headers.Authorization = 'Bearer ' + session.token
  let body: BodyInit | undefined
  if (opts.form) body = opts.form
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch('/api/v1' + path + buildQuery(opts.query), { method, headers, body, signal: opts.signal })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    connection.down = true
    connection.lastError = String(e)
    throw new ApiError(0, 'unreachable', '')
  }
  if (res.status >= 502 && res.status <= 504) {
    connection.down = true
  } else {
    connection.down = false
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: any = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
  }
  if (!res.ok) {
    const body = (data && data.error) || {}
    const code = body.code || 'http_' + res.status
    const message = body.message || res.statusText
    const err = new ApiError(res.status, code, message, body.fields)
    if (res.status === 401 && !opts.anonymous && session.token) {
      clearSession()
      onUnauthorized()
    }
    throw err
  }
  return data as T
}

export const api = {
  get: <T = unknown>(path: string, query?: RequestOptions['query'], o: RequestOptions = {}) =>
    request<T>('GET', path, { ...o, query }),
  post: <T = unknown>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('POST', path, { ...o, body }),
  put: <T = unknown>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('PUT', path, { ...o, body }),
  patch: <T = unknown>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('PATCH', path, { ...o, body }),
  del: <T = unknown>(path: string, o: RequestOptions = {}) => request<T>('DELETE', path, o),
  upload: <T = unknown>(path: string, form: FormData, o: RequestOptions = {}) => request<T>('POST', path, { ...o, form }),
}

/** fetchBlob downloads a file with the token (for previews of materials). */
export async function fetchBlob(path: string): Promise<Blob> {
  const headers: Record<string, string> = {}
  if (session.token) headers.Authorization = 'Bearer ' + session.token
  const res = await fetch('/api/v1' + path, { headers })
  if (!res.ok) {
    let code = 'http_' + res.status
    let message = res.statusText
    try {
      const d = (await res.json()).error || {}
      code = d.code || code
      message = d.message || message
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && session.token) {
      clearSession()
      onUnauthorized()
    }
    throw new ApiError(res.status, code, message)
  }
  return res.blob()
}

/** List is the keyset-paged answer of every list endpoint. */
export interface List<T> {
  items: T[]
  limit: number
  next?: string
  total?: number
}

/** FieldError names an offending field of a 400/422 answer. */
export interface FieldError {
  field: string
  message: string
}
