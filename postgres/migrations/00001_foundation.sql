-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

-- The agency hierarchy: routing, the Casbin domains and the public directory.
CREATE TABLE agencies (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    type          text NOT NULL CHECK (type IN ('province','department','commune','central','association')),
    parent_code   text REFERENCES agencies(code),
    address       text NOT NULL DEFAULT '',
    phones        jsonb NOT NULL DEFAULT '{}',
    email         text NOT NULL DEFAULT '',
    website       text NOT NULL DEFAULT '',
    working_hours text NOT NULL DEFAULT '',
    lat           double precision,
    lng           double precision,
    leaders       jsonb NOT NULL DEFAULT '[]',
    police_phones jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agencies_parent ON agencies (parent_code);

-- Editable working-time calendar: holidays and make-up working days.
CREATE TABLE work_calendar_days (
    day        date PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('holiday','workday')),
    name       text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('citizen','staff','client_app')),
    phone         text UNIQUE,
    full_name     text NOT NULL,
    password_hash text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    address       text NOT NULL DEFAULT '',
    commune_code  text REFERENCES agencies(code),
    agency_code   text REFERENCES agencies(code),
    status        text NOT NULL DEFAULT 'active',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);
CREATE INDEX users_agency ON users (agency_code);
CREATE INDEX users_commune ON users (commune_code);

-- Role grants within an agency (the Casbin "g" lines are derived from these).
CREATE TABLE user_roles (
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL,
    agency_code text NOT NULL,
    PRIMARY KEY (user_id, role, agency_code)
);

-- Idempotency-Key store for every creating POST, shared by all API instances.
CREATE TABLE idempotency_keys (
    scope       text NOT NULL,
    user_id     bigint NOT NULL,
    key         text NOT NULL,
    status_code int,
    response    jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, user_id, key)
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- Notification outbox. dedupe_key makes a retried activity insert once; a
-- drainer marks rows sent, so nothing is sent twice.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    dedupe_key text NOT NULL UNIQUE,
    user_id    bigint,
    channel    text NOT NULL DEFAULT 'log',
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   int NOT NULL DEFAULT 0
);
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;

-- Human tasks: every open step of a case that waits on a person.
CREATE TABLE tasks (
    id             bigserial PRIMARY KEY,
    workflow_id    text NOT NULL,
    step_key       text NOT NULL,
    case_kind      text NOT NULL,
    case_code      text NOT NULL,
    case_title     text NOT NULL DEFAULT '',
    category       text NOT NULL DEFAULT '',
    action         text NOT NULL,
    agency_code    text NOT NULL,
    candidate_role text NOT NULL,
    assignee_id    bigint,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    priority       int NOT NULL DEFAULT 0,
    overdue        boolean NOT NULL DEFAULT false,
    due_at         timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    closed_by      bigint,
    UNIQUE (workflow_id, step_key)
);
CREATE INDEX tasks_agency_queue ON tasks (agency_code, due_at, priority DESC, id) WHERE status = 'open';
CREATE INDEX tasks_mine_queue ON tasks (assignee_id, due_at, priority DESC, id) WHERE status = 'open';
CREATE INDEX tasks_workflow ON tasks (workflow_id) WHERE status = 'open';

-- Uploaded files (photos, documents, covers). The bytes live in the blob store.
CREATE TABLE media (
    id           text PRIMARY KEY,
    owner_id     bigint,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Readable code sequences: PA-2026-000123, {agency}-{yyMMdd}-{NNNN}.
CREATE TABLE code_counters (
    prefix text PRIMARY KEY,
    last   bigint NOT NULL
);

-- +goose Down
DROP TABLE code_counters, media, tasks, notifications, audit_log, idempotency_keys, user_roles, users, work_calendar_days, agencies;
