// Sign-in and sign-out against /auth/login, /me and /auth/logout.
import { api } from './api'
import { session, setToken, clearSession, type Me } from './session'

export async function login(username: string, password: string) {
  const t = await api.post<{ token: string }>('/auth/login', { username, password }, { anonymous: true })
  setToken(t.token)
  await loadMe()
}

export async function loadMe(): Promise<Me> {
  const me = await api.get<Me>('/me')
  session.me = me
  return me
}

export async function logout() {
  try {
    await api.post('/auth/logout')
  } finally {
    clearSession()
  }
}
