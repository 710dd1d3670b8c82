// Messages of the public portal (issue 16), merged under the key "portal".
export default {
  'zh-CN': { title: '政务服务网', placeholder: '公众门户（建设中）' },
  en: { title: 'Public service portal', placeholder: 'Public portal (to come)' },
}
