package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestTransparency: the public figures of an agency, from cases written
// straight into the read model with known values (expectations by hand):
// three finished cases of SXD taking 2, 4 and 10 working hours (median 4),
// two on time or early out of three (66.7%), rated 5 and 3 (4.00); one more
// received and still open; nothing for another agency's code.
func TestTransparency(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	now := time.Now()
	ins := func(code string, finished bool, hours float64, timeliness string, rating int) {
		var fin *time.Time
		var hp *float64
		var tl *string
		var rt *int
		if finished {
			f := now.Add(-time.Hour)
			fin, hp, tl = &f, &hours, &timeliness
			if rating > 0 {
				rt = &rating
			}
		}
		if _, err := env.DB.Pool.Exec(ctx, `INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, status, received_at, finished_at, closed, timeliness, handling_hours, rating)
			VALUES ($1, 'feedback', $1, 'Ổ gà', 'traffic', 'SXD', 'closed', $2, $3, $4, $5, $6, $7)`,
			code, now.Add(-48*time.Hour), fin, finished, tl, hp, rt); err != nil {
			t.Fatal(err)
		}
	}
	ins("T-1", true, 2, "early", 5)
	ins("T-2", true, 4, "on_time", 3)
	ins("T-3", true, 10, "late", 0)
	ins("T-4", false, 0, "", 0)

	r := env.Do(http.MethodGet, "/api/v1/public/transparency/SXD", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("SXD: %d %s", r.Status, r.Body)
	}
	var got struct {
		Agency struct {
			Name         string   `json:"agency_name"`
			Received     int64    `json:"received"`
			Resolved     int64    `json:"resolved"`
			OnTime       *float64 `json:"on_time_rate"`
			Median       *float64 `json:"median_working_hours"`
			Satisfaction *float64 `json:"satisfaction"`
			Ratings      int64    `json:"ratings"`
		} `json:"agency"`
	}
	r.JSON(t, &got)
	a := got.Agency
	if a.Name != "Sở Xây dựng" || a.Received != 4 || a.Resolved != 3 || a.OnTime == nil || *a.OnTime != 0.667 ||
		a.Median == nil || *a.Median != 4 || a.Satisfaction == nil || *a.Satisfaction != 4 || a.Ratings != 2 {
		t.Fatalf("SXD figures: %s", r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/public/transparency/KHONG-CO", "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("unknown agency: %d", r.Status)
	}
	p := env.Do(http.MethodGet, "/minh-bach", "", nil)
	page := string(p.Body)
	if p.Status != http.StatusOK || !strings.Contains(page, "Sở Xây dựng") || !strings.Contains(page, "66.7%") || !strings.Contains(page, "Cách tính") {
		t.Fatalf("page: %d %s", p.Status, page)
	}
}
