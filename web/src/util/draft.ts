// Half-filled forms survive a reload, an expired session or a server that is down: the form is
// kept in localStorage under a key until it is submitted.
import { watch, type Ref } from 'vue'

const PREFIX = 'onewindow.draft.'

/** keepDraft restores form from localStorage (if saved) and saves every change. */
export function keepDraft<T extends object>(key: string, form: Ref<T> | T) {
  const target = (isRef(form) ? form.value : form) as Record<string, unknown>
  const saved = localStorage.getItem(PREFIX + key)
  if (saved) {
    try {
      Object.assign(target, JSON.parse(saved))
    } catch {
      /* a broken draft is dropped */
    }
  }
  watch(
    () => JSON.stringify(isRef(form) ? form.value : form),
    (json) => localStorage.setItem(PREFIX + key, json),
  )
}

/** dropDraft forgets a draft once it is submitted. */
export function dropDraft(key: string) {
  localStorage.removeItem(PREFIX + key)
}

function isRef<T>(x: Ref<T> | T): x is Ref<T> {
  return typeof x === 'object' && x !== null && '__v_isRef' in (x as object)
}
