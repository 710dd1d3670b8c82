// Messages of the designer's studio (issue 16), merged under the key "studio".
export default {
  'zh-CN': { title: '流程设计室', placeholder: '流程设计室（建设中）' },
  en: { title: 'Designer studio', placeholder: 'Designer studio (to come)' },
}
