// English messages of the shell and the workbench (same keys as zh-CN.ts).
export default {
  app: { title: 'onewindow', subtitle: 'Government service workbench', language: 'Language', logout: 'Sign out', serverDown: 'The server cannot be reached; try again shortly. What you typed is kept on this computer.', retry: 'Retry' },
  role: { admin: 'Administrator', designer: 'Designer', clerk: 'Clerk', reviewer: 'Reviewer', agent: 'Proxy agent', supervisor: 'Supervisor', applicant: 'Applicant', system: 'System' },
  login: { title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', failed: 'Sign-in failed', expired: 'Your session expired; please sign in again' },
  menu: { counter: 'Counter', inbox: 'Inbox', intake: 'Walk-in intake', done: 'Done', supervised: 'Due soon / overdue', supervision: 'Supervision', alerts: 'Alerts', openCases: 'Open cases', scorecards: 'Scorecards', delegation: 'Delegation rate', decisions: 'Decision support', studio: 'Studio', portal: 'Public portal', home: 'Home' },
  common: { search: 'Search', reset: 'Reset', refresh: 'Refresh', loading: 'Loading…', empty: 'Nothing here', more: 'Load more', cancel: 'Cancel', confirm: 'OK', save: 'Save', submit: 'Submit', back: 'Back', print: 'Print', all: 'All', yes: 'Yes', no: 'No', error: 'Error', ok: 'Done' },
  home: { welcome: 'Welcome, {name}', pick: 'Pick your work from the menu.' },
  notFound: 'Page not found',
}
