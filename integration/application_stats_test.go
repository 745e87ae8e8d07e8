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

// TestApplicationStatsBieu06 checks each Biểu 06 category on dossiers written
// straight into the read model (PostgreSQL only).
func TestApplicationStatsBieu06(t *testing.T) {
	db, _ := apptest.NewDB(t)
	ctx := context.Background()
	d := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, cds.VietnamTZ) }
	feb := func(day int) time.Time { return time.Date(2026, 2, day, 9, 0, 0, 0, cds.VietnamTZ) }
	n := 0
	add := func(agency, channel string, status cds.AppStatus, received time.Time, due, finished *time.Time, timeliness string) {
		n++
		code := fmt.Sprintf("%s-STAT-%04d", agency, n)
		_, err := db.RecordApplication(ctx, postgres.ApplicationRecord{
			WorkflowID: "application/" + code, Code: code, Seq: 1, At: received, Action: "seed", ToStatus: status,
			Case: postgres.ApplicationSnapshot{Title: "t", Field: "Hộ tịch", AgencyCode: agency, Status: status, Channel: channel,
				ReceivedAt: received, DueAt: due, FinishedAt: finished, Timeliness: timeliness, ProcedureCode: "HT-KS", SubmittedVersion: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	p := func(t time.Time) *time.Time { return &t }
	const ag = "P-TANGIANG"
	add(ag, "online", cds.AppProcessing, feb(20), p(d(5, 9)), nil, "")                                        // carried over, overdue at period end
	add(ag, "online", cds.AppReleasing, d(3, 9), p(d(9, 9)), p(d(5, 9)), "early")                             // resolved early
	add(ag, "in_person", cds.AppDone, d(4, 9), p(d(10, 17)), p(d(10, 9)), "on_time")                          // resolved on time
	add(ag, "online", cds.AppDone, d(5, 9), p(d(12, 9)), p(d(20, 9)), "late")                                 // resolved late
	add(ag, "online", cds.AppWaiting, d(6, 9), p(time.Date(2026, 4, 10, 9, 0, 0, 0, cds.VietnamTZ)), nil, "") // waiting, within deadline
	add(ag, "online", cds.AppCancelled, d(7, 9), p(d(14, 9)), p(d(8, 9)), "")                                 // withdrawn
	add(ag, "online", cds.AppDenied, d(8, 9), nil, p(d(8, 10)), "")                                           // refused
	add(ag, "online", cds.AppUnresolved, d(9, 9), p(d(16, 9)), p(d(12, 9)), "")                               // stopped
	add(ag, "online", cds.AppDone, feb(1), p(feb(10)), p(feb(9)), "early")                                    // finished before the period
	add(ag, "online", cds.AppNew, time.Date(2026, 4, 2, 9, 0, 0, 0, cds.VietnamTZ), nil, nil, "")             // after the period
	add("X-HOAAN", "online", cds.AppNew, d(10, 9), p(d(17, 9)), nil, "")

	from, to := d(1, 0), time.Date(2026, 4, 1, 0, 0, 0, 0, cds.VietnamTZ)
	rows, err := db.ApplicationStats(ctx, ag, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].AgencyCode != ag {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	got := fmt.Sprintf("recv %d/%d/%d=%d res %d/%d/%d=%d prog %d/%d=%d wait %d wd %d ref %d stop %d",
		r.Received.CarriedOver, r.Received.Online, r.Received.InPerson, r.Received.Total,
		r.Resolved.Early, r.Resolved.OnTime, r.Resolved.Late, r.Resolved.Total,
		r.InProgress.WithinDeadline, r.InProgress.Overdue, r.InProgress.Total, r.WaitingSupplement, r.Withdrawn, r.Refused, r.Stopped)
	want := "recv 1/6/1=8 res 1/1/1=3 prog 1/1=2 wait 1 wd 1 ref 1 stop 1"
	if got != want {
		t.Errorf("Biểu 06 = %s\nwant      %s", got, want)
	}
	all, err := db.ApplicationStats(ctx, "", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if tot := postgres.SumAppStats(all); len(all) != 2 || tot.Received.Total != 9 || tot.Received.Online != 7 {
		t.Errorf("province-wide %+v", all)
	}
}

// TestApplicationSeededProcedures: the catalogue migration seeds valid
// procedures (without --demo), each pinned at version 1 from 01/07/2025.
func TestApplicationSeededProcedures(t *testing.T) {
	db, _ := apptest.NewDB(t)
	ctx := context.Background()
	list, err := db.Procedures(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 5 || len(list) > 10 {
		t.Fatalf("%d procedures seeded", len(list))
	}
	start := time.Date(2025, 7, 1, 0, 0, 0, 0, cds.VietnamTZ)
	for _, p := range list {
		if e := p.Validate(); e != nil {
			t.Errorf("%s: %v %v", p.Code, e, e.Fields)
		}
		if p.Version != 1 || !p.EffectiveFrom.Equal(start) || len(p.LegalBasis) == 0 {
			t.Errorf("%s: version %d from %v, legal basis %v", p.Code, p.Version, p.EffectiveFrom, p.LegalBasis)
		}
	}
	if _, err := db.ProcedureAt(ctx, "HT-KS", start.Add(-time.Hour)); cds.ErrorCode(err) != cds.ENOTFOUND {
		t.Errorf("a procedure before its effective date: %v", err)
	}
}
