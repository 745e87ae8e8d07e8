-- +goose Up
-- Casbin policy lines (p and g), read and written by the adapter in policy/.
CREATE TABLE casbin_rule (
    id    bigserial PRIMARY KEY,
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT '',
    UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);
CREATE INDEX casbin_rule_domain ON casbin_rule (ptype, v1);

-- Lines seeded from policies/*.csv once. A line an admin removed is not
-- seeded again at the next start.
CREATE TABLE casbin_seeded (
    line      text PRIMARY KEY,
    seeded_at timestamptz NOT NULL DEFAULT now()
);

-- Every change to the policy or to the agency tree wakes the watchers of all
-- API instances.
-- +goose StatementBegin
CREATE FUNCTION cds_notify_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cds_policy', TG_TABLE_NAME);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER casbin_rule_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
    FOR EACH STATEMENT EXECUTE FUNCTION cds_notify_policy();
CREATE TRIGGER agencies_notify AFTER INSERT OR UPDATE OR DELETE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION cds_notify_policy();

-- +goose Down
DROP TRIGGER agencies_notify ON agencies;
DROP TRIGGER casbin_rule_notify ON casbin_rule;
DROP FUNCTION cds_notify_policy();
DROP TABLE casbin_seeded, casbin_rule;
