// Messages of the counter screens (inbox, task page, intake, done and supervised lists).
export default {
  'zh-CN': { inbox: '待办' },
  en: { inbox: 'Inbox' },
}
