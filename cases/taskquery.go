package cases

import (
	"net/url"
	"strconv"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// taskQuery parses the queue filters of GET /api/v1/tasks and the console's queues.
func taskQuery(v url.Values, a cds.Actor, agencies []string) (postgres.TaskQuery, error) {
	get := v.Get
	q := postgres.TaskQuery{
		Kind: get("kind"), Category: get("category"), Action: get("action"), Role: get("role"),
		Status: get("status"), Cursor: get("cursor"),
	}
	bad := cds.Errorf(cds.EINVALID, "Tham số lọc không hợp lệ.", "Invalid filter.")
	queue := get("queue")
	if queue == "" {
		queue = "agency"
	}
	switch queue {
	case "mine":
		q.AssigneeID = a.UserID
	case "agency":
		q.Agencies = agencies
	default:
		return q, bad.WithField("queue", "mine | agency")
	}
	switch q.Status {
	case "", "open", "closed":
	default:
		return q, bad.WithField("status", "open | closed")
	}
	if v := get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return q, bad.WithField("overdue", "true | false")
		}
		q.Overdue = &b
	}
	if v := get("unassigned"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return q, bad.WithField("unassigned", "true | false")
		}
		q.Unassigned = b
	}
	if v := get("due_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if d, err2 := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err2 == nil {
				t = d
			} else {
				return q, bad.WithField("due_before", "RFC 3339 or YYYY-MM-DD")
			}
		}
		q.DueBefore = &t
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return q, bad.WithField("limit", "1..200")
		}
		q.Limit = n
	}
	return q, nil
}
