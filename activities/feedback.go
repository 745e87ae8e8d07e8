package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/worktime"
)

// FeedbackReport is what the citizen sent. The workflow's input carries it
// (workflows.FeedbackInput) and the first event writes it (FeedbackCreate);
// embedded without a tag, its fields stay at the top level of both JSON
// payloads, as before it was shared.
type FeedbackReport struct {
	Code      string       `json:"code"`
	CitizenID int64        `json:"citizen_id"`
	Title     string       `json:"title"`
	Content   string       `json:"content"`
	Category  string       `json:"category"`
	Location  cds.Location `json:"location"`
	MediaIDs  []string     `json:"media_ids,omitempty"`
	HideName  bool         `json:"hide_name,omitempty"`
	Urgent    bool         `json:"urgent,omitempty"`
	Channel   string       `json:"channel,omitempty"`
}

// FeedbackCreate is the report itself, written with the first event.
type FeedbackCreate struct {
	FeedbackReport
	ReceivedAt time.Time `json:"received_at"`
}

// FeedbackTask is a step waiting on a person (a tasks row).
type FeedbackTask struct {
	StepKey    string    `json:"step_key"`
	Action     string    `json:"action"`
	Agency     string    `json:"agency"`
	Role       string    `json:"role"`
	AssigneeID int64     `json:"assignee_id,omitempty"`
	Priority   int       `json:"priority"`
	Overdue    bool      `json:"overdue"`
	DueAt      time.Time `json:"due_at"`
}

