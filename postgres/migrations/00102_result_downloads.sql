-- +goose Up
-- Every download of an issued result file: who, which file, when.
CREATE TABLE application_downloads (
    id          bigserial PRIMARY KEY,
    workflow_id text NOT NULL REFERENCES cases(workflow_id) ON DELETE CASCADE,
    media_id    text NOT NULL REFERENCES media(id),
    user_id     bigint NOT NULL,
    by_owner    boolean NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_downloads_case ON application_downloads (workflow_id, id);

-- +goose Down
DROP TABLE application_downloads;
