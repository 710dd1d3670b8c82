// Routes of the public portal (/portal/*), issue 16: no account needed except to apply and to
// follow one's own cases (meta.applicant: the page asks to sign in within the portal).
import type { RouteRecordRaw } from 'vue-router'

const pub = (title: string, extra: Record<string, unknown> = {}) => ({ public: true, title, ...extra })

export default [
  {
    path: '/portal',
    component: () => import('./PortalLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', name: 'portal', component: () => import('./Catalogue.vue'), meta: pub('portal.nav.catalogue') },
      { path: 'items/:id', name: 'portalGuide', component: () => import('./Guide.vue'), meta: pub('portal.guide.basics') },
      { path: 'items/:id/apply', name: 'portalApply', component: () => import('./Apply.vue'), meta: pub('portal.apply.title', { applicant: true }) },
      { path: 'progress', name: 'portalProgress', component: () => import('./Progress.vue'), meta: pub('portal.progress.title') },
      { path: 'results', name: 'portalResults', component: () => import('./Results.vue'), meta: pub('portal.results.title') },
      { path: 'statistics', name: 'portalStatistics', component: () => import('./Statistics.vue'), meta: pub('portal.stats.title') },
      { path: 'account', name: 'portalAccount', component: () => import('./Account.vue'), meta: pub('portal.nav.account') },
      { path: 'mine', name: 'portalMine', component: () => import('./MyCases.vue'), meta: pub('portal.mine.title', { applicant: true }) },
      { path: 'mine/:id', name: 'portalCase', component: () => import('./MyCase.vue'), meta: pub('portal.mine.title', { applicant: true }) },
      { path: 'complaint', name: 'portalComplaint', component: () => import('./Complaint.vue'), meta: pub('portal.complaint.title') },
      { path: 'disclosure', name: 'portalDisclosure', component: () => import('./Disclosure.vue'), meta: pub('portal.disclosure.title') },
    ],
  },
] as RouteRecordRaw[]
