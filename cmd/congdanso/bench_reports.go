package main

// `congdanso bench --scenario reports` (issue 22 part B): the two province
// reports at province scale, each timed with the peak heap of the process.
// Phụ lục I: 56 communes and --report-units other units, each with a
// submitted entry and counted figures, built into the workbook (the input is
// made in memory: the read model of 156 entries is small; the workbook is
// what grows). Biểu 06: --report-cases cases inserted into the read model
// (`cases`) of a dedicated database with one INSERT … SELECT — seeded
// directly, not through workflows, because this measures the report — then
// the same code as GET /api/v1/reports/case-stats: the SQL aggregation by
// agency and by field, then the workbook.

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/bench"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// Province report targets.
const (
	reportTargetSeconds = 60
	reportTargetMB      = 300
)

func runReportsBench(ctx context.Context, adminDSN string, units, cases int, rep *bench.Report, logger *slog.Logger) error {
	rep.Targets = map[string]string{}
	verdict := func(name string, sec, mb float64) {
		ok := sec < reportTargetSeconds && mb < reportTargetMB
		v := "pass"
		if !ok {
			v = "FAIL"
		}
		rep.Targets[name+" < 60 s and < 300 MB peak"] = fmt.Sprintf("%.2f s, %.0f MB %s", sec, mb, v)
	}

	// Phụ lục I.
	in := appendix1Province(56, units)
	var size int
	sec, mb, err := measurePeak(func() error {
		b, err := reports.Appendix1(in)
		size = len(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("phụ lục I: %w", err)
	}
	rep.Add(bench.Result{Name: fmt.Sprintf("report_appendix1_%d_units", len(in.Units)), N: 1, Seconds: round3(sec),
		LatencyMS: map[string]float64{"max": round1(sec * 1000)}, Note: fmt.Sprintf("peak heap %.0f MB, workbook %d KB", mb, size/1024)})
	verdict(fmt.Sprintf("Phụ lục I, %d units", len(in.Units)), sec, mb)

	// Biểu 06.
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	name := "cds_bench_reports_" + stamp
	dsn, err := withDB(adminDSN, name)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, dsn, 4)
	if err != nil {
		return err
	}
	defer dropDB(adminDSN, name)
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.SeedBase(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	if err := seedCases(ctx, db, cases); err != nil {
		return fmt.Errorf("seed cases: %w", err)
	}
	rep.Add(bench.Result{Name: "report_seed_cases", N: cases, Seconds: round3(time.Since(t0).Seconds()),
		PerSecond: round1(float64(cases) / time.Since(t0).Seconds()), Note: "INSERT … SELECT generate_series into cases (read model only)"})
	logger.Info("reports: cases seeded", "n", cases, "s", time.Since(t0).Seconds())
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, cds.VietnamTZ)
	to := from.AddDate(1, 0, 0)
	sec, mb, err = measurePeak(func() error {
		b, err := caseStatsWorkbook(ctx, db, from, to)
		size = len(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("biểu 06: %w", err)
	}
	rep.Add(bench.Result{Name: fmt.Sprintf("report_bieu06_%d_cases", cases), N: 1, Seconds: round3(sec),
		LatencyMS: map[string]float64{"max": round1(sec * 1000)}, Note: fmt.Sprintf("peak heap %.0f MB, workbook %d KB (SQL aggregation + workbook)", mb, size/1024)})
	verdict(fmt.Sprintf("Biểu 06, %d cases", cases), sec, mb)
	return nil
}

// caseStatsWorkbook is what the case-stats route does for the whole province.
func caseStatsWorkbook(ctx context.Context, db *postgres.DB, from, to time.Time) ([]byte, error) {
	in := reports.CaseStatsInput{From: from, To: to, ScopeName: "Toàn tỉnh", GeneratedAt: time.Now()}
	for _, byField := range []bool{false, true} {
		rows, err := db.ReportCaseStats(ctx, from, to, "", byField)
		if err != nil {
			return nil, err
		}
		out := make([]reports.CaseStatRow, len(rows))
		for i, r := range rows {
			out[i] = reports.CaseStatRow{Group: r.Group, GroupName: r.GroupName, Kind: cds.Kind(r.Kind), Online: r.Online, InPerson: r.InPerson, Carried: r.Carried,
				Early: r.Early, OnTime: r.OnTime, Late: r.Late, WithinDeadline: r.WithinDeadline, Overdue: r.Overdue,
				HoursSum: r.HoursSum, HoursN: r.HoursN, RatingSum: r.RatingSum, RatingN: r.RatingN}
		}
		if byField {
			in.ByField = out
		} else {
			in.ByAgency = out
		}
	}
	return reports.CaseStats(in)
}

// seedCases inserts n cases spread over the agencies of the reference data,
// 2025-12 to 2026-12, in batches of 100,000.
func seedCases(ctx context.Context, db *postgres.DB, n int) error {
	const batch = 100_000
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		_, err := db.Pool.Exec(ctx, `WITH ag AS (SELECT array_agg(code ORDER BY code) AS codes FROM agencies),
			g AS (SELECT i, timestamptz '2025-12-01 08:00+07' + (i % 396) * interval '1 day' + (i % 480) * interval '1 minute' AS recv FROM generate_series($1::int, $2::int - 1) i)
			INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, status, channel, received_at, due_at, finished_at, closed, timeliness, handling_hours, rating)
			SELECT 'bench/' || i, CASE WHEN i % 3 = 0 THEN 'feedback' ELSE 'application' END, 'B-' || i, 'Hồ sơ ' || i,
				(ARRAY['traffic','environment','land','justice','health','education'])[1 + i % 6],
				ag.codes[1 + i % cardinality(ag.codes)],
				CASE WHEN i % 4 = 0 THEN 'processing' ELSE 'done' END,
				(ARRAY['online','in_person','open311','postal'])[1 + i % 4],
				recv, recv + interval '10 days',
				CASE WHEN i % 4 = 0 THEN NULL ELSE recv + (i % 15) * interval '1 day' END,
				i % 4 <> 0,
				CASE WHEN i % 4 = 0 THEN NULL WHEN i % 15 < 7 THEN 'early' WHEN i % 15 < 11 THEN 'on_time' ELSE 'late' END,
				CASE WHEN i % 4 = 0 THEN NULL ELSE (i % 15) * 8.0 END,
				CASE WHEN i % 5 = 0 THEN 1 + i % 5 ELSE NULL END
			FROM g, ag`, lo, hi)
		if err != nil {
			return err
		}
	}
	_, err := db.Pool.Exec(ctx, `ANALYZE cases`)
	return err
}

// appendix1Province is a campaign with communes communes and others other
// units, every unit submitted with figures.
func appendix1Province(communes, others int) reports.Appendix1Input {
	now := time.Now()
	in := reports.Appendix1Input{CampaignCode: "BENCH-2026", CampaignTitle: "Báo cáo triển khai Công dân số (đo tải)", Deadline: now, GeneratedAt: now, AsOf: now,
		Province: reports.ProvinceCounted{Citizens: 420_000, CitizensNoCommune: 1_200, Officials: 18_000, Businesses: 3_500}}
	n := func(v int64) *int64 { return &v }
	types := []cds.AgencyType{cds.AgencyDepartment, cds.AgencyAssociation, cds.AgencyCentral}
	for i := 0; i < communes+others; i++ {
		u := reports.Unit{Code: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("Sở, ban, ngành số %d", i), Type: types[i%len(types)]}
		if i < communes {
			u.Code, u.Name, u.Type = fmt.Sprintf("X%03d", i), fmt.Sprintf("UBND xã Bản Giốc %d", i), cds.AgencyCommune
		}
		d := reports.DeploymentData{PlanNumber: "2358/KH-UBND ngày 09/9/2024", DocumentNumber: fmt.Sprintf("%d/KH-UBND", 100+i),
			Forms: []string{reports.FormInPerson, reports.FormConference}, TotalOfficials: n(int64(40 + i%60)), OfficialsInstalled: n(int64(30 + i%50)),
			Trainings: n(int64(i % 7)), Materials: n(int64(i % 11)),
			Advantages: "Được sự quan tâm chỉ đạo của cấp ủy, chính quyền.", Difficulties: "Một số thôn vùng cao chưa có sóng di động ổn định.", Proposals: "Đề nghị tỉnh hỗ trợ thiết bị."}
		if u.Type == cds.AgencyCommune {
			d.CitizensInstalled = n(int64(2000 + 37*i))
		}
		in.Units = append(in.Units, reports.UnitReport{Unit: u, Counted: reports.Counted{OfficialsRegistered: int64(28 + i%50), CitizensRegistered: int64(1900 + 35*i), Active30d: int64(900 + i), Businesses: int64(i % 40)},
			CountedAsOf: now, CountedSource: "live", Submitted: true, Version: 1, SubmittedAt: now})
		in.Units[len(in.Units)-1].Data = d
	}
	return in
}

// measurePeak runs f after a GC and returns its wall time and the peak heap
// in use (sampled every 10 ms, and at the end) in MB.
func measurePeak(f func() error) (sec, peakMB float64, err error) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if v := m.HeapInuse + m.StackInuse; v > peak.Load() {
			peak.Store(v)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				sample()
			}
		}
	}()
	t0 := time.Now()
	err = f()
	sec = time.Since(t0).Seconds()
	sample()
	close(stop)
	<-done
	return sec, float64(peak.Load()) / (1 << 20), err
}
