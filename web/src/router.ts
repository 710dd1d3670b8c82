// The router: /login, the public portal, and the shell holding every signed-in area. A page
// needing a role the user lacks goes home; a page needing sign-in goes to /login?redirect=...
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import './routes'
import { session, hasRole } from './session'
import { setUnauthorizedHandler } from './api'
import { loadMe } from './auth'
import counter from './counter/routes'
import supervision from './supervision/routes'
import studio from './studio/routes'
import portal from './portal/routes'

/** areaRoutes are the shell's pages, in menu order. */
export const areaRoutes: RouteRecordRaw[] = [...counter, ...supervision, ...studio]

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true, title: 'login.title' } },
  ...portal,
  {
    path: '/',
    component: () => import('./layouts/Shell.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/Home.vue'), meta: { title: 'menu.home' } },
      ...areaRoutes,
      { path: ':rest(.*)*', name: 'notFound', component: () => import('./views/NotFound.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.token) return { name: 'login', query: { redirect: to.fullPath } }
  if (!session.me) {
    try {
      await loadMe()
    } catch {
      return session.token ? true : { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  if (to.name === 'home') return landing() || true
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'home' }
  return true
})

/** landing is where a role starts: clerks, reviewers and agents at the inbox, supervisors at
 * the alerts, designers in the studio; others stay home. */
function landing(): string | undefined {
  if (hasRole('clerk', 'reviewer', 'agent')) return '/counter/inbox'
  if (hasRole('supervisor')) return '/supervision/alerts'
  if (hasRole('designer')) return '/studio'
  return undefined
}

// A refused token sends the user to sign in again, then back to the page they were on.
setUnauthorizedHandler(() => {
  const here = router.currentRoute.value
  if (here.name !== 'login') router.push({ name: 'login', query: { redirect: here.fullPath, expired: '1' } })
})
