-- Information-disclosure requests (依申请公开, issue 13): anyone asks an administrative organ
-- (a department) for government information; the request runs as a case of std-disclosure
-- (register, assign, reply) within 20 working days, extendable once by 20 with a reason.
CREATE TABLE disclosure_requests (
    id                TEXT PRIMARY KEY,
    process_case_id   TEXT NOT NULL UNIQUE,
    department_id     TEXT NOT NULL REFERENCES org_units (id),
    requester_id      TEXT REFERENCES users (id),
    requester_kind    TEXT NOT NULL CHECK (requester_kind IN ('naturalPerson', 'legalPerson')),
    requester_name    TEXT NOT NULL,
    contact_phone     TEXT NOT NULL,
    contact_address   TEXT NOT NULL,
    description       TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    delivery          TEXT NOT NULL CHECK (delivery IN ('online', 'email', 'post', 'pickup')),
    filed_at          {{timestamp}} NOT NULL,
    extended_at       {{timestamp}},
    extended_by       TEXT,
    extension_reason  TEXT,
    CHECK ((extended_at IS NULL) = (extension_reason IS NULL))
);
CREATE INDEX disclosure_requests_filed ON disclosure_requests (filed_at, id);
CREATE INDEX disclosure_requests_department ON disclosure_requests (department_id, filed_at, id);
CREATE INDEX disclosure_requests_requester ON disclosure_requests (requester_id, filed_at, id);
