package integration

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// matrixRoles are the actors of the route × role matrix, each staff role in a
// typical agency of the demo seed.
var matrixRoles = []struct {
	Role   cds.Role
	Agency string
}{
	{cds.RoleCitizen, ""},
	{cds.RoleOfficer, "SXD"},
	{cds.RoleLeader, "SXD"},
	{cds.RoleCoordinator, "TTPVHCC"},
	{cds.RoleEditor, "VP-UBND"},
	{cds.RoleReporter, "SKHCN"},
	{cds.RoleSteering, "BCD-CDS"},
	{cds.RoleAdmin, "UBND-CB"},
}

var pathParam = regexp.MustCompile(`[:*][A-Za-z_]+`)

// matrixPath substitutes path parameters with plausible values that name no
// object of the caller's (nonexistent ids), so a route allowed past
// authorization answers 404/400 rather than acting on real data. A unit
// parameter names the caller's own agency, so the case-level check (a
// reporter writes only for its own unit) passes for an allowed role.
func matrixPath(p, agency string) string {
	return pathParam.ReplaceAllStringFunc(p, func(m string) string {
		name := strings.ToLower(m[1:])
		switch {
		case strings.Contains(name, "unit") && agency != "":
			return agency
		case strings.Contains(name, "id"):
			return "987654321"
		case strings.Contains(name, "code"), strings.Contains(name, "unit"):
			return "SYT"
		case strings.Contains(name, "campaign"):
			return "2026-q1"
		case strings.Contains(name, "token"):
			return "nonexistent-token"
		case strings.Contains(name, "action"):
			return "accept"
		case strings.Contains(name, "filepath"), strings.Contains(name, "path"):
			return "x"
		}
		return "987654321"
	})
}

