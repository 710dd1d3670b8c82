// Routes of the counter (/counter/*): clerks, reviewers and proxy agents.
import type { RouteRecordRaw } from 'vue-router'

const staff = ['clerk', 'reviewer', 'agent']
const all = ['clerk', 'reviewer', 'agent', 'supervisor']

export default [
  { path: '/counter', redirect: '/counter/inbox' },
  { path: '/counter/inbox', name: 'inbox', component: () => import('./Inbox.vue'), meta: { title: 'menu.inbox', roles: staff, menu: 'menu.counter' } },
  { path: '/counter/intake', name: 'intake', component: () => import('./Intake.vue'), meta: { title: 'menu.intake', roles: ['clerk'], menu: 'menu.counter' } },
  { path: '/counter/done', name: 'done', component: () => import('./Done.vue'), meta: { title: 'menu.done', roles: staff, menu: 'menu.counter' } },
  { path: '/counter/supervised', name: 'supervised', component: () => import('./Supervised.vue'), meta: { title: 'menu.supervised', roles: staff, menu: 'menu.counter' } },
  { path: '/counter/tasks/:id', name: 'task', component: () => import('./TaskPage.vue'), meta: { title: 'counter.task', roles: all } },
  { path: '/counter/cases/:id', name: 'case', component: () => import('./CaseView.vue'), meta: { title: 'counter.case', roles: all } },
  { path: '/counter/cases/:id/receipt', name: 'receipt', component: () => import('./Receipt.vue'), meta: { title: 'counter.receipt', roles: staff } },
  { path: '/counter/cases/:id/notice', name: 'noticeLetter', component: () => import('./NoticeLetter.vue'), meta: { title: 'counter.notice', roles: staff } },
] as RouteRecordRaw[]
