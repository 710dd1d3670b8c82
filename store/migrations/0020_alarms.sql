-- Long timers of cases (BPMN timers and the clock's warnings and overdue alarms due more than
-- engine.AlarmThreshold ahead) wait here instead of in go-workflows, where every poll of the
-- engine store used to read them. The engine's alarm loop (engine.RunAlarms, in every process
-- that runs workers) reads the due ones through alarms_due, claims each by moving it from armed
-- to fired in the transaction that queues its signal in signal_outbox, so that it fires once
-- whatever crashes and however many loops run.
CREATE TABLE alarms (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL,
    channel     TEXT NOT NULL,
    due_at      {{timestamp}} NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('armed', 'fired', 'cancelled')),
    created_at  {{timestamp}} NOT NULL,
    ended_at    {{timestamp}}
);
CREATE INDEX alarms_due ON alarms (due_at) WHERE state = 'armed';
CREATE INDEX alarms_case ON alarms (case_id) WHERE state = 'armed';
