// Messages of the supervision screens (alerts, open cases, scorecards, delegation, decisions).
export default {
  'zh-CN': { alerts: '监察预警' },
  en: { alerts: 'Alerts' },
}
