// Messages of the designer's studio (issue 16), merged under the key "studio".
export default {
  'zh-CN': {
    title: '流程设计室',
    placeholder: '流程设计室',
    defs: { title: '流程定义', new: '新建流程', key: '流程标识', name: '名称', latest: '最新版', published: '已发布版', state: '状态', states: { draft: '草稿', published: '已发布' }, deployedBy: '部署', publishedBy: '发布', open: '打开', from: '从', to: '到', diff: '比较', same: '两个版本的模型相同', added: '新增', removed: '删除', changed: '修改' },
    modeler: {
      title: '流程建模', new: '新流程', basedOn: '基于 v{v}', dirty: '未保存', openFile: '打开文件', saveFile: '保存文件', deploy: '部署', publish: '发布', bind: '绑定到事项',
      problems: '问题', checking: '校验中…', noProblems: '没有问题', dryRun: '试运行', fixFirst: '还有 {n} 个错误，改正后才能部署', deployed: '已部署 {key} v{v}（草稿）', published: '已发布 {key} v{v}',
      testsFailed: '测试用例未通过，未发布：', unsaved: '流程有未部署的修改，离开将丢失这些修改。', unsavedTitle: '未保存的修改', leave: '离开', notOpened: '文件未能打开，当前流程图未受影响',
    },
    dry: {
      variables: '启动变量（JSON）', start: '运行', reset: '清空', state: '状态', states: { active: '进行中', completed: '已办结', incident: '出错' }, outcome: '结果', complete: '完成', advance: '推进时间', message: '消息名', send: '发送消息',
      clock: '计时', warn: '预警', due: '到期', script: '脚本', tests: '测试用例', testName: '用例名称', keep: '保存为用例', remove: '删除', testN: '用例 {n}',
      completeStep: '完成「{task}」，结果 {outcome}', advanceStep: '推进 {d}', messageStep: '消息 {m}', broken: '流程有 {n} 个错误，无法试运行', badVars: '启动变量不是合法的 JSON', testFailed: '「{name}」应为 {want}，实际 {got}',
    },
    items: {
      title: '事项管理', editor: '事项编辑', new: '新建事项', search: '名称或编码', code: '实施编码', name: '事项名称', kind: '事项类型', handling: '办件类型', department: '主管部门', lead: '牵头（受理）科室', coReviewers: '并联审查科室',
      legalBasis: '设定依据', conditions: '受理条件', limits: '办理时限', warn: '预警', flow: '流程', version: '版本（0 为最新发布）', publishResults: '办件结果公示', feeName: '收费项目', feeStandard: '收费标准', mcode: '编码',
      preview: '预览服务指南', publish: '发布', saved: '已保存草稿', publishedV: '已发布第 {v} 版', stepDefault: '流程默认 {n} 个工作日',
      kinds: { licence: '行政许可', confirmation: '行政确认', payment: '行政给付', ruling: '行政裁决', reward: '行政奖励', levy: '行政征收', otherPower: '其他行政权力', publicService: '公共服务' },
    },
  },
  en: {
    title: 'Designer studio',
    placeholder: 'Designer studio',
    defs: { title: 'Definitions', new: 'New flow', key: 'Key', name: 'Name', latest: 'Latest', published: 'Published', state: 'State', states: { draft: 'draft', published: 'published' }, deployedBy: 'Deployed', publishedBy: 'Published', open: 'Open', from: 'From', to: 'To', diff: 'Compare', same: 'The two models are the same', added: 'added', removed: 'removed', changed: 'changed' },
    modeler: {
      title: 'Modeller', new: 'New flow', basedOn: 'from v{v}', dirty: 'unsaved', openFile: 'Open file', saveFile: 'Save file', deploy: 'Deploy', publish: 'Publish', bind: 'Bind to an item',
      problems: 'Problems', checking: 'Checking…', noProblems: 'No problems', dryRun: 'Dry run', fixFirst: '{n} errors remain: fix them to deploy', deployed: 'Deployed {key} v{v} (draft)', published: 'Published {key} v{v}',
      testsFailed: 'A test case failed; nothing published: ', unsaved: 'The flow has changes not deployed; leaving loses them.', unsavedTitle: 'Unsaved changes', leave: 'Leave', notOpened: 'The file was not opened; the open diagram is unchanged',
    },
    dry: {
      variables: 'Start variables (JSON)', start: 'Run', reset: 'Clear', state: 'State', states: { active: 'active', completed: 'completed', incident: 'incident' }, outcome: 'Outcome', complete: 'Complete', advance: 'Advance', message: 'Message', send: 'Send',
      clock: 'Clock', warn: 'Warning', due: 'Due', script: 'Script', tests: 'Test cases', testName: 'Name', keep: 'Keep as test', remove: 'Remove', testN: 'Test {n}',
      completeStep: 'complete "{task}" with {outcome}', advanceStep: 'advance {d}', messageStep: 'message {m}', broken: 'The flow has {n} errors and cannot run', badVars: 'The start variables are not JSON', testFailed: '"{name}" should end {want}, ended {got}',
    },
    items: {
      title: 'Items', editor: 'Item editor', new: 'New item', search: 'Name or code', code: 'Code', name: 'Name', kind: 'Kind', handling: 'Handling', department: 'Department', lead: 'Lead section', coReviewers: 'Co-reviewers',
      legalBasis: 'Legal basis', conditions: 'Conditions', limits: 'Limits', warn: 'Warning', flow: 'Flow', version: 'Version (0: latest)', publishResults: 'Publish results', feeName: 'Fee', feeStandard: 'Amount', mcode: 'Code',
      preview: 'Preview guide', publish: 'Publish', saved: 'Draft saved', publishedV: 'Published version {v}', stepDefault: 'flow default {n} working days',
      kinds: { licence: 'Licence', confirmation: 'Confirmation', payment: 'Payment', ruling: 'Ruling', reward: 'Reward', levy: 'Levy', otherPower: 'Other power', publicService: 'Public service' },
    },
  },
}
