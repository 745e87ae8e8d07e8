package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// FeedbackCategory is a category (lĩnh vực) with its SLAs in working hours.
type FeedbackCategory struct {
	Code              string  `json:"code"`
	NameVI            string  `json:"name"`
	NameEN            string  `json:"name_en"`
	DupRadiusM        int     `json:"dup_radius_m"`
	AcceptHours       float64 `json:"accept_hours"`
	AnswerHours       float64 `json:"answer_hours"`
	UrgentAcceptHours float64 `json:"urgent_accept_hours"`
	UrgentAnswerHours float64 `json:"urgent_answer_hours"`
	Level             string  `json:"level"`        // commune or province: where the case is handled
	ReminderPct       int     `json:"reminder_pct"` // % of the answer time used when the assignee is reminded
	// Issue 21 (migration 00130): working days the citizen has to send the
	// information asked for, further working days after the reminder before
	// the case closes, calendar days after publication in which a complaint
	// reopens it, and when the answer clock starts (ClockFrom: "submission"
	// or "acceptance", workflows.ClockFrom*).
	InfoDays      float64 `json:"info_days"`
	InfoGraceDays float64 `json:"info_grace_days"`
	ComplaintDays float64 `json:"complaint_days"`
	ClockFrom     string  `json:"clock_from"`
}

const categoryCols = `code, name_vi, name_en, dup_radius_m, accept_hours, answer_hours, urgent_accept_hours, urgent_answer_hours, level, reminder_pct,
	info_days, info_grace_days, complaint_days, clock_from`

func scanCategory(r pgx.Row) (FeedbackCategory, error) {
	var c FeedbackCategory
	err := r.Scan(&c.Code, &c.NameVI, &c.NameEN, &c.DupRadiusM, &c.AcceptHours, &c.AnswerHours, &c.UrgentAcceptHours, &c.UrgentAnswerHours, &c.Level, &c.ReminderPct,
		&c.InfoDays, &c.InfoGraceDays, &c.ComplaintDays, &c.ClockFrom)
	return c, err
}

// FeedbackCategories lists the active categories in display order.
func (db *DB) FeedbackCategories(ctx context.Context) ([]FeedbackCategory, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+categoryCols+` FROM feedback_categories WHERE active ORDER BY sort, code`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FeedbackCategory, error) { return scanCategory(r) })
}

// FeedbackCategoryByCode returns one active category.
func (db *DB) FeedbackCategoryByCode(ctx context.Context, code string) (FeedbackCategory, error) {
	c, err := scanCategory(db.Pool.QueryRow(ctx, `SELECT `+categoryCols+` FROM feedback_categories WHERE active AND code = $1`, code))
	return c, mapErr(err)
}

// HasRoleIn reports whether user holds role in agency (for "assign to an officer of the agency").
func (db *DB) HasRoleIn(ctx context.Context, userID int64, role, agency string) (bool, string, error) {
	var name string
	err := db.Pool.QueryRow(ctx, `SELECT u.full_name FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.user_id = $1 AND r.role = $2 AND r.agency_code = $3`, userID, role, agency).Scan(&name)
	if err == pgx.ErrNoRows {
		return false, "", nil
	}
	return err == nil, name, mapErr(err)
}

