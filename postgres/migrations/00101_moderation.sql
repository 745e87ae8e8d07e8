-- +goose Up
-- Moderation of feedback reports: staff may hide a report from every public
-- view or edit its public text. The citizen's original stays untouched; the
-- public view reads the override. Every decision is kept with its reason.
ALTER TABLE feedback_reports ADD COLUMN hidden_at timestamptz;
ALTER TABLE feedback_reports ADD COLUMN public_title text;
ALTER TABLE feedback_reports ADD COLUMN public_content text;

CREATE TABLE feedback_moderation (
    id          bigserial PRIMARY KEY,
    workflow_id text NOT NULL REFERENCES cases(workflow_id) ON DELETE CASCADE,
    actor_id    bigint NOT NULL,
    actor_name  text NOT NULL DEFAULT '',
    action      text NOT NULL CHECK (action IN ('hide', 'unhide', 'edit_text')),
    reason      text NOT NULL,
    before      jsonb NOT NULL,
    after       jsonb NOT NULL,
    idem_key    text,
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (actor_id, idem_key)
);
CREATE INDEX feedback_moderation_case ON feedback_moderation (workflow_id, id);

-- +goose Down
DROP TABLE feedback_moderation;
ALTER TABLE feedback_reports DROP COLUMN hidden_at, DROP COLUMN public_title, DROP COLUMN public_content;
