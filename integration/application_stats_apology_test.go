package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// TestApplicationStatsApologisedDossier: an approved apology (Phiếu xin lỗi và
// hẹn lại ngày trả kết quả, Mẫu số 04) moves the appointment but not the
// statistics — a dossier returned after its original due time counts as late
// (quá hạn) even though it met the new date, and one still open past its
// original due time counts as overdue. Written into the read model as the
// workflow writes it (the approve_apology event carries old_due).
func TestApplicationStatsApologisedDossier(t *testing.T) {
	db, _ := apptest.NewDB(t)
	ctx := context.Background()
	d := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, cds.VietnamTZ) }
	p := func(t time.Time) *time.Time { return &t }
	const ag = "P-TANGIANG"
	n := 0
	add := func(status cds.AppStatus, due time.Time, apologyNewDue *time.Time, finished *time.Time, timeliness string) {
		n++
		code := fmt.Sprintf("%s-APOL-%04d", ag, n)
		snap := postgres.ApplicationSnapshot{Title: "t", Field: "Hộ tịch", AgencyCode: ag, Status: cds.AppProcessing, Channel: "online",
			ReceivedAt: d(2, 9), DueAt: &due, ProcedureCode: "HT-KS", SubmittedVersion: 1}
		rec := func(seq int, at time.Time, action string, detail map[string]any, s postgres.ApplicationSnapshot) {
			if _, err := db.RecordApplication(ctx, postgres.ApplicationRecord{WorkflowID: "application/" + code, Code: code, Seq: seq, At: at,
				Action: action, ToStatus: s.Status, Detail: detail, Case: s}); err != nil {
				t.Fatal(err)
			}
		}
		rec(1, d(2, 9), "accept", nil, snap)
		if apologyNewDue != nil {
			snap.DueAt = apologyNewDue
			rec(2, d(5, 9), "approve_apology", map[string]any{"old_due": due, "new_due": *apologyNewDue}, snap)
		}
		if finished != nil {
			snap.Status, snap.FinishedAt, snap.Timeliness = status, finished, timeliness
			rec(3, *finished, "issue_result", nil, snap)
		}
	}
	// Due 10/3; apology moves it to 20/3; returned 15/3: on time for the new
	// date (the workflow's own timeliness), late for the statistics.
	add(cds.AppDone, d(10, 17), p(d(20, 17)), p(d(15, 9)), "early")
	// The same dossier without an apology, returned 9/3: early stays early.
	add(cds.AppDone, d(10, 17), nil, p(d(9, 9)), "early")
	// Apologised, returned before the original due time: not late.
	add(cds.AppDone, d(10, 17), p(d(20, 17)), p(d(10, 9)), "early")
	// Apologised and still open on 31/3 with the new date 20/4 ahead: overdue by the original date.
	add(cds.AppProcessing, d(10, 17), p(time.Date(2026, 4, 20, 17, 0, 0, 0, cds.VietnamTZ)), nil, "")

	rows, err := db.ApplicationStats(ctx, ag, d(1, 0), time.Date(2026, 4, 1, 0, 0, 0, 0, cds.VietnamTZ))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	got := fmt.Sprintf("res %d/%d/%d prog %d/%d", r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late, r.InProgress.WithinDeadline, r.InProgress.Overdue)
	if want := "res 2/0/1 prog 0/1"; got != want {
		t.Errorf("apologised dossiers: %s, want %s", got, want)
	}
}