// Feedback is a feedback case as the read model has it.
type Feedback struct {
	WorkflowID    string     `json:"-"`
	Code          string     `json:"code"`
	Title         string     `json:"title"`
	Content       string     `json:"content"`
	Category      string     `json:"category_code"`
	AgencyCode    string     `json:"agency_code"`
	AgencyName    string     `json:"agency_name"`
	CitizenID     int64      `json:"-"`
	CitizenName   string     `json:"citizen_name,omitempty"`
	Status        string     `json:"status"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         *time.Time `json:"due_at"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	Closed        bool       `json:"closed"`
	Overdue       bool       `json:"overdue"`
	Timeliness    *string    `json:"timeliness,omitempty"`
	Rating        *int       `json:"rating,omitempty"`
	RatingComment *string    `json:"rating_comment,omitempty"`
	Lat           float64    `json:"lat"`
	Lng           float64    `json:"lng"`
	Address       string     `json:"address"`
	CommuneCode   string     `json:"commune_code"`
	HideName      bool       `json:"hide_name"`
	Urgent        bool       `json:"urgent"`
	AssigneeID    *int64     `json:"assignee_id,omitempty"`
	InfoRequest   string     `json:"info_request,omitempty"`
	InfoReply     string     `json:"info_reply,omitempty"`
	Answer        string     `json:"answer,omitempty"`
	AnswerBy      string     `json:"answer_by,omitempty"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	DuplicateOf   *string    `json:"duplicate_of,omitempty"`
	ReopenCount   int        `json:"reopen_count"` // times a complaint reopened it
	// Moderation: hidden from every public view; the public title and
	// content when staff edited them (the originals above stay as sent).
	Hidden        bool    `json:"hidden"`
	PublicTitle   *string `json:"public_title,omitempty"`
	PublicContent *string `json:"public_content,omitempty"`
}

const feedbackSelect = `SELECT c.workflow_id, c.code, c.title, r.content, c.field, COALESCE(c.agency_code, ''), COALESCE(a.name, ''),
	COALESCE(c.citizen_id, 0), COALESCE(u.full_name, ''), c.status, c.received_at, c.due_at, c.finished_at, c.closed, c.overdue,
	c.timeliness, c.rating, c.rating_comment, r.lat, r.lng, r.address, r.commune_code, r.hide_name, r.urgent, r.assignee_id,
	r.info_request, r.info_reply, r.answer, r.answer_by, r.published_at, r.duplicate_of,
	r.hidden_at IS NOT NULL, r.public_title, r.public_content, r.reopen_count
	FROM cases c JOIN feedback_reports r ON r.workflow_id = c.workflow_id
	LEFT JOIN agencies a ON a.code = c.agency_code LEFT JOIN users u ON u.id = c.citizen_id `

func scanFeedback(r pgx.Row) (Feedback, error) {
	var f Feedback
	err := r.Scan(&f.WorkflowID, &f.Code, &f.Title, &f.Content, &f.Category, &f.AgencyCode, &f.AgencyName, &f.CitizenID, &f.CitizenName,
		&f.Status, &f.ReceivedAt, &f.DueAt, &f.FinishedAt, &f.Closed, &f.Overdue, &f.Timeliness, &f.Rating, &f.RatingComment,
		&f.Lat, &f.Lng, &f.Address, &f.CommuneCode, &f.HideName, &f.Urgent, &f.AssigneeID, &f.InfoRequest, &f.InfoReply,
		&f.Answer, &f.AnswerBy, &f.PublishedAt, &f.DuplicateOf, &f.Hidden, &f.PublicTitle, &f.PublicContent, &f.ReopenCount)
	return f, err
}

// FeedbackByCode returns one case.
func (db *DB) FeedbackByCode(ctx context.Context, code string) (Feedback, error) {
	f, err := scanFeedback(db.Pool.QueryRow(ctx, feedbackSelect+`WHERE c.kind = 'feedback' AND c.code = $1`, code))
	return f, mapErr(err)
}

// FeedbackMedia is a file attached to a case.
type FeedbackMedia struct {
	MediaID  string `json:"id"`
	Role     string `json:"role"`
	Redacted bool   `json:"redacted"`
}

// FeedbackMediaOf lists the photos and answer attachments of a case.
func (db *DB) FeedbackMediaOf(ctx context.Context, workflowID string) ([]FeedbackMedia, error) {
	rows, err := db.Pool.Query(ctx, `SELECT media_id, role, redacted FROM feedback_media WHERE workflow_id = $1 ORDER BY role DESC, media_id`, workflowID)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FeedbackMedia, error) {
		var m FeedbackMedia
		err := r.Scan(&m.MediaID, &m.Role, &m.Redacted)
		return m, err
	})
}

// SetMediaRedacted hides (or shows again) a photo of a case in the public view.
func (db *DB) SetMediaRedacted(ctx context.Context, workflowID, mediaID string, redacted bool) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE feedback_media SET redacted = $3 WHERE workflow_id = $1 AND media_id = $2`, workflowID, mediaID, redacted)
	if err == nil && tag.RowsAffected() == 0 {
		return mapErr(pgx.ErrNoRows)
	}
	return mapErr(err)
}

