package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// ApplicationSnapshot is the state of a dossier after an event: what the
// cases row and the applications row hold.
type ApplicationSnapshot struct {
	Title            string         `json:"title"`
	Field            string         `json:"field"`
	AgencyCode       string         `json:"agency_code"`
	CitizenID        int64          `json:"citizen_id"`
	Status           cds.AppStatus  `json:"status"`
	Channel          string         `json:"channel"`
	ReceivedAt       time.Time      `json:"received_at"`
	DueAt            *time.Time     `json:"due_at,omitempty"`
	FinishedAt       *time.Time     `json:"finished_at,omitempty"`
	Overdue          bool           `json:"overdue"`
	Timeliness       string         `json:"timeliness,omitempty"`
	HandlingHours    *float64       `json:"handling_hours,omitempty"`
	Rating           int            `json:"rating,omitempty"`
	RatingComment    string         `json:"rating_comment,omitempty"`
	FeeDue           int64          `json:"fee_due,omitempty"`
	ProcedureCode    string         `json:"procedure_code"`
	SubmittedVersion int            `json:"submitted_version"`
	ProcedureVersion int            `json:"procedure_version,omitempty"`
	Form             map[string]any `json:"form,omitempty"`
	DocumentIDs      []string       `json:"document_ids,omitempty"`
	CurrentStep      string         `json:"current_step,omitempty"`
	// LeadAgencyCode is the sending agency while another agency does its
	// part (liên thông); statistics count the dossier there ("" : AgencyCode).
	LeadAgencyCode string         `json:"lead_agency_code,omitempty"`
	Result         map[string]any `json:"result,omitempty"`
	FeePaidAt      *time.Time     `json:"fee_paid_at,omitempty"`
	PaymentID      string         `json:"payment_id,omitempty"`
}

// ApplicationTask is a human task to open.
type ApplicationTask struct {
	StepKey    string     `json:"step_key"`
	Action     string     `json:"action"`
	AgencyCode string     `json:"agency_code"`
	Role       string     `json:"role"`
	DueAt      *time.Time `json:"due_at,omitempty"`
}

// ApplicationRecord is one event of a dossier with the snapshot after it and
// the task changes it causes. Recording is idempotent by (workflow ID, seq).
type ApplicationRecord struct {
	WorkflowID string              `json:"workflow_id"`
	Code       string              `json:"code"`
	Seq        int                 `json:"seq"`
	At         time.Time           `json:"at"`
	Actor      cds.Actor           `json:"actor"`
	Action     string              `json:"action"`
	FromStatus cds.AppStatus       `json:"from_status"`
	ToStatus   cds.AppStatus       `json:"to_status"`
	Note       string              `json:"note,omitempty"`
	Internal   bool                `json:"internal,omitempty"`
	Detail     map[string]any      `json:"detail,omitempty"`
	Forms      map[string]any      `json:"forms,omitempty"` // merged into applications.forms
	Case       ApplicationSnapshot `json:"case"`
	CloseTasks []string            `json:"close_tasks,omitempty"`
	OpenTasks  []ApplicationTask   `json:"open_tasks,omitempty"`
	// OverdueTasks flags open tasks (by step key; "*" = all) as overdue.
	OverdueTasks []string `json:"overdue_tasks,omitempty"`
}

