-- +goose Up
-- Work-queue indexes. The queues sort by due time (no due time = last), then
-- priority (high first), then id. Expressing that order as all-ascending keys
-- (coalesce(due_at, 'infinity'), -priority, id) lets one btree serve the ORDER BY
-- and the keyset cursor (a row comparison) with no Sort step, for open and for
-- closed tasks alike (status is an equality key).
CREATE INDEX tasks_agency_order ON tasks (agency_code, status, (coalesce(due_at, 'infinity'::timestamptz)), (-priority), id);
CREATE INDEX tasks_mine_order ON tasks (assignee_id, status, (coalesce(due_at, 'infinity'::timestamptz)), (-priority), id)
    WHERE assignee_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS tasks_mine_order;
DROP INDEX IF EXISTS tasks_agency_order;
