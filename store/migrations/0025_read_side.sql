-- Read side at scale (issue 11): indexes that let the lists walk their rows in the order they
-- show them and check each row's visibility with a few index probes, instead of sorting every
-- match or scanning a person's whole history per row. See store/case_scope.go, store/tasks.go
-- (ListInbox) and store/supervision_views.go, and tests/queryplan_test.go, which fails on a
-- full scan of cases or tasks.

-- The case list: newest first, by receipt time then id (the keyset of its cursor), overall and
-- per item; the per-caller columns for the personal scope (an applicant's own cases).
CREATE INDEX cases_received_id ON cases (received_at, id);
CREATE INDEX cases_item_received ON cases (item_id, received_at, id);
-- Columns most rows leave empty are indexed on their values only, so that the statistics
-- describe the values (the NULLs would make every lookup look unselective).
CREATE INDEX cases_submitted_by ON cases (submitted_by) WHERE submitted_by IS NOT NULL;
CREATE INDEX cases_agent ON cases (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX cases_window ON cases (window_id) WHERE window_id IS NOT NULL;
CREATE INDEX cases_station ON cases (station_id) WHERE station_id IS NOT NULL;
CREATE INDEX cases_calendar_unit ON cases (calendar_unit) WHERE calendar_unit IS NOT NULL;
-- Supervision's list of open cases: by due time (least time left first) and by start.
CREATE INDEX cases_open_due ON cases (due_at, id) WHERE status IN ('starting', 'active', 'incident');
CREATE INDEX cases_open_started ON cases (started_at, id) WHERE status IN ('starting', 'active', 'incident');

-- Visibility: "the caller acted on this case" probed from the case, and found from the caller.
CREATE INDEX case_actions_case_actor ON case_actions (case_id, actor_id);
CREATE INDEX case_actions_actor_case ON case_actions (actor_id, case_id);

-- Tasks held by a person (any state: a case stays visible to who handled it).
CREATE INDEX tasks_assignee ON tasks (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_owner ON tasks (owner) WHERE owner IS NOT NULL;
-- The inbox: open tasks by due time then age; those without a due time after them, by age.
CREATE INDEX tasks_open_due ON tasks (due_at, created_at, id) WHERE state = 'open' AND due_at IS NOT NULL;
CREATE INDEX tasks_open_undue ON tasks (created_at, id) WHERE state = 'open' AND due_at IS NULL;
-- Candidates found by group or user with their task (covering: no lookup of the row).
CREATE INDEX task_candidates_value_task ON task_candidates (kind, value, task_id);

-- Alerts newest first (their keyset) and per case.
CREATE INDEX alerts_fired_id ON alerts (fired_at, id);
CREATE INDEX alerts_case_kind ON alerts (case_id, kind);
-- Scorecards and statistics: the cases of a period, by receipt, start or end.
CREATE INDEX cases_started ON cases (started_at);
CREATE INDEX cases_ended ON cases (ended_at);
-- The case list's stage: is the case waiting for a supplement, probed per case.
CREATE INDEX subscriptions_case_open ON subscriptions (case_id, name) WHERE state = 'open';