func appNZ[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// RecordApplication applies one dossier event in two round trips: one read
// (what is stored at the event's seq, and the dossier's id), then every
// write as one batch, which PostgreSQL runs as one implicit transaction (all
// or nothing): the cases row (only if seq is newer than what it holds), the
// event row, the applications row, and the tasks closed and opened by the
// transition. A retried call finds the seq applied and changes nothing; the
// event row is the batch's guard against a try running at the same time (its
// insert fails on the key and the whole batch rolls back). A different event
// stored at the seq is repaired first (RepairDivergedEvents). It returns the
// dossier's numeric id.
func (db *DB) RecordApplication(ctx context.Context, r ApplicationRecord) (int64, error) {
	var same *bool
	var stored *int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT `+SameEventSQL+` FROM case_events WHERE workflow_id = $1 AND seq = $2),
		(SELECT id FROM applications WHERE workflow_id = $1)`,
		r.WorkflowID, r.Seq, r.Action, string(r.FromStatus), string(r.ToStatus), r.Actor.UserID).Scan(&same, &stored); err != nil {
		return 0, mapErr(err)
	}
	if same != nil && *same && stored != nil {
		return *stored, nil // applied by an earlier attempt (or the API wrote the first event)
	}
	b := &pgx.Batch{}
	// The API and the workflow both write the first event; serialise writers
	// of one dossier so the second sees the first's rows (concurrent inserts
	// would otherwise trip the unique code index, which ON CONFLICT does not
	// arbitrate). The lock holds to the end of the batch's transaction.
	b.Queue(`SELECT pg_advisory_xact_lock(hashtext('application:' || $1))`, r.WorkflowID)
	if same != nil {
		QueueRepair(b, r.WorkflowID, r.Seq)
	}
	var id int64
	queueApplicationRecord(b, r, &id)
	err := db.Pool.SendBatch(ctx, b).Close()
	if IsDuplicateEvent(err) {
		// Another try stored the event first; this batch rolled back whole.
		err = db.Pool.QueryRow(ctx, `SELECT id FROM applications WHERE workflow_id = $1`, r.WorkflowID).Scan(&id)
	}
	return id, mapErr(err)
}

// queueApplicationRecord queues r's writes on b; the applications row's id
// lands in id when the batch runs.
func queueApplicationRecord(b *pgx.Batch, r ApplicationRecord, id *int64) {
	c := r.Case
	b.Queue(`INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, citizen_id, status, channel,
			received_at, due_at, finished_at, closed, overdue, timeliness, handling_hours, rating, rating_comment, fee_due, last_seq, updated_at, lead_agency_code)
		VALUES ($1, 'application', $2, $3, $4, $5, NULLIF($6, 0), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULLIF($17, ''), $18, $19, now(), NULLIF($20, ''))
		ON CONFLICT (workflow_id) DO UPDATE SET title = EXCLUDED.title, field = EXCLUDED.field, agency_code = EXCLUDED.agency_code,
			lead_agency_code = EXCLUDED.lead_agency_code,
			status = EXCLUDED.status, due_at = EXCLUDED.due_at, finished_at = EXCLUDED.finished_at, closed = EXCLUDED.closed,
			overdue = EXCLUDED.overdue, timeliness = EXCLUDED.timeliness, handling_hours = EXCLUDED.handling_hours,
			rating = EXCLUDED.rating, rating_comment = EXCLUDED.rating_comment, fee_due = EXCLUDED.fee_due,
			last_seq = EXCLUDED.last_seq, updated_at = now()
		WHERE cases.last_seq < EXCLUDED.last_seq`,
		r.WorkflowID, r.Code, c.Title, c.Field, c.AgencyCode, c.CitizenID, string(c.Status), c.Channel,
		c.ReceivedAt, c.DueAt, c.FinishedAt, c.Status.Final(), c.Overdue, appNZ(c.Timeliness), c.HandlingHours,
		appNZ(c.Rating), c.RatingComment, appNZ(c.FeeDue), r.Seq, c.LeadAgencyCode)
	detail := r.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	// No ON CONFLICT: a stored row fails the batch (the guard, see RecordApplication).
	b.Queue(`INSERT INTO case_events (workflow_id, seq, at, actor_id, actor_name, actor_agency, action, from_status, to_status, note, public, detail)
		VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.WorkflowID, r.Seq, r.At, r.Actor.UserID, r.Actor.Name, r.Actor.AgencyCode, r.Action, string(r.FromStatus), string(r.ToStatus),
		r.Note, !r.Internal, detail)
	forms := r.Forms
	if forms == nil {
		forms = map[string]any{}
	}
	form := c.Form
	if form == nil {
		form = map[string]any{}
	}
	docs := c.DocumentIDs
	if docs == nil {
		docs = []string{}
	}
	b.Queue(`INSERT INTO applications (workflow_id, code, procedure_code, submitted_version, procedure_version, citizen_id,
			form, document_ids, appointment_at, current_step, forms, result, fee_paid_at, payment_id)
		VALUES ($1, $2, $3, $4, NULLIF($5, 0), NULLIF($6, 0), $7, $8, $9, $10, $11, $12, $13, NULLIF($14, ''))
		ON CONFLICT (workflow_id) DO UPDATE SET procedure_version = EXCLUDED.procedure_version, form = EXCLUDED.form,
			document_ids = EXCLUDED.document_ids, appointment_at = EXCLUDED.appointment_at, current_step = EXCLUDED.current_step,
			forms = applications.forms || EXCLUDED.forms, result = EXCLUDED.result, fee_paid_at = EXCLUDED.fee_paid_at,
			payment_id = EXCLUDED.payment_id, updated_at = now()
		RETURNING id`,
		r.WorkflowID, r.Code, c.ProcedureCode, c.SubmittedVersion, c.ProcedureVersion, c.CitizenID, form, docs, c.DueAt,
		c.CurrentStep, forms, c.Result, c.FeePaidAt, c.PaymentID).QueryRow(func(row pgx.Row) error { return row.Scan(id) })
	if len(r.CloseTasks) > 0 {
		b.Queue(`UPDATE tasks SET status = 'closed', closed_at = $3, closed_by = NULLIF($4, 0), closed_seq = $5
			WHERE workflow_id = $1 AND step_key = ANY($2) AND status = 'open'`, r.WorkflowID, r.CloseTasks, r.At, r.Actor.UserID, r.Seq)
	}
	for _, t := range r.OpenTasks {
		b.Queue(`INSERT INTO tasks (workflow_id, step_key, case_kind, case_code, case_title, category, action, agency_code, candidate_role, due_at, created_at)
			VALUES ($1, $2, 'application', $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (workflow_id, step_key) DO NOTHING`,
			r.WorkflowID, t.StepKey, r.Code, c.Title, c.Field, t.Action, t.AgencyCode, t.Role, t.DueAt, r.At)
	}
	for _, k := range r.OverdueTasks {
		b.Queue(`UPDATE tasks SET overdue = true WHERE workflow_id = $1 AND status = 'open' AND ($2 = '*' OR step_key = $2)`,
			r.WorkflowID, k)
	}
}

