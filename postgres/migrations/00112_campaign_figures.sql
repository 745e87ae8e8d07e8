-- +goose Up
-- Install figures that hold: a campaign has a reporting period and an as-of
-- instant ("số liệu tính đến ngày"); the counted figures are frozen when a
-- unit submits (with the version) and when the campaign closes.
ALTER TABLE report_campaigns
    ADD COLUMN period_from date,
    ADD COLUMN period_to   date,
    ADD COLUMN as_of       timestamptz,  -- NULL: the deadline
    ADD COLUMN closed_at   timestamptz;

ALTER TABLE deployment_report_versions
    ADD COLUMN counted       jsonb,       -- the unit's counted figures at submission
    ADD COLUMN counted_as_of timestamptz; -- the instant they were counted at

-- The figures frozen at closing: every unit's and the province-wide ones.
CREATE TABLE campaign_figures (
    campaign_code text PRIMARY KEY REFERENCES report_campaigns(code) ON DELETE CASCADE,
    as_of         timestamptz NOT NULL,
    taken_at      timestamptz NOT NULL DEFAULT now(),
    taken_by      bigint REFERENCES users(id),
    units         jsonb NOT NULL,   -- {"SXD": {"officials_registered": 4, ...}, ...}
    province      jsonb NOT NULL    -- ProvinceCounts
);

-- +goose Down
DROP TABLE campaign_figures;
ALTER TABLE deployment_report_versions DROP COLUMN counted_as_of, DROP COLUMN counted;
ALTER TABLE report_campaigns DROP COLUMN closed_at, DROP COLUMN as_of, DROP COLUMN period_to, DROP COLUMN period_from;
