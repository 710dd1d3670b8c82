-- Department systems and the public side (issue 13).

-- A rotated API key keeps working until expires_at (the overlap), so that a system can switch
-- to its new key without a gap.
ALTER TABLE api_keys ADD COLUMN expires_at {{timestamp}};

-- The result documents a step produced (a licence, a reply letter), attached to the case by a
-- department system or a clerk.
CREATE TABLE case_documents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    task_id      TEXT,
    file_id      TEXT NOT NULL REFERENCES files (id),
    name         TEXT NOT NULL,
    attached_by  TEXT NOT NULL REFERENCES users (id),
    attached_at  {{timestamp}} NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, attached_at);
CREATE INDEX case_documents_file ON case_documents (file_id);

-- Result publicity (办件结果公示): a published item version says whether its finished cases are
-- published (ItemContent.PublishResults); the public list pages finished cases newest first.
ALTER TABLE item_versions ADD COLUMN publish_results BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_finished ON cases (status, ended_at, id);
CREATE INDEX cases_item_finished ON cases (item_id, status, ended_at, id);

-- Delivery of notifications to people through the configured sender (log, webhook, email,
-- SMS): its state per notification. Notifications written before this release are not sent.
ALTER TABLE notifications ADD COLUMN delivery_state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE notifications ADD COLUMN delivery_channel TEXT;
ALTER TABLE notifications ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN delivery_error TEXT;
ALTER TABLE notifications ADD COLUMN delivery_started_at {{timestamp}};
UPDATE notifications SET delivery_state = 'skipped', delivery_error = 'written before delivery existed';
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE delivery_started_at IS NULL AND delivery_state = 'pending';

-- Where a person gets their notifications by email.
CREATE TABLE notification_addresses (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);
