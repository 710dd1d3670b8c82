// vue-i18n with Chinese by default and English available; the choice is kept in localStorage.
import { createI18n } from 'vue-i18n'
import zh from './locales/zh-CN'
import en from './locales/en'
import studio from './studio/messages'
import portal from './portal/messages'
import counter from './counter/messages'
import supervision from './supervision/messages'

const KEY = 'onewindow.locale'

export type Locale = 'zh-CN' | 'en'

export const i18n = createI18n({
  legacy: false,
  locale: (localStorage.getItem(KEY) as Locale) || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': { ...zh, studio: studio['zh-CN'], portal: portal['zh-CN'], counter: counter['zh-CN'], supervision: supervision['zh-CN'] },
    en: { ...en, studio: studio.en, portal: portal.en, counter: counter.en, supervision: supervision.en },
  },
})

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
}
