-- +goose Up
-- Workplaces (đơn vị công tác): a citizen who is an official declares one;
-- the unit confirms it (an admin, or its uploaded staff list). Only confirmed
-- officials count in Phụ lục I.
CREATE TABLE workplaces (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    unit_code   text NOT NULL REFERENCES agencies(code),
    position    text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','confirmed','rejected')),
    source      text NOT NULL DEFAULT '' CHECK (source IN ('','admin','staff_list')),
    declared_at timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    decided_by  bigint REFERENCES users(id),
    reason      text NOT NULL DEFAULT ''
);
CREATE INDEX workplaces_unit ON workplaces (unit_code, status);

-- A unit's staff list (danh sách cán bộ, công chức, viên chức), as last
-- uploaded: phone numbers in the canonical form of accounts.
CREATE TABLE staff_list_entries (
    unit_code   text NOT NULL REFERENCES agencies(code),
    phone       text NOT NULL,
    full_name   text NOT NULL DEFAULT '',
    position    text NOT NULL DEFAULT '',
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by bigint REFERENCES users(id),
    PRIMARY KEY (unit_code, phone)
);
CREATE INDEX staff_list_phone ON staff_list_entries (phone);

-- Business accounts: an account holding a validated, unique tax code (MST),
-- linked to the person who registered it, counted in its commune.
CREATE TABLE businesses (
    tax_code      text PRIMARY KEY,
    name          text NOT NULL,
    commune_code  text REFERENCES agencies(code),
    owner_id      bigint NOT NULL REFERENCES users(id),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX businesses_commune ON businesses (commune_code) WHERE status = 'active';
CREATE INDEX businesses_owner ON businesses (owner_id);

-- +goose Down
DROP TABLE businesses, staff_list_entries, workplaces;
