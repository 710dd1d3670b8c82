-- Keyset paging (?after=) of the complaints and the done list (issue 11, read side): each page
-- continues the list's order through an index from the last row of the page before. The open
-- commitments (case_commitments_open) and the incidents (incidents_listed,
-- incidents_state_listed) have theirs already.
CREATE INDEX complaints_filed ON complaints (filed_at, id);
CREATE INDEX case_actions_done_actor ON case_actions (actor_id, at, id) WHERE action = 'complete';
CREATE INDEX case_actions_done_window ON case_actions (window_id, at, id) WHERE action = 'complete' AND window_id IS NOT NULL;
