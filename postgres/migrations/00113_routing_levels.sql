-- +goose Up
-- Two-level local government (from 1/7/2025): each feedback category says at
-- which level it is handled. A commune-level case goes to the ward or commune
-- where it happens (routing: a commune-specific row of feedback_routes first,
-- then the commune itself for a commune-level category, then the category's
-- provincial agency, then the province coordinator). Procedures already carry
-- their level (procedures.level, spec.level).
ALTER TABLE feedback_categories ADD COLUMN level text NOT NULL DEFAULT 'province'
    CHECK (level IN ('commune','province'));
-- Local order, sanitation and land use are the commune's business; traffic
-- on roads, electricity, water, health, education stay with the provincial
-- bodies; "other" goes to the coordinator to be triaged.
UPDATE feedback_categories SET level = 'commune' WHERE code IN ('public_order', 'environment', 'land');

-- +goose Down
ALTER TABLE feedback_categories DROP COLUMN level;
