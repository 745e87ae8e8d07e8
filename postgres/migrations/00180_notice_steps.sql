-- +goose Up
-- Steps whose notices are queued, whatever each recipient's consent and
-- preferences made of them. postgres.QueueStep writes a step's mark in the
-- same statement as its notifications and deliveries (all or nothing; until
-- 2026-12-01 evening it was written last, after them). A second run of the
-- same step (a retried activity, or the case workflow's safety net after the
-- API queued an Update's notices: workflows/outbox.go) is skipped, so
-- consent and followers apply as they stood when the step was first queued.
CREATE TABLE notice_steps (
    dedupe_key text PRIMARY KEY,
    queued_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notice_steps;
