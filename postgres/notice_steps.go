package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Ways a step reaches someone (Recipient.Via), in the order
// NoticeRecipients lists them.
const (
	ViaUser      = 1 // named in the step (Recipients.Users)
	ViaDuplicate = 2 // reporter of a duplicate of the case
	ViaFollower  = 3 // follows the case
	ViaStaff     = 4 // holds the task, or works in the agency with the role
)

// Recipients selects whom one step's notices reach. Every field is
// optional; NoticeRecipients reads all of them in one query.
type Recipients struct {
	Users        []int64  // named people; 0 keeps a notice for nobody in particular (the log)
	DuplicatesOf string   // a feedback case's code: the reporters of its duplicates
	FollowersOf  string   // a feedback case's workflow ID: the citizens following it
	HolderOf     TaskRef  // a task: its holder (claimed or assigned); while nobody holds it, Agency's Roles
	Agency       string   // an agency whose staff with one of Roles are reached
	Roles        []string //
}

// TaskRef names one task of a case.
type TaskRef struct{ WorkflowID, StepKey string }

// Recipient is one person a step reaches, how, and what deciding their
// channels needs.
type Recipient struct {
	UserID int64
	Via    int
	Target NotifyTarget
}

const recipientsSQL = `WITH holder AS (
		SELECT assignee_id AS user_id FROM tasks WHERE $4 <> '' AND workflow_id = $4 AND step_key = $5 AND assignee_id IS NOT NULL
	), who AS (
		SELECT x.id AS user_id, 1 AS via, x.ord FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, ord)
		UNION ALL
		SELECT DISTINCT c.citizen_id, 2, 0 FROM feedback_reports r JOIN cases c ON c.workflow_id = r.workflow_id
			WHERE $2 <> '' AND r.duplicate_of = $2 AND c.citizen_id IS NOT NULL
		UNION ALL
		SELECT user_id, 3, 0 FROM feedback_followers WHERE $3 <> '' AND workflow_id = $3
		UNION ALL
		SELECT user_id, 4, 0 FROM holder
		UNION ALL
		SELECT DISTINCT user_id, 4, 0 FROM user_roles WHERE $6 <> '' AND agency_code = $6 AND role = ANY($7)
			AND NOT EXISTS (SELECT 1 FROM holder)
	)
	SELECT w.user_id, w.via, u.id IS NOT NULL, COALESCE(u.kind = 'staff', false), u.deleted_at IS NOT NULL,
		EXISTS (SELECT 1 FROM consents c WHERE c.user_id = w.user_id AND c.purpose = 'notifications' AND c.withdrawn_at IS NOT NULL),
		COALESCE(q.start_minute, -1), COALESCE(q.end_minute, -1),
		COALESCE((SELECT jsonb_object_agg(p.topic || '/' || p.channel, p.enabled) FROM notification_prefs p WHERE p.user_id = w.user_id), '{}')
	FROM who w LEFT JOIN users u ON u.id = w.user_id LEFT JOIN notification_quiet_hours q ON q.user_id = w.user_id
	WHERE NOT EXISTS (SELECT 1 FROM notice_steps WHERE $8 <> '' AND dedupe_key = $8)
	ORDER BY w.via, w.ord, w.user_id`

// NoticeRecipients lists whom sel reaches with each one's kind, consent,
// channel choices and quiet hours, unless the step mark is queued already
// (notice_steps; mark "" never is): then it lists nobody. The recipients
// query checks the mark first, as a one-time filter of its generic plan,
// and reads nothing else. A person reached two ways is listed under each;
// the caller decides. The batch is one round trip and one implicit
// transaction, so SET LOCAL holds for it.
func (db *DB) NoticeRecipients(ctx context.Context, mark string, sel Recipients) (out []Recipient, err error) {
	if sel.Users == nil {
		sel.Users = []int64{}
	}
	if sel.Roles == nil {
		sel.Roles = []string{}
	}
	b := &pgx.Batch{}
	b.Queue(genericPlanSQL)
	b.Queue(recipientsSQL, sel.Users, sel.DuplicatesOf, sel.FollowersOf, sel.HolderOf.WorkflowID, sel.HolderOf.StepKey,
		sel.Agency, sel.Roles, mark).Query(func(rows pgx.Rows) error {
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Recipient, error) {
			var x Recipient
			t := &x.Target
			err := r.Scan(&x.UserID, &x.Via, &t.Exists, &t.Staff, &t.Deleted, &t.Withdrawn, &t.QuietStart, &t.QuietEnd, &t.Prefs)
			t.Quiet = t.QuietStart >= 0
			return x, err
		})
		return err
	})
	if err = db.Pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// QueuedSteps reports which of the step marks are queued (notice_steps),
