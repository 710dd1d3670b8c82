// Plain words for the server's errors: the server's own message, with a Chinese lead-in by code.
import { ApiError } from '../api'
import { i18n } from '../i18n'

/** explain turns an error into the sentence a screen shows in place. */
export function explain(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    if (e.status === 0) return t('errors.unreachable')
    const lead = i18n.global.te('errors.' + e.code) ? t('errors.' + e.code) : ''
    const fields = Array.isArray(e.details) ? (e.details as { field: string; message: string }[]).map((f) => `${f.field}: ${f.message}`).join('；') : ''
    return [lead, e.message, fields].filter(Boolean).join(' — ')
  }
  return String(e)
}
