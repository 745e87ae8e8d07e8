-- +goose Up
-- Issue 21, feedback follow-ups. Per-category settings (read at submission
-- into the case's SLA, so a change applies to new cases only):
--   info_days        working days the citizen has to send information asked for
--   info_grace_days  further working days after the one reminder before the case closes
--   complaint_days   calendar days after publication in which a complaint or a
--                    1–2 star rating reopens the case
--   clock_from       when the answer clock starts: 'submission' (the portal's
--                    receipt, Decree 20/2008 "kể từ ngày tiếp nhận") or
--                    'acceptance' (the agency accepted it); docs/feedback-process.md
ALTER TABLE feedback_categories
    ADD COLUMN info_days       double precision NOT NULL DEFAULT 5 CHECK (info_days > 0),
    ADD COLUMN info_grace_days double precision NOT NULL DEFAULT 2 CHECK (info_grace_days > 0),
    ADD COLUMN complaint_days  double precision NOT NULL DEFAULT 7 CHECK (complaint_days > 0),
    ADD COLUMN clock_from      text NOT NULL DEFAULT 'submission' CHECK (clock_from IN ('submission', 'acceptance'));

-- Reopened cases are counted in statistics.
ALTER TABLE feedback_reports
    ADD COLUMN reopen_count int NOT NULL DEFAULT 0,
    ADD COLUMN reopened_at  timestamptz;

-- The original lists its duplicates.
CREATE INDEX feedback_reports_duplicate_of ON feedback_reports (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- +goose Down
DROP INDEX feedback_reports_duplicate_of;
ALTER TABLE feedback_reports DROP COLUMN reopen_count, DROP COLUMN reopened_at;
ALTER TABLE feedback_categories DROP COLUMN info_days, DROP COLUMN info_grace_days, DROP COLUMN complaint_days, DROP COLUMN clock_from;