// in one statement.
func (db *DB) QueuedSteps(ctx context.Context, marks []string) (map[string]bool, error) {
	queued := map[string]bool{}
	if len(marks) == 0 {
		return queued, nil
	}
	rows, err := db.Pool.Query(ctx, `SELECT dedupe_key FROM notice_steps WHERE dedupe_key = ANY($1)`, marks)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, k := range keys {
		queued[k] = true
	}
	return queued, err
}

// genericPlanSQL makes the rest of the transaction use the statement's
// cached generic plan. recipientsSQL's branches are switched off by their
// parameters (an empty $4 switches off the holder branch, and so on), so a
// custom plan prunes them and looks cheaper than the generic one:
// PostgreSQL's plan cache then plans the query anew on every execution,
// 0.4-0.6 ms warm in psql and 1.1 ms in the bind phase of a bench run's
// statement log (logging on), several times its execution. In the generic
// plan the same conditions are one-time filters, checked once before any
// scan. BENCHMARKS.md, "T10".
const genericPlanSQL = `SET LOCAL plan_cache_mode = force_generic_plan`

// NotifyTarget reads one person's kind, consent, channel choices and quiet
// hours (NoticeRecipients). An account without a recorded decision
// (created before consents were recorded) has not withdrawn; an unknown id
// reads as not existing.
func (db *DB) NotifyTarget(ctx context.Context, userID int64) (NotifyTarget, error) {
	rs, err := db.NoticeRecipients(ctx, "", Recipients{Users: []int64{userID}})
	if err != nil || len(rs) == 0 {
		return NotifyTarget{Prefs: map[string]bool{}}, err
	}
	return rs[0].Target, nil
}

// QueueStep writes one step's notifications (each person's inbox row and
// one delivery row per channel) and the step's mark, in one statement: the
// step is queued whole or not at all, and a crash in the middle leaves
// nothing a retry must work around. When the mark is there already
// (another run of the step committed first: it waits on that run's insert)
// nothing is written. With mark "" there is no mark; a notification whose
// dedupe key is there is skipped with its deliveries. It reports how many
// notifications it wrote.
func (db *DB) QueueStep(ctx context.Context, mark string, ns []NewNotification) (int, error) {
	var keys, kinds, titles, bodies, payloads, dKeys, dChannels []string
	var users []int64
	var dNotBefore []*time.Time
	for _, n := range ns {
		p := n.Payload
		if p == nil {
			p = map[string]any{}
		}
		js, err := json.Marshal(p)
		if err != nil {
			return 0, err
		}
		keys, users, kinds = append(keys, n.DedupeKey), append(users, n.UserID), append(kinds, n.Kind)
		titles, bodies, payloads = append(titles, n.Title), append(bodies, n.Body), append(payloads, string(js))
		for _, ch := range n.Channels {
			dKeys, dChannels, dNotBefore = append(dKeys, n.DedupeKey), append(dChannels, ch), append(dNotBefore, n.NotBefore)
		}
	}
	var written int
	err := db.Pool.QueryRow(ctx, `WITH step AS (
			INSERT INTO notice_steps (dedupe_key) SELECT $1 WHERE $1 <> '' ON CONFLICT DO NOTHING RETURNING dedupe_key
		), n AS (
			INSERT INTO notifications (dedupe_key, user_id, channel, kind, title, body, payload)
			SELECT x.key, NULLIF(x.user_id, 0), 'log', x.kind, x.title, x.body, x.payload::jsonb
			FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
				AS x(key, user_id, kind, title, body, payload)
			WHERE $1 = '' OR EXISTS (SELECT 1 FROM step)
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key
		), d AS (
			INSERT INTO notification_deliveries (notification_id, channel, dedupe_key, not_before)
			SELECT n.id, y.channel, y.key || '#' || y.channel, y.not_before
			FROM unnest($8::text[], $9::text[], $10::timestamptz[]) AS y(key, channel, not_before)
				JOIN n ON n.dedupe_key = y.key
			ON CONFLICT (dedupe_key) DO NOTHING
		)
		SELECT count(*) FROM n`, mark, keys, users, kinds, titles, bodies, payloads, dKeys, dChannels, dNotBefore).Scan(&written)
	return written, err
}
