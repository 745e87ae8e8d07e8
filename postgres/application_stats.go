package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// AppStatsRow is one agency's line of Biểu 06/VPCP/KSTT (Circular 01/2020/TT-VPCP):
// dossiers received, resolved and in progress in a period.
type AppStatsRow struct {
	AgencyCode string `json:"agency_code"`
	AgencyName string `json:"agency_name"`
	Received   struct {
		CarriedOver int `json:"carried_over"` // từ kỳ trước chuyển sang
		Online      int `json:"online"`       // trực tuyến
		InPerson    int `json:"in_person"`    // trực tiếp, bưu chính
		Total       int `json:"total"`
	} `json:"received"`
	Resolved struct {
		Early  int `json:"early"`   // trước hạn
		OnTime int `json:"on_time"` // đúng hạn
		Late   int `json:"late"`    // quá hạn
		Total  int `json:"total"`
	} `json:"resolved"`
	InProgress struct {
		WithinDeadline int `json:"within_deadline"` // trong hạn
		Overdue        int `json:"overdue"`         // quá hạn
		Total          int `json:"total"`
	} `json:"in_progress"`
	WaitingSupplement int `json:"waiting_supplement"` // chờ bổ sung
	Withdrawn         int `json:"withdrawn"`          // công dân rút
	Refused           int `json:"refused"`            // không được tiếp nhận
	Stopped           int `json:"stopped"`            // dừng xử lý
}

// ApplicationStats computes Biểu 06 per agency for dossiers of agencies in
// the subtree of root (every agency when root is ""), over [from, to). A
// dossier is carried over when received before from and not finished before
// it; in progress when not finished by to (or now, whichever is earlier), and
// overdue then when its appointment is before that instant. The reports
// feature reuses this for the xlsx.
func (db *DB) ApplicationStats(ctx context.Context, root string, from, to time.Time) ([]AppStatsRow, error) {
	rows, err := db.Pool.Query(ctx, `
WITH RECURSIVE scope AS (
    SELECT code FROM agencies WHERE ($1 = '' AND parent_code IS NULL) OR code = $1
    UNION SELECT a.code FROM agencies a JOIN scope s ON a.parent_code = s.code
), c0 AS (
    SELECT c.*, least($3::timestamptz, now()) AS cut,
        (SELECT min((e.detail->>'old_due')::timestamptz) FROM case_events e
         WHERE e.workflow_id = c.workflow_id AND e.action = 'approve_apology') AS orig_due
    FROM (SELECT c.*, COALESCE(c.lead_agency_code, c.agency_code) AS stat_agency FROM cases c) c
    -- While another agency does its part (liên thông) the dossier is still
    -- counted at the sending agency (lead_agency_code).
    WHERE c.kind = 'application' AND c.stat_agency IN (SELECT code FROM scope) AND c.received_at < $3
      AND (c.finished_at IS NULL OR c.finished_at >= $2)
), c AS (
    -- An approved apology moves the appointment, not the count: national
    -- statistics measure against the original due time (docs/statistics.md).
    SELECT c0.*, COALESCE(orig_due, due_at) AS stat_due,
        CASE WHEN orig_due IS NOT NULL AND finished_at > orig_due THEN 'late' ELSE timeliness END AS stat_timeliness
    FROM c0
)
SELECT c.stat_agency, ag.name,
    count(*) FILTER (WHERE received_at < $2),
    count(*) FILTER (WHERE received_at >= $2 AND channel = 'online'),
    count(*) FILTER (WHERE received_at >= $2 AND channel <> 'online'),
    count(*) FILTER (WHERE status IN ('releasing','done') AND finished_at < $3 AND stat_timeliness = 'early'),
    count(*) FILTER (WHERE status IN ('releasing','done') AND finished_at < $3 AND stat_timeliness = 'on_time'),
    count(*) FILTER (WHERE status IN ('releasing','done') AND finished_at < $3 AND stat_timeliness = 'late'),
    count(*) FILTER (WHERE status IN ('receiving','new','processing','waiting','paying','transferred') AND (finished_at IS NULL OR finished_at >= $3)
        AND (stat_due IS NULL OR stat_due >= cut) AND NOT overdue),
    count(*) FILTER (WHERE status IN ('receiving','new','processing','waiting','paying','transferred') AND (finished_at IS NULL OR finished_at >= $3)
        AND ((stat_due IS NOT NULL AND stat_due < cut) OR overdue)),
    count(*) FILTER (WHERE status = 'waiting'),
    count(*) FILTER (WHERE status = 'cancelled' AND finished_at < $3),
    count(*) FILTER (WHERE status = 'denied' AND finished_at < $3),
    count(*) FILTER (WHERE status = 'unresolved' AND finished_at < $3)
FROM c JOIN agencies ag ON ag.code = c.stat_agency
GROUP BY c.stat_agency, ag.name ORDER BY c.stat_agency`, root, from, to)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AppStatsRow, error) {
		var x AppStatsRow
		err := r.Scan(&x.AgencyCode, &x.AgencyName, &x.Received.CarriedOver, &x.Received.Online, &x.Received.InPerson,
			&x.Resolved.Early, &x.Resolved.OnTime, &x.Resolved.Late, &x.InProgress.WithinDeadline, &x.InProgress.Overdue,
			&x.WaitingSupplement, &x.Withdrawn, &x.Refused, &x.Stopped)
		x.Received.Total = x.Received.CarriedOver + x.Received.Online + x.Received.InPerson
		x.Resolved.Total = x.Resolved.Early + x.Resolved.OnTime + x.Resolved.Late
		x.InProgress.Total = x.InProgress.WithinDeadline + x.InProgress.Overdue
		return x, err
	})
}

// SumAppStats adds rows into a total row.
func SumAppStats(rows []AppStatsRow) AppStatsRow {
	var t AppStatsRow
	t.AgencyCode, t.AgencyName = "", "Tổng cộng / Total"
	for _, x := range rows {
		t.Received.CarriedOver += x.Received.CarriedOver
		t.Received.Online += x.Received.Online
		t.Received.InPerson += x.Received.InPerson
		t.Received.Total += x.Received.Total
		t.Resolved.Early += x.Resolved.Early
		t.Resolved.OnTime += x.Resolved.OnTime
		t.Resolved.Late += x.Resolved.Late
		t.Resolved.Total += x.Resolved.Total
		t.InProgress.WithinDeadline += x.InProgress.WithinDeadline
		t.InProgress.Overdue += x.InProgress.Overdue
		t.InProgress.Total += x.InProgress.Total
		t.WaitingSupplement += x.WaitingSupplement
		t.Withdrawn += x.Withdrawn
		t.Refused += x.Refused
		t.Stopped += x.Stopped
	}
	return t
}
