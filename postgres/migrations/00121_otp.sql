-- +goose Up
-- One-time codes sent by SMS (issue 20): password resets and, now, phone
-- verification at registration share password_resets, told apart by purpose.
-- A registered but unverified account has users.status = 'pending'.
ALTER TABLE password_resets ADD COLUMN purpose text NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'register'));
CREATE INDEX password_resets_user_purpose ON password_resets (user_id, purpose, id DESC);

-- +goose Down
DROP INDEX password_resets_user_purpose;
ALTER TABLE password_resets DROP COLUMN purpose;
