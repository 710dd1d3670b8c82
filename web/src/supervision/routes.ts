// Routes of supervision (/supervision/*): supervisors and leaders.
import type { RouteRecordRaw } from 'vue-router'

const sup = ['supervisor']

export default [
  { path: '/supervision', redirect: '/supervision/alerts' },
  { path: '/supervision/alerts', name: 'alerts', component: () => import('./Alerts.vue'), meta: { title: 'menu.alerts', roles: sup, menu: 'menu.supervision' } },
] as RouteRecordRaw[]
