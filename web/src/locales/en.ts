// English messages of the shell and the workbench (same keys as zh-CN.ts).
export default {
  app: { title: 'onewindow', subtitle: 'Government service workbench', language: 'Language', logout: 'Sign out', serverDown: 'The server cannot be reached; try again shortly. What you typed is kept on this computer.', retry: 'Retry' },
  role: { admin: 'Administrator', designer: 'Designer', clerk: 'Clerk', reviewer: 'Reviewer', agent: 'Proxy agent', supervisor: 'Supervisor', applicant: 'Applicant', system: 'System' },
  login: { title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', failed: 'Sign-in failed', expired: 'Your session expired; please sign in again' },
  menu: { counter: 'Counter', inbox: 'Inbox', intake: 'Walk-in intake', done: 'Done', supervised: 'Due soon / overdue', supervision: 'Supervision', alerts: 'Alerts', openCases: 'Open cases', scorecards: 'Scorecards', delegation: 'Delegation rate', decisions: 'Decision support', studio: 'Studio', portal: 'Public portal', home: 'Home' },
  common: { search: 'Search', reset: 'Reset', refresh: 'Refresh', loading: 'Loading…', empty: 'Nothing here', more: 'Load more', cancel: 'Cancel', confirm: 'OK', save: 'Save', submit: 'Submit', back: 'Back', print: 'Print', all: 'All', yes: 'Yes', no: 'No', error: 'Error', ok: 'Done' },
  home: { welcome: 'Welcome, {name}', pick: 'Pick your work from the menu.' },
  notFound: 'Page not found',
  step: { acceptance: 'Acceptance', review: 'Review', coordination: 'Coordination', approval: 'Approval', certification: 'Certificate', delivery: 'Delivery' },
  channel: { window: 'Window', online: 'Online', station: 'Station' },
  outcome: { accept: 'Accept', refuse: 'Refuse', notify: 'Notify once', approve: 'Approve', reject: 'Reject', agree: 'Agree', object: 'Object', resolved: 'Resolved', rereview: 'Review again', none: 'Complete step', deficient: 'Accept with deficiencies', comment: 'Comment', claim: 'Claim', unclaim: 'Unclaim', resolve: 'Give back', return: 'Return', handover: 'Hand over', delegate: 'Delegate', signers: 'Add signer', 'remove-signer': 'Remove signer', comments: 'Comment' },
  taskState: { open: 'open', completing: 'being completed', completed: 'completed', cancelled: 'cancelled' },
  requirement: { required: 'Required', conditional: 'If applicable', optional: 'Optional' },
  errors: { unreachable: 'The server cannot be reached', task_closed: 'This step is closed', task_held: 'Someone else holds this task', no_authority: 'Not yours to act on', validation_failed: 'Please correct the form', materials_missing: 'Materials missing', notify_once: 'Notify once only', conflict: 'Conflict', body_too_large: 'File too large', unsupported_file_type: 'File type not accepted', invalid_credentials: 'Wrong username or password', forbidden: 'Not allowed', not_found: 'Not found' },
}
