-- +goose Up
-- The event (case_events.seq) that closed a task, so that the events of a
-- workflow task that never completed (a crash after its local-activity
-- writes) can be undone when the workflow writes other events at those seqs.
ALTER TABLE tasks ADD COLUMN closed_seq int;

-- +goose Down
ALTER TABLE tasks DROP COLUMN closed_seq;
