// Routes of the designer's studio (/studio/*), issue 16.
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/studio', name: 'studio', component: () => import('./StudioHome.vue'), meta: { title: 'studio.title', roles: ['designer'], menu: 'menu.studio' } },
] as RouteRecordRaw[]
