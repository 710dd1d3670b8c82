// The signed-in user: the token (kept in localStorage so a reload keeps the session), the user,
// roles and memberships from GET /me.
import { reactive } from 'vue'

export interface User {
  id: string
  username: string
  displayName: string
  kind: string
}

export interface Membership {
  orgUnitId: string
  orgUnitCode: string
  orgUnitName: string
  orgUnitKind: string
  role: string
}

export interface Me {
  user: User
  roles: string[]
  memberships: Membership[]
}

const KEY = 'onewindow.token'

export const session = reactive({
  token: localStorage.getItem(KEY) || '',
  me: null as Me | null,
})

export function setToken(token: string) {
  session.token = token
  localStorage.setItem(KEY, token)
}

export function clearSession() {
  session.token = ''
  session.me = null
  localStorage.removeItem(KEY)
}

/** hasRole says whether the user holds one of roles (admins hold every staff role). */
export function hasRole(...roles: string[]): boolean {
  const mine = session.me?.roles || []
  if (mine.includes('admin') && !roles.includes('applicant')) return true
  return roles.some((r) => mine.includes(r))
}
