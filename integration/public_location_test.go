package integration

import (
	"net/http"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// publishFeedback drives a routed SXD case to published.
func publishFeedback(t *testing.T, env *apptest.Env, code, otok, ltok string, officerID int64) {
	t.Helper()
	for _, s := range []struct {
		action, tok string
		body        map[string]any
	}{{"accept", otok, nil}, {"assign", ltok, map[string]any{"assignee_id": officerID}}, {"start", otok, nil},
		{"draft_answer", otok, map[string]any{"answer": "Đã vá ổ gà."}}, {"approve_answer", ltok, nil}} {
		if r := act(env, code, s.action, s.tok, s.body); r.Status != 200 {
			t.Fatalf("%s %d %s", s.action, r.Status, r.Body)
		}
	}
}

// TestPublicLocationRounded: public views (the list, nearby for other
// citizens, Open311) show the place rounded to ~100 m and the street and
// commune only; the reporter and staff still see the exact point and address.
func TestPublicLocationRounded(t *testing.T) {
	env := apptest.New(t)
	_, ctok := env.Citizen("Lương Văn Tùng")
	_, otherTok := env.Citizen("Bế Thị Hạnh")
	officer, otok := env.Staff("Cán bộ Xây dựng", "SXD", cds.RoleOfficer)
	_, ltok := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	body := submitBody("traffic", "P-THUCPHAN", nil)
	body["location"] = map[string]any{"lat": 22.66573, "lng": 106.25704, "address": "Số 12, đường Hoàng Đình Giong, phường Thục Phán", "commune_code": "P-THUCPHAN"}
	sub := env.Do(http.MethodPost, "/api/v1/feedback", ctok, body)
	if sub.Status != 201 {
		t.Fatalf("submit %d %s", sub.Status, sub.Body)
	}
	code := sub.Map(t)["code"].(string)
	publishFeedback(t, env, code, otok, ltok, officer.UserID)

	exact := []string{"22.66573", "106.25704", "Số 12"}
	// Public list: rounded to 3 decimals (~100 m), street and commune only.
	var list struct {
		Items []map[string]any `json:"items"`
	}
	pub := env.Do(http.MethodGet, "/api/v1/public/feedback", "", nil)
	pub.JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0]["lat"] != 22.666 || list.Items[0]["lng"] != 106.257 ||
		list.Items[0]["address"] != "đường Hoàng Đình Giong, Phường Thục Phán" {
		t.Fatalf("public item %v", list.Items)
	}
	near := env.Do(http.MethodGet, "/api/v1/feedback/nearby?lat=22.6658&lng=106.2571&category_code=traffic", otherTok, nil)
	o311 := env.Do(http.MethodGet, "/open311/v2/requests.json?service_request_id="+code, "", nil)
	for name, r := range map[string]apptest.Response{"public list": pub, "nearby": near, "open311": o311} {
		if r.Status != 200 || !strings.Contains(string(r.Body), code) && name != "nearby" {
			t.Fatalf("%s %d %s", name, r.Status, r.Body)
		}
		for _, x := range exact {
			if strings.Contains(string(r.Body), x) {
				t.Errorf("%s shows the exact place (%s): %s", name, x, r.Body)
			}
		}
	}
	if !strings.Contains(string(o311.Body), `"lat":22.666`) || !strings.Contains(string(o311.Body), `"address":"đường Hoàng Đình Giong, Phường Thục Phán"`) {
		t.Fatalf("open311 %s", o311.Body)
	}
	// The reporter and staff see the exact place.
	for who, tok := range map[string]string{"reporter": ctok, "staff": otok} {
		r := env.Do(http.MethodGet, "/api/v1/feedback/"+code, tok, nil)
		for _, x := range exact {
			if !strings.Contains(string(r.Body), x) {
				t.Errorf("%s does not see %s: %s", who, x, r.Body)
			}
		}
	}
}
