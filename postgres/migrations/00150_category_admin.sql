-- +goose Up
-- Feedback categories are edited by the provincial admin (console and JSON
-- API): the share of the answer time at which the assignee is reminded is a
-- per-category setting (the workflow has always taken it from the case's
-- SLA, defaulting to 75 %), and each edit records when it happened.
ALTER TABLE feedback_categories
    ADD COLUMN reminder_pct int NOT NULL DEFAULT 75 CHECK (reminder_pct BETWEEN 50 AND 95),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE feedback_categories DROP COLUMN reminder_pct, DROP COLUMN updated_at;
