package cases

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/workflows"
)

// ExportRequest is a case-list export its interface has validated and
// scoped (Agency "" : the whole province).
type ExportRequest struct {
	Actor    cds.Actor
	Key      string // Idempotency-Key
	Format   string // csv or xlsx
	From, To time.Time
	Agency   string
	// View renders the job for the answer (stored with the key).
	View func(postgres.ReportExport) any
}

// StartExport records the job and starts its CaseExport workflow; the
// answer is 202 with the job (its polling URL). Exports are durable: the
// workflow survives a restart of any process.
func (s *Service) StartExport(ctx context.Context, r ExportRequest) (int, []byte, error) {
	status, body, _, err := s.DB.Idempotent(ctx, "case-export", r.Actor.UserID, r.Key, func() (int, any, error) {
		buf := make([]byte, 12)
		if _, err := rand.Read(buf); err != nil {
			return 0, nil, err
		}
		in := workflows.CaseExportInput{ID: hex.EncodeToString(buf), Format: r.Format, From: r.From, To: r.To, Agency: r.Agency}
		job, err := s.DB.CreateReportExport(ctx, in.ID, r.Format, map[string]any{"from": r.From, "to": r.To, "agency": r.Agency}, r.Actor.UserID)
		if err != nil {
			return 0, nil, err
		}
		if _, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: workflows.CaseExportWorkflowID(in.ID), TaskQueue: s.TaskQueue(),
		}, workflows.CaseExportWorkflowName, in); err != nil {
			_ = s.DB.UpdateReportExport(context.WithoutCancel(ctx), in.ID, "failed", 0, 0, "", "not started")
			return 0, nil, err
		}
		return http.StatusAccepted, r.View(job), nil
	})
	return status, body, err
}

// Exporter holds the export activities (registered by name on the worker).
type Exporter struct {
	DB     *postgres.DB
	Blob   cds.BlobStore
	Logger *slog.Logger
}

// Register registers the export activities under their pinned names.
func (e *Exporter) Register(w worker.Registry) {
	w.RegisterActivityWithOptions(e.BuildCaseExport, activity.RegisterOptions{Name: workflows.BuildCaseExportActivity})
	w.RegisterActivityWithOptions(e.FailCaseExport, activity.RegisterOptions{Name: workflows.FailCaseExportActivity})
}

// FailCaseExport marks a job failed (every attempt of the build failed).
func (e *Exporter) FailCaseExport(ctx context.Context, id string) error {
	return e.DB.UpdateReportExport(ctx, id, "failed", 0, 0, "", "export failed")
}

// exportProgressEvery is how often (rows) the job's progress is written and
// the activity heartbeats.
const exportProgressEvery = 5_000

// BuildCaseExport streams the cases into a temporary file, then stores it in
// the blob store under a key of the job, and marks the job done. A retry
// starts over: the file is rebuilt and stored again under the same key.
func (e *Exporter) BuildCaseExport(ctx context.Context, in workflows.CaseExportInput) error {
	log := e.Logger.With("exportID", in.ID)
	if err := e.DB.UpdateReportExport(ctx, in.ID, "running", 0, 0, "", ""); err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "case-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	var w reports.CaseListWriter
	if in.Format == "csv" {
		w, err = reports.NewCaseListCSV(tmp)
	} else {
		w, err = reports.NewCaseListXLSX(tmp)
	}
	if err != nil {
		return err
	}
	var n int64
	err = e.DB.StreamReportCases(ctx, in.From, in.To, in.Agency, func(r *postgres.ReportCaseRow) error {
		n++
		if n%exportProgressEvery == 0 {
			activity.RecordHeartbeat(ctx, n)
			_ = e.DB.UpdateReportExport(ctx, in.ID, "running", n, 0, "", "")
		}
		return w.Write(caseListRow(r))
	})
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return err
	}
	key := "export-" + in.ID + "." + in.Format
	if err := e.Blob.Put(ctx, key, tmp, size, ExportContentType(in.Format)); err != nil {
		return err
	}
	if err := e.DB.UpdateReportExport(ctx, in.ID, "done", n, size, key, ""); err != nil {
		return err
	}
	log.Info("case export done", "rows", n, "bytes", size)
	return nil
}

// ExportContentType is the media type of an export file.
func ExportContentType(format string) string {
	if format == "csv" {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

func caseListRow(r *postgres.ReportCaseRow) reports.CaseListRow {
	row := reports.CaseListRow{Code: r.Code, Kind: cds.Kind(r.Kind), Title: r.Title, Field: r.Field, AgencyCode: r.AgencyCode,
		Status: r.Status, Channel: r.Channel, ReceivedAt: r.ReceivedAt, HandlingHours: -1}
	if r.DueAt != nil {
		row.DueAt = *r.DueAt
	}
	if r.FinishedAt != nil {
		row.FinishedAt = *r.FinishedAt
	}
	if r.Timeliness != nil {
		row.Timeliness = *r.Timeliness
	}
	if r.HandlingHours != nil {
		row.HandlingHours = *r.HandlingHours
	}
	if r.Rating != nil {
		row.Rating = *r.Rating
	}
	return row
}