// TestRouteRoleMatrix is built from the router's route list, so every route a
// feature adds is covered. Expectations come from the loaded Casbin p lines:
// a Can(obj, act) route is allowed for a role when a p line grants (role,
// "*" or the role's agency, obj, act or "*"). A Can route no role may use
// fails the test. Anonymous callers get 401, denied roles 403, allowed roles
// anything but 401/403.
func TestRouteRoleMatrix(t *testing.T) {
	// Demo mode configures payments (demo biller, simulator), so their
	// routes answer past authorization instead of 503 "not configured".
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	pols, err := env.App.Authz.Policies()
	if err != nil {
		t.Fatal(err)
	}
	granted := func(role cds.Role, agency, obj, act string) bool {
		dom := agency
		if dom == "" || role == cds.RoleCitizen {
			dom = "*"
		}
		for _, p := range pols {
			if p[0] == string(role) && (p[1] == "*" || p[1] == dom) && p[2] == obj && (p[3] == "*" || p[3] == act) {
				return true
			}
		}
		return false
	}
	tokens := map[cds.Role]string{}
	for _, mr := range matrixRoles {
		if mr.Role == cds.RoleCitizen {
			_, tokens[mr.Role] = env.Citizen("Công dân ma trận")
		} else {
			_, tokens[mr.Role] = env.Staff("Cán bộ "+string(mr.Role), mr.Agency, mr.Role)
		}
	}
	routes := env.App.API.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes", len(routes))
	}
	checked := 0
	for _, rt := range routes {
		if rt.Perm.IsPublic() {
			continue
		}
		path := matrixPath(rt.Path, "")
		name := rt.Method + " " + rt.Path
		signedIn := rt.Perm.Obj == "self" && rt.Perm.Act == "use"
		if !signedIn {
			any := false
			for _, mr := range matrixRoles {
				any = any || granted(mr.Role, mr.Agency, rt.Perm.Obj, rt.Perm.Act)
			}
			any = any || granted(cds.RoleClientApp, "", rt.Perm.Obj, rt.Perm.Act)
			if !any {
				t.Errorf("%s: route has no policy: no role is granted (%s, %s)", name, rt.Perm.Obj, rt.Perm.Act)
				continue
			}
		}
		console := strings.HasPrefix(rt.Path, "/console/")
		if console {
			// The console is for browsers: a signed-out visitor is sent to
			// the login page, and every form post needs the session's CSRF
			// token (integration/console_test.go covers both). Here: a GET
			// page is the login form for anonymous callers, 403 for roles
			// the policy denies, and served to roles it allows.
			if rt.Method != http.MethodGet {
				continue
			}
			if r := env.Do(rt.Method, path, "", nil); !strings.Contains(string(r.Body), `name="password"`) {
				t.Errorf("%s anonymous: %d, want the login form", name, r.Status)
			}
		} else if r := env.Do(rt.Method, path, "", map[string]any{}); r.Status != http.StatusUnauthorized {
			t.Errorf("%s anonymous: %d, want 401", name, r.Status)
		}
		for _, mr := range matrixRoles {
			want := signedIn || granted(mr.Role, mr.Agency, rt.Perm.Obj, rt.Perm.Act)
			r := env.Do(rt.Method, matrixPath(rt.Path, mr.Agency), tokens[mr.Role], map[string]any{})
			checked++
			switch {
			case want && (r.Status == 401 || r.Status == 403):
				t.Errorf("%s as %s@%s: %d, want allowed past authorization", name, mr.Role, mr.Agency, r.Status)
			case !want && r.Status != 403:
				t.Errorf("%s as %s@%s: %d, want 403 (%s)", name, mr.Role, mr.Agency, r.Status, r.Body)
			case r.Status >= 500:
				t.Errorf("%s as %s@%s: %d %s", name, mr.Role, mr.Agency, r.Status, r.Body)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no route checked")
	}
}

// TestIDORAccountsAndAgencies: a citizen cannot read or end another citizen's
// sessions and sees only their own profile; staff of one agency cannot read
// or change staff of another. Denials leak nothing.
func TestIDORAccountsAndAgencies(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	reg := func(name, phone string) (string, string) {
		r := env.Register(name, phone, "Caobang2026")
		m := r.Map(t)
		if r.Status != 201 {
			t.Fatalf("register: %d %s", r.Status, r.Body)
		}
		return m["access_token"].(string), m["session_id"].(string)
	}
	aTok, aSID := reg("Công dân A", "0911000001")
	bTok, _ := reg("Công dân B", "0911000002")
	_ = env.Do("PATCH", "/api/v1/me", aTok, map[string]string{"address": "Số 1 phố Kim Đồng"})
	for _, probe := range []struct{ method, path string }{
		{"DELETE", "/api/v1/me/sessions/" + aSID},
	} {
		r := env.Do(probe.method, probe.path, bTok, nil)
		if r.Status != 404 && r.Status != 403 {
			t.Errorf("B %s %s: %d", probe.method, probe.path, r.Status)
		}
		if strings.Contains(string(r.Body), "Công dân A") || strings.Contains(string(r.Body), aSID) {
			t.Errorf("B's denial leaks A's data: %s", r.Body)
		}
	}
	if r := env.Do("GET", "/api/v1/me", aTok, nil); r.Status != 200 {
		t.Fatalf("A's session must survive B's attempt: %d", r.Status)
	}
	r := env.Do("GET", "/api/v1/me/sessions", bTok, nil)
	if strings.Contains(string(r.Body), aSID) {
		t.Fatal("B sees A's session")
	}
	r = env.Do("GET", "/api/v1/me", bTok, nil)
	if strings.Contains(string(r.Body), "Kim Đồng") || strings.Contains(string(r.Body), "0911000001") {
		t.Fatal("B's profile shows A's data")
	}
	// Citizens cannot reach staff administration at all.
	if r := env.Do("GET", "/api/v1/admin/staff", bTok, nil); r.Status != 403 {
		t.Fatalf("citizen on admin: %d", r.Status)
	}
	// Staff of agency X cannot act on agency Y's staff.
	syt, _ := env.Staff("Cán bộ Y tế", "SYT", cds.RoleOfficer)
	_, sxdLeader := env.Staff("Lãnh đạo Xây dựng", "SXD", cds.RoleLeader)
	_, sytLeader := env.Staff("Lãnh đạo Y tế", "SYT", cds.RoleLeader)
	path := fmt.Sprintf("/api/v1/admin/staff/%d", syt.UserID)
	if r := env.Do("GET", path, sytLeader, nil); r.Status != 200 {
		t.Fatalf("own agency leader: %d %s", r.Status, r.Body)
	}
	r = env.Do("GET", path, sxdLeader, nil)
	if r.Status != 403 || strings.Contains(string(r.Body), "Cán bộ Y tế") {
		t.Fatalf("cross-agency read: %d %s", r.Status, r.Body)
	}
	// A citizen's id on a staff route is "not found", not a citizen record.
	var aID int64
	_ = env.DB.Pool.QueryRow(ctx, `SELECT id FROM users WHERE phone = '+84911000001'`).Scan(&aID)
	_, admin := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	if r := env.Do("GET", fmt.Sprintf("/api/v1/admin/staff/%d", aID), admin, nil); r.Status != 404 || strings.Contains(string(r.Body), "Công dân A") {
		t.Fatalf("citizen via staff route: %d %s", r.Status, r.Body)
	}
}
