// Routes of the designer's studio (/studio/*), issue 16: definitions and their versions, the
// modeller, the item editor.
import type { RouteRecordRaw } from 'vue-router'

const roles = ['designer']

export default [
  { path: '/studio', name: 'studio', component: () => import('./Definitions.vue'), meta: { title: 'studio.defs.title', roles, menu: 'menu.studio' } },
  { path: '/studio/modeler', name: 'studioModeler', component: () => import('./Modeler.vue'), meta: { title: 'studio.modeler.title', roles, menu: 'menu.studio' } },
  { path: '/studio/items', name: 'studioItems', component: () => import('./Items.vue'), meta: { title: 'studio.items.title', roles, menu: 'menu.studio' } },
  { path: '/studio/items/:id', name: 'studioItem', component: () => import('./ItemEditor.vue'), meta: { title: 'studio.items.editor', roles } },
] as RouteRecordRaw[]
