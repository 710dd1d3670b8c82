// Routes of the public portal (/portal/*), issue 16: no account needed.
import type { RouteRecordRaw } from 'vue-router'

export default [
  {
    path: '/portal',
    component: () => import('./PortalLayout.vue'),
    meta: { public: true },
    children: [{ path: '', name: 'portal', component: () => import('./PortalHome.vue'), meta: { public: true, title: 'portal.title' } }],
  },
] as RouteRecordRaw[]
