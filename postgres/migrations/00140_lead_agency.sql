-- +goose Up
-- While another agency does its part of a dossier (liên thông), the sending
-- agency stays the lead: statistics count the dossier there.
ALTER TABLE cases ADD COLUMN lead_agency_code text;

-- +goose Down
ALTER TABLE cases DROP COLUMN lead_agency_code;
