-- +goose Up
-- Unverified registrations are anonymised after a day (issue 20,
-- postgres.ExpirePendingAccounts): the periodic sweep reads this index.
CREATE INDEX users_pending_created ON users (created_at) WHERE status = 'pending';

-- +goose Down
DROP INDEX users_pending_created;
