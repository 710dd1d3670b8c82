-- Decisions (issue 15): DMN files deploy beside BPMN files, with the same versioning. Each
-- decision of a .dmn file is a definition whose key is the decision's id (what a business
-- rule task's camunda:decisionRef or zeebe:calledDecision names); its xml is the whole file,
-- and namespace the file's, by which other .dmn files import it.
ALTER TABLE definitions ADD COLUMN kind TEXT NOT NULL DEFAULT 'bpmn' CHECK (kind IN ('bpmn', 'dmn'));
ALTER TABLE definitions ADD COLUMN namespace TEXT NOT NULL DEFAULT '';
-- the latest published file of a namespace, for imports
CREATE INDEX definitions_namespace ON definitions (namespace, state, created_at);