// Application is a dossier as the API shows it.
type Application struct {
	ID               int64          `json:"id"`
	WorkflowID       string         `json:"-"`
	Code             string         `json:"code"`
	Title            string         `json:"title"`
	Field            string         `json:"field"`
	ProcedureCode    string         `json:"procedure_code"`
	SubmittedVersion int            `json:"submitted_version"`
	ProcedureVersion *int           `json:"procedure_version"`
	AgencyCode       string         `json:"agency_code"`
	LeadAgencyCode   string         `json:"lead_agency_code,omitempty"` // the sending agency while another does its part (liên thông)
	CitizenID        int64          `json:"citizen_id"`
	Status           cds.AppStatus  `json:"status"`
	StatusName       string         `json:"status_name"`
	StatusNumber     int            `json:"status_number"`
	Channel          string         `json:"channel"`
	ReceivedAt       time.Time      `json:"received_at"`
	AppointmentAt    *time.Time     `json:"appointment_at"`
	FinishedAt       *time.Time     `json:"finished_at"`
	Overdue          bool           `json:"overdue"`
	Timeliness       *string        `json:"timeliness"`
	FeeDue           *int64         `json:"fee_due"`
	Rating           *int           `json:"rating"`
	CurrentStep      string         `json:"current_step"`
	Form             map[string]any `json:"form,omitempty"`
	DocumentIDs      []string       `json:"document_ids,omitempty"`
	Forms            map[string]any `json:"forms,omitempty"`
	Result           map[string]any `json:"result,omitempty"`
}

const applicationCols = `a.id, c.workflow_id, c.code, c.title, c.field, a.procedure_code, a.submitted_version, a.procedure_version,
	COALESCE(c.agency_code, ''), COALESCE(c.citizen_id, 0), c.status, c.channel, c.received_at, c.due_at, c.finished_at, c.overdue,
	c.timeliness, c.fee_due, c.rating, a.current_step, a.form, a.document_ids, a.forms, a.result, COALESCE(c.lead_agency_code, '')`

func scanApplication(r pgx.Row) (Application, error) {
	var a Application
	var form, docs, forms, result []byte
	err := r.Scan(&a.ID, &a.WorkflowID, &a.Code, &a.Title, &a.Field, &a.ProcedureCode, &a.SubmittedVersion, &a.ProcedureVersion,
		&a.AgencyCode, &a.CitizenID, &a.Status, &a.Channel, &a.ReceivedAt, &a.AppointmentAt, &a.FinishedAt, &a.Overdue,
		&a.Timeliness, &a.FeeDue, &a.Rating, &a.CurrentStep, &form, &docs, &forms, &result, &a.LeadAgencyCode)
	if err != nil {
		return a, mapErr(err)
	}
	_ = json.Unmarshal(form, &a.Form)
	_ = json.Unmarshal(docs, &a.DocumentIDs)
	_ = json.Unmarshal(forms, &a.Forms)
	if result != nil {
		_ = json.Unmarshal(result, &a.Result)
	}
	info := a.Status.Info()
	a.StatusName, a.StatusNumber = info.Name, info.Number
	a.ReceivedAt = a.ReceivedAt.In(cds.VietnamTZ)
	for _, p := range []*time.Time{a.AppointmentAt, a.FinishedAt} {
		if p != nil {
			*p = p.In(cds.VietnamTZ)
		}
	}
	return a, nil
}

// ApplicationByID finds a dossier by numeric id.
func (db *DB) ApplicationByID(ctx context.Context, id int64) (Application, error) {
	return scanApplication(db.Pool.QueryRow(ctx, `SELECT `+applicationCols+` FROM applications a JOIN cases c USING (workflow_id) WHERE a.id = $1`, id))
}

// ApplicationByCode finds a dossier by its code.
func (db *DB) ApplicationByCode(ctx context.Context, code string) (Application, error) {
	return scanApplication(db.Pool.QueryRow(ctx, `SELECT `+applicationCols+` FROM applications a JOIN cases c USING (workflow_id) WHERE a.code = $1`, code))
}

