-- +goose Up
-- Personal-data rights (Law 91/2025/QH15 on personal data protection; see
-- docs/personal-data.md): consents with the version of the text agreed to,
-- account deletion (anonymised profile) and photos withheld after deletion.

-- One row per user and purpose: the latest decision. "terms" is the
-- processing needed to provide the service; "notifications" is optional and
-- may be withdrawn at any time.
CREATE TABLE consents (
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose      text NOT NULL CHECK (purpose IN ('terms', 'notifications')),
    version      text NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    PRIMARY KEY (user_id, purpose)
);

-- Every decision, kept as evidence of consent (who, what, which text, when).
CREATE TABLE consent_events (
    id       bigserial PRIMARY KEY,
    user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose  text NOT NULL,
    version  text NOT NULL,
    granted  boolean NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_user ON consent_events (user_id, id);

ALTER TABLE users ADD COLUMN deleted_at timestamptz;
-- A withheld file is shown to no one but staff who record why they need it.
ALTER TABLE media ADD COLUMN withheld_at timestamptz;

-- +goose Down
ALTER TABLE media DROP COLUMN withheld_at;
ALTER TABLE users DROP COLUMN deleted_at;
DROP TABLE consent_events, consents;
