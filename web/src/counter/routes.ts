// Routes of the counter (/counter/*): clerks, reviewers and proxy agents.
import type { RouteRecordRaw } from 'vue-router'

const staff = ['clerk', 'reviewer', 'agent']

export default [
  { path: '/counter', redirect: '/counter/inbox' },
  { path: '/counter/inbox', name: 'inbox', component: () => import('./Inbox.vue'), meta: { title: 'menu.inbox', roles: staff, menu: 'menu.counter' } },
] as RouteRecordRaw[]
