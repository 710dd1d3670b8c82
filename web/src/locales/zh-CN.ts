// Chinese (the default language) messages of the shell and the workbench. The studio and the
// portal keep theirs in studio/messages.ts and portal/messages.ts.
export default {
  app: { title: '一窗受理', subtitle: '政务服务工作台', language: '语言', logout: '退出', serverDown: '无法连接服务器，请稍后重试；已填写的内容已保存在本机。', retry: '重试' },
  role: { admin: '管理员', designer: '流程设计', clerk: '窗口受理', reviewer: '部门审核', agent: '代办员', supervisor: '电子监察', applicant: '申请人', system: '系统' },
  login: { title: '登录工作台', username: '用户名', password: '密码', submit: '登录', failed: '登录失败', expired: '登录已过期，请重新登录' },
  menu: { counter: '窗口办件', inbox: '待办', intake: '窗口收件', done: '已办', supervised: '超期预警', supervision: '电子监察', alerts: '监察预警', openCases: '在办件', scorecards: '绩效考评', delegation: '授权到位率', decisions: '决策参考', studio: '流程设计', portal: '公众门户', home: '首页' },
  common: { search: '查询', reset: '重置', refresh: '刷新', loading: '加载中…', empty: '暂无数据', more: '加载更多', cancel: '取消', confirm: '确定', save: '保存', submit: '提交', back: '返回', print: '打印', all: '全部', yes: '是', no: '否', error: '出错了', ok: '操作成功' },
  home: { welcome: '欢迎，{name}', pick: '请从左侧菜单选择工作。' },
  notFound: '页面不存在',
  step: { acceptance: '受理', review: '审查', coordination: '协调', approval: '审批', certification: '制证', delivery: '送达' },
  channel: { window: '窗口', online: '网上', station: '代办点' },
  outcome: { accept: '受理', refuse: '不予受理', notify: '一次性告知', approve: '准予', reject: '不予批准', agree: '同意', object: '不同意', resolved: '协调完成', rereview: '重新审查', none: '办结本环节', deficient: '容缺受理', comment: '意见', claim: '签收', unclaim: '退回签收', resolve: '交回', return: '退回', handover: '转办', delegate: '委派', signers: '加签', 'remove-signer': '减签', comments: '意见' },
  taskState: { open: '待办', completing: '办理中', completed: '办结', cancelled: '取消' },
  requirement: { required: '必交', conditional: '视情', optional: '选交' },
  errors: { unreachable: '无法连接服务器', task_closed: '该环节已办结', task_held: '该任务已被他人签收', no_authority: '无权办理', validation_failed: '填写有误', materials_missing: '材料不齐', notify_once: '一次性告知只能一次', conflict: '冲突', body_too_large: '文件过大', unsupported_file_type: '文件类型不被接受', invalid_credentials: '用户名或密码错误', forbidden: '无权访问', not_found: '未找到' },
}
