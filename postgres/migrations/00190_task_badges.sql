-- +goose Up
-- The console's badges (CountTasks, on every console page) count an agency's
-- open tasks by holder, due time and role. With those columns in the index the
-- count reads the index alone (an index-only scan); before, it read the row of
-- every open task of the agencies the person sees (BENCHMARKS.md, T18). It
-- takes the place of tasks_agency_queue (agency, due time), whose range scans
-- it serves as well, so a task write updates no more indexes than before.
CREATE INDEX tasks_agency_badges ON tasks (agency_code, due_at) INCLUDE (assignee_id, candidate_role)
    WHERE status = 'open';
DROP INDEX IF EXISTS tasks_agency_queue;
-- Index-only scans skip the rows of pages the visibility map marks all-visible.
-- Tasks are written all day; vacuum them after 2 % of the rows changed rather
-- than 20 %, so the map stays current.
ALTER TABLE tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

-- +goose Down
ALTER TABLE tasks RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor);
CREATE INDEX tasks_agency_queue ON tasks (agency_code, due_at, priority DESC, id) WHERE status = 'open';
DROP INDEX IF EXISTS tasks_agency_badges;
