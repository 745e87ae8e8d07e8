-- +goose Up
-- Steps whose notices activities.Notify has queued, whatever each
-- recipient's consent and preferences made of them (written last, once the
-- reporter's and the followers' rows are in). A second run of the same step
-- (a retried activity, or the case workflow's safety net after the API
-- queued an Update's notices: workflows/outbox.go) is skipped, so consent
-- applies as it stood when the step was first queued.
CREATE TABLE notice_steps (
    dedupe_key text PRIMARY KEY,
    queued_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notice_steps;
