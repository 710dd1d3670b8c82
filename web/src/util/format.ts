// Formatting shared by the screens: times in Beijing time, due colours, plain-word labels.

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})
const dateFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })

/** when formats an instant as "2026/11/30 09:30" in Beijing time ("" for none). */
export function when(s?: string | null): string {
  return s ? fmt.format(new Date(s)) : ''
}

/** day formats an instant as "2026/11/30" in Beijing time. */
export function day(s?: string | null): string {
  return s ? dateFmt.format(new Date(s)) : ''
}

/** today is the date in Beijing time as YYYY-MM-DD. */
export function today(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86400000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d)
}

export type DueColour = 'green' | 'yellow' | 'red' | 'none'

/** dueColour is a task's colour from the server's working-day clock: red past dueAt, yellow past warnAt. */
export function dueColour(t: { warnAt?: string | null; dueAt?: string | null }, now = Date.now()): DueColour {
  if (!t.dueAt) return 'none'
  if (now >= Date.parse(t.dueAt)) return 'red'
  if (t.warnAt && now >= Date.parse(t.warnAt)) return 'yellow'
  return 'green'
}

/** stateColour maps a supervised case's state to a colour. */
export function stateColour(state: string): DueColour {
  switch (state) {
    case 'overdue':
    case 'ended_late':
      return 'red'
    case 'warning':
      return 'yellow'
    case 'normal':
    case 'paused':
    case 'ended':
      return 'green'
    default:
      return 'none'
  }
}

/** bytes formats a size. */
export function bytes(n: number): string {
  if (n < 1024) return n + ' B'
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KB'
  return (n / (1 << 20)).toFixed(1) + ' MB'
}

/** zh picks the text of a {zh, en} pair for the locale. */
export function words(t: { zh: string; en: string } | undefined, locale: string): string {
  if (!t) return ''
  return locale === 'en' ? t.en || t.zh : t.zh
}
