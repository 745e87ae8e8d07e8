-- +goose Up
-- Appendix I reporting campaigns: which units must report by when.
CREATE TABLE report_campaigns (
    code        text PRIMARY KEY,
    title       text NOT NULL,
    deadline    timestamptz NOT NULL,
    created_by  bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE report_campaign_units (
    campaign_code text NOT NULL REFERENCES report_campaigns(code) ON DELETE CASCADE,
    unit_code     text NOT NULL REFERENCES agencies(code),
    PRIMARY KEY (campaign_code, unit_code)
);
CREATE INDEX report_campaign_units_unit ON report_campaign_units (unit_code);

-- One unit's entry: the working draft and a pointer to its latest submitted version.
CREATE TABLE deployment_reports (
    campaign_code    text NOT NULL,
    unit_code        text NOT NULL,
    draft            jsonb,
    draft_updated_at timestamptz,
    draft_by         bigint REFERENCES users(id),
    version          int NOT NULL DEFAULT 0,   -- 0 = never submitted
    submitted_at     timestamptz,
    late             boolean NOT NULL DEFAULT false,
    PRIMARY KEY (campaign_code, unit_code),
    FOREIGN KEY (campaign_code, unit_code) REFERENCES report_campaign_units (campaign_code, unit_code) ON DELETE CASCADE
);

-- Every submission is kept: resubmitting makes a new version.
CREATE TABLE deployment_report_versions (
    campaign_code text NOT NULL,
    unit_code     text NOT NULL,
    version       int NOT NULL,
    data          jsonb NOT NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    submitted_by  bigint REFERENCES users(id),
    late          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (campaign_code, unit_code, version),
    FOREIGN KEY (campaign_code, unit_code) REFERENCES deployment_reports (campaign_code, unit_code) ON DELETE CASCADE
);

-- Background exports (full case lists): the job row, the file in the blob store.
CREATE TABLE report_exports (
    id          text PRIMARY KEY,
    format      text NOT NULL CHECK (format IN ('csv','xlsx')),
    params      jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed')),
    blob_key    text,
    rows        bigint NOT NULL DEFAULT 0,
    size        bigint NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_by  bigint NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX report_exports_owner ON report_exports (created_by, created_at DESC);

CREATE INDEX IF NOT EXISTS users_last_login ON users (last_login_at);
CREATE INDEX IF NOT EXISTS cases_received ON cases (received_at);

-- +goose Down
DROP INDEX IF EXISTS cases_received;
DROP INDEX IF EXISTS users_last_login;
DROP TABLE report_exports, deployment_report_versions, deployment_reports, report_campaign_units, report_campaigns;
