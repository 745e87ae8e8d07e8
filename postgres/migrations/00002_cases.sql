-- +goose Up
-- The shared read model of every case (feedback reports and applications).
-- Workflows write it through idempotent activities; lists, inboxes, statistics
-- and reports read only this (plus each feature's own detail tables).
CREATE TABLE cases (
    workflow_id     text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('feedback','application')),
    code            text NOT NULL UNIQUE,
    title           text NOT NULL,
    field           text NOT NULL,               -- category code or procedure field
    agency_code     text REFERENCES agencies(code), -- current responsible agency
    citizen_id      bigint REFERENCES users(id),
    status          text NOT NULL,
    channel         text NOT NULL DEFAULT 'online' CHECK (channel IN ('online','in_person','open311','postal')),
    priority        int NOT NULL DEFAULT 0,
    received_at     timestamptz NOT NULL,
    due_at          timestamptz,
    finished_at     timestamptz,
    closed          boolean NOT NULL DEFAULT false,
    overdue         boolean NOT NULL DEFAULT false,
    timeliness      text CHECK (timeliness IN ('early','on_time','late')),
    handling_hours  double precision,             -- working hours, received → finished
    rating          int CHECK (rating BETWEEN 1 AND 5),
    rating_comment  text,
    fee_due         bigint,                       -- VND owed before processing continues (applications)
    last_seq        bigint NOT NULL DEFAULT 0,    -- last applied event; writes are idempotent
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_citizen ON cases (citizen_id, received_at DESC);
CREATE INDEX cases_agency ON cases (agency_code, closed, due_at);
CREATE INDEX cases_kind_received ON cases (kind, received_at);

-- The timeline / audit trail / process control sheet: one row per event of a
-- case, keyed by workflow ID and the workflow's own event sequence, so a
-- retried activity cannot insert an event twice.
CREATE TABLE case_events (
    workflow_id  text NOT NULL REFERENCES cases(workflow_id) ON DELETE CASCADE,
    seq          int NOT NULL,
    at           timestamptz NOT NULL,
    actor_id     bigint,
    actor_name   text NOT NULL DEFAULT '',
    actor_agency text NOT NULL DEFAULT '',
    action       text NOT NULL,
    from_status  text NOT NULL DEFAULT '',
    to_status    text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    public       boolean NOT NULL DEFAULT true,
    detail       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (workflow_id, seq)
);

-- +goose Down
DROP TABLE case_events, cases;