// MyFeedback pages a citizen's own reports (newest first) and the ones they
// follow. cursor is the last code of the previous page.
func (db *DB) MyFeedback(ctx context.Context, citizenID int64, cursor string, limit int) ([]Feedback, error) {
	rows, err := db.Pool.Query(ctx, feedbackSelect+`WHERE c.kind = 'feedback' AND (c.citizen_id = $1
		OR EXISTS (SELECT 1 FROM feedback_followers f WHERE f.workflow_id = c.workflow_id AND f.user_id = $1))
		AND ($2 = '' OR c.code < $2) ORDER BY c.code DESC LIMIT $3`, citizenID, cursor, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feedback, error) { return scanFeedback(r) })
}

// PublishedFeedback pages the published answers (newest first).
func (db *DB) PublishedFeedback(ctx context.Context, cursor string, limit int) ([]Feedback, error) {
	rows, err := db.Pool.Query(ctx, feedbackSelect+`WHERE c.kind = 'feedback' AND r.published_at IS NOT NULL AND r.hidden_at IS NULL
		AND ($1 = '' OR c.code < $1) ORDER BY c.code DESC LIMIT $2`, cursor, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feedback, error) { return scanFeedback(r) })
}

// NearbyFeedback finds open reports of a category within the category's
// duplicate radius (equirectangular distance, fine at a few hundred metres).
func (db *DB) NearbyFeedback(ctx context.Context, category string, lat, lng float64, limit int) ([]Feedback, []float64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT * FROM (
		SELECT x.*, 6371000 * sqrt(power(radians(x_lat - $2), 2) + power(cos(radians($2)) * radians(x_lng - $3), 2)) AS dist, k.dup_radius_m
		FROM (`+feedbackSelectCols("x_lat", "x_lng")+`) x JOIN feedback_categories k ON k.code = x.field
		WHERE x.field = $1 AND NOT x.closed) y WHERE dist <= dup_radius_m ORDER BY dist LIMIT $4`, category, lat, lng, limit)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	defer rows.Close()
	var out []Feedback
	var dists []float64
	for rows.Next() {
		var f Feedback
		var field string
		var lat2, lng2, d float64
		var radius int
		if err := rows.Scan(&f.WorkflowID, &f.Code, &f.Title, &field, &f.Status, &f.ReceivedAt, &f.AgencyCode, &lat2, &lng2, &f.Closed, &d, &radius); err != nil {
			return nil, nil, err
		}
		f.Category, f.Lat, f.Lng = field, lat2, lng2
		out = append(out, f)
		dists = append(dists, d)
	}
	return out, dists, rows.Err()
}

func feedbackSelectCols(latName, lngName string) string {
	return `SELECT c.workflow_id, c.code, COALESCE(r.public_title, c.title) AS title, c.field, c.status, c.received_at, COALESCE(c.agency_code, '') AS agency_code,
		r.lat AS ` + latName + `, r.lng AS ` + lngName + `, c.closed FROM cases c JOIN feedback_reports r ON r.workflow_id = c.workflow_id
		WHERE c.kind = 'feedback' AND r.hidden_at IS NULL`
}

// FollowFeedback adds a follower (idempotent).
func (db *DB) FollowFeedback(ctx context.Context, workflowID string, userID int64) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO feedback_followers (workflow_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, workflowID, userID)
	return mapErr(err)
}

// FollowerCount counts the followers of a case.
func (db *DB) FollowerCount(ctx context.Context, workflowID string) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM feedback_followers WHERE workflow_id = $1`, workflowID).Scan(&n)
	return n, mapErr(err)
}

// FeedbackDuplicate is a report staff marked as a duplicate of another.
type FeedbackDuplicate struct {
	Code       string    `json:"code"`
	Title      string    `json:"title"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
}

// DuplicatesOf lists the reports marked as duplicates of the case code, oldest first.
func (db *DB) DuplicatesOf(ctx context.Context, code string) ([]FeedbackDuplicate, error) {
	rows, err := db.Pool.Query(ctx, `SELECT c.code, c.title, c.status, c.received_at FROM feedback_reports r
		JOIN cases c ON c.workflow_id = r.workflow_id WHERE r.duplicate_of = $1 ORDER BY c.received_at, c.code`, code)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FeedbackDuplicate, error) {
		var d FeedbackDuplicate
		err := r.Scan(&d.Code, &d.Title, &d.Status, &d.ReceivedAt)
		return d, err
	})
}
