-- +goose Up
-- The procedure catalogue (thủ tục hành chính). Each procedure has versions
-- with effective dates; a dossier pins the version in force when accepted.
CREATE TABLE procedures (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    field      text NOT NULL,
    level      text NOT NULL CHECK (level IN ('province','commune')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- spec is the congdanso.Procedure JSON (agency, time, fee, documents, form
-- fields, steps, legal basis). Versions are immutable once published.
CREATE TABLE procedure_versions (
    procedure_code text NOT NULL REFERENCES procedures(code),
    version        int NOT NULL,
    effective_from timestamptz NOT NULL,
    spec           jsonb NOT NULL,
    published_by   bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (procedure_code, version)
);
CREATE INDEX procedure_versions_effective ON procedure_versions (procedure_code, effective_from DESC, version DESC);

-- Dossier detail beside the shared cases row. forms holds the issued forms
-- (form01 receipt, form02 supplementation request, form03 refusal, form04
-- apology, form05 stop notice) as JSON.
CREATE TABLE applications (
    id                bigserial UNIQUE,
    workflow_id       text PRIMARY KEY REFERENCES cases(workflow_id) ON DELETE CASCADE,
    code              text NOT NULL UNIQUE,
    procedure_code    text NOT NULL REFERENCES procedures(code),
    submitted_version int NOT NULL,
    procedure_version int,               -- pinned at acceptance
    citizen_id        bigint REFERENCES users(id),
    form              jsonb NOT NULL DEFAULT '{}',
    document_ids      jsonb NOT NULL DEFAULT '[]',
    appointment_at    timestamptz,
    current_step      text NOT NULL DEFAULT '',
    forms             jsonb NOT NULL DEFAULT '{}',
    result            jsonb,
    fee_paid_at       timestamptz,
    payment_id        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_citizen ON applications (citizen_id, id DESC);

-- +goose Down
DROP TABLE applications, procedure_versions, procedures;