// FeedbackEvent is one transition of a FeedbackCase, written to the read
// model in one transaction: the timeline row, the cases row, the feedback
// detail, and the task closed and opened by the step. Keyed by WorkflowID+Seq.
type FeedbackEvent struct {
	WorkflowID string         `json:"workflow_id"`
	Seq        int            `json:"seq"`
	At         time.Time      `json:"at"`
	Actor      cds.Actor      `json:"actor"`
	Action     string         `json:"action"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Note       string         `json:"note,omitempty"`
	Public     bool           `json:"public"`
	Detail     map[string]any `json:"detail,omitempty"`
	CaseCode   string         `json:"case_code"`
	CaseTitle  string         `json:"case_title"`
	Category   string         `json:"category"`

	Status     string    `json:"status"`
	AgencyCode string    `json:"agency_code"`
	DueAt      time.Time `json:"due_at"`
	Overdue    bool      `json:"overdue"`
	Finished   bool      `json:"finished,omitempty"`
	Closed     bool      `json:"closed,omitempty"`

	CloseTask string        `json:"close_task,omitempty"`
	OpenTask  *FeedbackTask `json:"open_task,omitempty"`

	Create        *FeedbackCreate `json:"create,omitempty"`
	AssigneeID    int64           `json:"assignee_id,omitempty"`
	ClearAssignee bool            `json:"clear_assignee,omitempty"`
	InfoRequest   *string         `json:"info_request,omitempty"`
	InfoReply     *string         `json:"info_reply,omitempty"`
	Answer        *string         `json:"answer,omitempty"`
	AnswerMedia   []string        `json:"answer_media,omitempty"`
	AnswerBy      string          `json:"answer_by,omitempty"`
	Published     bool            `json:"published,omitempty"`
	DuplicateOf   string          `json:"duplicate_of,omitempty"`
	Rating        int             `json:"rating,omitempty"`
	RatingComment string          `json:"rating_comment,omitempty"`
	Reopened      bool            `json:"reopened,omitempty"` // the citizen's complaint reopened the case
}

// RecordFeedback applies ev to the read model once, in two round trips: one
// read (what is stored at the event's seq, and the case's received time and
// overdue flag), then every write as one batch, which PostgreSQL runs as one
// implicit transaction (all or nothing). The event row is the batch's guard:
// if another try stored it first, its insert fails on the key, the whole
// batch rolls back and the write counts as done. A different event stored
// at the seq (a workflow task that died after writing) is repaired first
// (postgres.RepairDivergedEvents).
func (a *Activities) RecordFeedback(ctx context.Context, ev FeedbackEvent) error {
	// Issue 20: the assignee is told here rather than by a new workflow step
	// (no workflow change); deduplicated, so a retry enqueues nothing new.
	if err := a.notifyAssignee(ctx, ev); err != nil {
		return err
	}
	var same *bool
	var received *time.Time
	var overdue bool
	if err := a.DB.Pool.QueryRow(ctx, `SELECT (SELECT `+postgres.SameEventSQL+` FROM case_events WHERE workflow_id = $1 AND seq = $2),
		(SELECT received_at FROM cases WHERE workflow_id = $1), COALESCE((SELECT overdue FROM cases WHERE workflow_id = $1), false)`,
		ev.WorkflowID, ev.Seq, ev.Action, ev.From, ev.To, ev.Actor.UserID).Scan(&same, &received, &overdue); err != nil {
		return err
	}
	if same != nil && *same {
		return nil // applied by an earlier attempt
	}
	b := &pgx.Batch{}
	if same != nil {
		postgres.QueueRepair(b, ev.WorkflowID, ev.Seq)
	}
	if err := a.queueFeedbackEvent(ctx, b, ev, received, overdue); err != nil {
		return err
	}
	err := a.DB.Pool.SendBatch(ctx, b).Close()
	if postgres.IsDuplicateEvent(err) {
		return nil // another try stored it first; this batch rolled back whole
	}
	return err
}

// queueFeedbackEvent queues ev's writes on b: the report (first event), the
// event row, the cases row, the feedback detail and the tasks.
func (a *Activities) queueFeedbackEvent(ctx context.Context, b *pgx.Batch, ev FeedbackEvent, received *time.Time, overdue bool) error {
	if c := ev.Create; c != nil {
		channel := c.Channel
		if channel == "" {
			channel = "online"
		}
		prio := 0
		if c.Urgent {
			prio = 1
		}
		b.Queue(`INSERT INTO cases (workflow_id, kind, code, title, field, citizen_id, status, channel, priority, received_at, due_at)
			VALUES ($1, 'feedback', $2, $3, $4, $5, 'submitted', $6, $7, $8, $9) ON CONFLICT (workflow_id) DO NOTHING`,
			ev.WorkflowID, c.Code, c.Title, c.Category, c.CitizenID, channel, prio, c.ReceivedAt, nullTime(ev.DueAt))
		b.Queue(`INSERT INTO feedback_reports (workflow_id, content, lat, lng, address, commune_code, hide_name, urgent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workflow_id) DO NOTHING`,
			ev.WorkflowID, c.Content, c.Location.Lat, c.Location.Lng, c.Location.Address, c.Location.CommuneCode, c.HideName, c.Urgent)
		for _, m := range c.MediaIDs {
			b.Queue(`INSERT INTO feedback_media (workflow_id, media_id, role) VALUES ($1, $2, 'photo') ON CONFLICT DO NOTHING`, ev.WorkflowID, m)
		}
	}
	detail := ev.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	var actorID *int64
	if ev.Actor.UserID != 0 {
		actorID = &ev.Actor.UserID
	}
	// No ON CONFLICT: a stored row fails the batch (the guard, see RecordFeedback).
	b.Queue(`INSERT INTO case_events (workflow_id, seq, at, actor_id, actor_name, actor_agency, action, from_status, to_status, note, public, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		ev.WorkflowID, ev.Seq, ev.At, actorID, ev.Actor.Name, ev.Actor.AgencyCode, ev.Action, ev.From, ev.To, ev.Note, ev.Public, detail)
	var agency *string
	if ev.AgencyCode != "" {
		agency = &ev.AgencyCode
	}
	b.Queue(`UPDATE cases SET status = $3, agency_code = COALESCE($4, agency_code), due_at = COALESCE($5, due_at),
		overdue = overdue OR $6, closed = closed OR $7, last_seq = $2, updated_at = now()
		WHERE workflow_id = $1 AND last_seq < $2`,
		ev.WorkflowID, ev.Seq, ev.Status, agency, nullTime(ev.DueAt), ev.Overdue, ev.Closed)
	if ev.Finished {
		if received == nil {
			return fmt.Errorf("activities: feedback %s finishes before its case row exists", ev.WorkflowID)
		}
		cal, err := a.Calendar(ctx)
		if err != nil {
			return err
		}
		tl := cds.ClassifyTimeliness(ev.At, ev.DueAt)
		if overdue || ev.Overdue {
			tl = cds.Late // an escalated case stays late even if answered after a pause
		}
		b.Queue(`UPDATE cases SET finished_at = $2, timeliness = $3, handling_hours = $4 WHERE workflow_id = $1 AND finished_at IS NULL`,
			ev.WorkflowID, ev.At, string(tl), cal.WorkingHoursBetween(*received, ev.At))
	}
	if ev.Overdue {
		b.Queue(`UPDATE tasks SET overdue = true WHERE workflow_id = $1 AND status = 'open'`, ev.WorkflowID)
	}
	if ev.Rating > 0 {
		b.Queue(`UPDATE cases SET rating = $2, rating_comment = $3 WHERE workflow_id = $1`, ev.WorkflowID, ev.Rating, ev.RatingComment)
	}
	queueFeedbackDetail(b, ev)
	if ev.CloseTask != "" {
		b.Queue(`UPDATE tasks SET status = 'closed', closed_at = $3, closed_by = $4, closed_seq = $5 WHERE workflow_id = $1 AND step_key = $2 AND status = 'open'`,
			ev.WorkflowID, ev.CloseTask, ev.At, actorID, ev.Seq)
	}
	if t := ev.OpenTask; t != nil {
		var assignee *int64
		if t.AssigneeID != 0 {
			assignee = &t.AssigneeID
		}
		b.Queue(`INSERT INTO tasks (workflow_id, step_key, case_kind, case_code, case_title, category, action, agency_code, candidate_role, assignee_id, priority, overdue, due_at, created_at)
			VALUES ($1, $2, 'feedback', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (workflow_id, step_key) DO NOTHING`,
			ev.WorkflowID, t.StepKey, ev.CaseCode, ev.CaseTitle, ev.Category, t.Action, t.Agency, t.Role, assignee, t.Priority, t.Overdue, nullTime(t.DueAt), ev.At)
	}
	return nil
}

