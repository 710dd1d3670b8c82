-- The incident list (GET /api/v1/incidents) pages oldest first, across cases or by state: an
-- index in that order for each, so that a page reads its rows and no more.
CREATE INDEX incidents_listed ON incidents (created_at, id);
CREATE INDEX incidents_state_listed ON incidents (state, created_at, id);