// CitizenApplications lists a citizen's dossiers newest first; before is a cursor (an id; 0 = start).
func (db *DB) CitizenApplications(ctx context.Context, citizenID, before int64, limit int) ([]Application, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+applicationCols+` FROM applications a JOIN cases c USING (workflow_id)
		WHERE a.citizen_id = $1 AND ($2 = 0 OR a.id < $2) ORDER BY a.id DESC LIMIT $3`, citizenID, before, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []Application{}
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// ControlSheetRow is one hand-off of the process control sheet (phiếu kiểm
// soát quá trình giải quyết hồ sơ, form 06 of Circular 03/2025/TT-VPCP).
type ControlSheetRow struct {
	Seq            int        `json:"seq"`
	At             time.Time  `json:"at"`
	FromStep       string     `json:"from_step"`
	ToStep         string     `json:"to_step"`
	SenderName     string     `json:"sender_name"`
	SenderAgency   string     `json:"sender_agency"`
	ReceiverRole   string     `json:"receiver_role"`
	ReceiverAgency string     `json:"receiver_agency"`
	StepDue        *time.Time `json:"step_due"`
	Timeliness     string     `json:"timeliness"`
	Result         string     `json:"result"`
	// An inter-agency hand-off (liên thông): the agency that handed over
	// and, when the receiving agency hands back, its budget and the working
	// hours it used.
	FromAgency        string   `json:"from_agency"`
	AgencyBudgetHours *float64 `json:"agency_budget_hours,omitempty"`
	AgencyUsedHours   *float64 `json:"agency_used_hours,omitempty"`
}

// ApplicationControlSheet returns the hand-offs of a dossier in order.
func (db *DB) ApplicationControlSheet(ctx context.Context, workflowID string) ([]ControlSheetRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT seq, at, detail->>'from_step', COALESCE(detail->>'to_step', ''), actor_name, actor_agency,
			COALESCE(detail->>'receiver_role', ''), COALESCE(detail->>'receiver_agency', ''), (detail->>'step_due')::timestamptz,
			COALESCE(detail->>'timeliness', ''), action, COALESCE(detail->>'from_agency', ''),
			(detail->>'agency_budget_hours')::float8, (detail->>'agency_used_hours')::float8
		FROM case_events WHERE workflow_id = $1 AND detail ? 'from_step' ORDER BY seq`, workflowID)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ControlSheetRow, error) {
		var x ControlSheetRow
		err := r.Scan(&x.Seq, &x.At, &x.FromStep, &x.ToStep, &x.SenderName, &x.SenderAgency, &x.ReceiverRole, &x.ReceiverAgency,
			&x.StepDue, &x.Timeliness, &x.Result, &x.FromAgency, &x.AgencyBudgetHours, &x.AgencyUsedHours)
		x.At = x.At.In(cds.VietnamTZ)
		if x.StepDue != nil {
			t := x.StepDue.In(cds.VietnamTZ)
			x.StepDue = &t
		}
		return x, err
	})
}

// ApplicationHandlingHours returns the working hours a dossier took (nil
// until its result is issued).
func (db *DB) ApplicationHandlingHours(ctx context.Context, workflowID string) (*float64, error) {
	var h *float64
	err := db.Pool.QueryRow(ctx, `SELECT handling_hours FROM cases WHERE workflow_id = $1`, workflowID).Scan(&h)
	return h, mapErr(err)
}

// ApplicationOwnedMedia returns which of ids are media rows owned by userID.
func (db *DB) ApplicationOwnedMedia(ctx context.Context, userID int64, ids []string) (map[string]bool, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id FROM media WHERE owner_id = $1 AND id = ANY($2)`, userID, ids)
	if err != nil {
		return nil, mapErr(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	out := map[string]bool{}
	for _, id := range got {
		out[id] = true
	}
	return out, mapErr(err)
}

// ApplicationAgency returns one agency (the responsible agency of a dossier).
func (db *DB) ApplicationAgency(ctx context.Context, code string) (cds.Agency, error) {
	var a cds.Agency
	err := db.Pool.QueryRow(ctx, `SELECT code, name, type, COALESCE(parent_code, '') FROM agencies WHERE code = $1`, code).
		Scan(&a.Code, &a.Name, &a.Type, &a.ParentCode)
	return a, mapErr(err)
}

// ApplicationCitizen returns a citizen account as an actor (for dossiers
// received at the desk on the citizen's behalf).
func (db *DB) ApplicationCitizen(ctx context.Context, id int64) (cds.Actor, error) {
	a := cds.Actor{UserID: id, Roles: []cds.Role{cds.RoleCitizen}}
	err := db.Pool.QueryRow(ctx, `SELECT full_name FROM users WHERE id = $1 AND kind = 'citizen' AND status = 'active'`, id).Scan(&a.Name)
	return a, mapErr(err)
}