func queueFeedbackDetail(b *pgx.Batch, ev FeedbackEvent) {
	exec := func(sql string, args ...any) {
		b.Queue(sql, append([]any{ev.WorkflowID}, args...)...)
	}
	switch {
	case ev.AssigneeID != 0:
		exec(`UPDATE feedback_reports SET assignee_id = $2 WHERE workflow_id = $1`, ev.AssigneeID)
	case ev.ClearAssignee:
		exec(`UPDATE feedback_reports SET assignee_id = NULL WHERE workflow_id = $1`)
	}
	if ev.InfoRequest != nil {
		exec(`UPDATE feedback_reports SET info_request = $2, info_reply = '' WHERE workflow_id = $1`, *ev.InfoRequest)
	}
	if ev.InfoReply != nil {
		exec(`UPDATE feedback_reports SET info_reply = $2 WHERE workflow_id = $1`, *ev.InfoReply)
	}
	if ev.Answer != nil {
		exec(`UPDATE feedback_reports SET answer = $2 WHERE workflow_id = $1`, *ev.Answer)
		exec(`DELETE FROM feedback_media WHERE workflow_id = $1 AND role = 'answer'`)
		for _, m := range ev.AnswerMedia {
			exec(`INSERT INTO feedback_media (workflow_id, media_id, role) VALUES ($1, $2, 'answer') ON CONFLICT DO NOTHING`, m)
		}
	}
	if ev.AnswerBy != "" {
		exec(`UPDATE feedback_reports SET answer_by = $2 WHERE workflow_id = $1`, ev.AnswerBy)
	}
	if ev.Published {
		exec(`UPDATE feedback_reports SET published_at = $2 WHERE workflow_id = $1`, ev.At)
	}
	if ev.Reopened {
		exec(`UPDATE feedback_reports SET reopen_count = reopen_count + 1, reopened_at = $2 WHERE workflow_id = $1`, ev.At)
	}
	if ev.DuplicateOf != "" {
		exec(`UPDATE feedback_reports SET duplicate_of = $2 WHERE workflow_id = $1`, ev.DuplicateOf)
		// The reporter of the duplicate follows the original from now on.
		exec(`INSERT INTO feedback_followers (workflow_id, user_id)
			SELECT o.workflow_id, c.citizen_id FROM cases c, cases o
			WHERE c.workflow_id = $1 AND o.code = $2 AND c.citizen_id IS NOT NULL ON CONFLICT DO NOTHING`, ev.DuplicateOf)
	}
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// RouteInput asks who handles a category in a commune.
type RouteInput struct {
	Category    string `json:"category"`
	CommuneCode string `json:"commune_code"`
	Fallback    string `json:"fallback"`
}

// RouteFeedback decides who handles a case, for the two-level local
// government: the commune-specific row of the routing table first; then, for
// a category handled at commune level, the ward or commune where the case is
// (if it is a commune in force); then the category's row for any commune
// ('*'); else the fallback (the province coordinator). Only existing agencies
// count. The answer is recorded in the workflow history, so a change here
// never alters a running case on replay.
func (a *Activities) RouteFeedback(ctx context.Context, in RouteInput) (string, error) {
	var code string
	err := a.DB.Pool.QueryRow(ctx, `SELECT code FROM (
		SELECT r.agency_code AS code, 1 AS rank FROM feedback_routes r JOIN agencies ag ON ag.code = r.agency_code
			WHERE r.category_code = $1 AND r.commune_code = $2
		UNION ALL
		SELECT ag.code, 2 FROM feedback_categories k JOIN agencies ag ON ag.code = $2
			WHERE k.code = $1 AND k.level = 'commune' AND ag.type = 'commune'
			AND (ag.in_force_to IS NULL OR ag.in_force_to >= (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
		UNION ALL
		SELECT r.agency_code, 3 FROM feedback_routes r JOIN agencies ag ON ag.code = r.agency_code
			WHERE r.category_code = $1 AND r.commune_code = '*'
	) x ORDER BY rank LIMIT 1`, in.Category, in.CommuneCode).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return in.Fallback, nil
	}
	return code, err
}

// UseCalendar pins the calendar (no database), for workflow tests and tools.
func (a *Activities) UseCalendar(c *worktime.Calendar) {
	a.calMu.Lock()
	a.cal, a.calTime = c, time.Now().Add(100*365*24*time.Hour)
	a.calMu.Unlock()
}
