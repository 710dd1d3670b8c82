// Routes of supervision (/supervision/*): supervisors and leaders.
import type { RouteRecordRaw } from 'vue-router'

const sup = ['supervisor']
const menu = 'menu.supervision'

export default [
  { path: '/supervision', redirect: '/supervision/alerts' },
  { path: '/supervision/alerts', name: 'alerts', component: () => import('./Alerts.vue'), meta: { title: 'menu.alerts', roles: sup, menu } },
  { path: '/supervision/cases', name: 'openCases', component: () => import('./OpenCases.vue'), meta: { title: 'menu.openCases', roles: sup, menu } },
  { path: '/supervision/scorecards', name: 'scorecards', component: () => import('./Scorecards.vue'), meta: { title: 'menu.scorecards', roles: sup, menu } },
  { path: '/supervision/delegation', name: 'delegation', component: () => import('./Delegation.vue'), meta: { title: 'menu.delegation', roles: sup, menu } },
  { path: '/supervision/decisions', name: 'decisions', component: () => import('./Decisions.vue'), meta: { title: 'menu.decisions', roles: sup, menu } },
] as RouteRecordRaw[]
