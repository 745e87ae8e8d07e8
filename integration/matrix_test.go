package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// matrixRoles are the actors of the route × role matrix, each staff role in a
// typical agency of the demo seed (the header of testdata/route_matrix.tsv
// names the same).
var matrixRoles = []struct {
	Name   string
	Role   cds.Role
	Agency string
}{
	{"citizen", cds.RoleCitizen, ""},
	{"officer", cds.RoleOfficer, "SXD"},
	{"leader", cds.RoleLeader, "SXD"},
	{"coordinator", cds.RoleCoordinator, "TTPVHCC"},
	{"editor", cds.RoleEditor, "VP-UBND"},
	{"reporter", cds.RoleReporter, "SKHCN"},
	{"steering", cds.RoleSteering, "BCD-CDS"},
	{"admin", cds.RoleAdmin, "UBND-CB"},
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

// sessionEnding are the routes that end the caller's own session(s).
var sessionEnding = map[string]bool{
	"POST /api/v1/auth/logout":     true,
	"POST /api/v1/auth/logout-all": true,
	"DELETE /api/v1/me":            true,
}

// matrixFreshToken signs in a new account of the role (a session of its own).
func matrixFreshToken(env *apptest.Env, role, agency string) string {
	for _, mr := range matrixRoles {
		if mr.Name != role {
			continue
		}
		if mr.Role == cds.RoleCitizen {
			_, tok := env.Citizen("Công dân ma trận")
			return tok
		}
		_, tok := env.Staff("Cán bộ "+string(mr.Role), agency, mr.Role)
		return tok
	}
	return ""
}

// loadRouteMatrix reads testdata/route_matrix.tsv: "method path role expect".
func loadRouteMatrix(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "route_matrix.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("route_matrix.tsv:%d: want 4 tab-separated fields, got %q", i+1, line)
		}
		switch f[3] {
		case "public", "allow", "deny", "signin", "login", "csrf":
		default:
			t.Fatalf("route_matrix.tsv:%d: unknown expectation %q", i+1, f[3])
		}
		k := f[0] + " " + f[1] + " " + f[2]
		if _, dup := m[k]; dup {
			t.Fatalf("route_matrix.tsv:%d: %s listed twice", i+1, k)
		}
		m[k] = f[3]
	}
	return m
}

// TestRouteRoleMatrix calls every route of the router as every role and
// compares the answer with the hand-written table testdata/route_matrix.tsv.
// A route without a line per role fails, and so does a line for a route the
// router no longer has. What a route does with an object that is not the
// caller's is TestObjectLevelAccess's.
func TestRouteRoleMatrix(t *testing.T) {
	// Demo mode configures payments (demo biller, simulator), so their
	// routes answer past authorization instead of 503 "not configured".
	env := apptest.New(t, func(o *app.Options) { o.API.Demo = true })
	table := loadRouteMatrix(t)
	tokens := map[string]string{"anonymous": ""}
	agencies := map[string]string{}
	for _, mr := range matrixRoles {
		if mr.Role == cds.RoleCitizen {
			_, tokens[mr.Name] = env.Citizen("Công dân ma trận")
		} else {
			_, tokens[mr.Name] = env.Staff("Cán bộ "+string(mr.Role), mr.Agency, mr.Role)
		}
		agencies[mr.Name] = mr.Agency
	}
	roles := append([]string{"anonymous"}, func() []string {
		var n []string
		for _, mr := range matrixRoles {
			n = append(n, mr.Name)
		}
		return n
	}()...)
	routes := env.App.API.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes", len(routes))
	}
	used := map[string]bool{}
	checked := 0
	for _, rt := range routes {
		name := rt.Method + " " + rt.Path
		for _, role := range roles {
			k := name + " " + role
			want, ok := table[k]
			if !ok {
				t.Errorf("%s: no line for %s in testdata/route_matrix.tsv", name, role)
				continue
			}
			used[k] = true
			if strings.HasPrefix(rt.Path, "/paysim/") || rt.Path == "/console/static/*file" {
				continue // the demo gateway simulator and static files: no authorization to check
			}
			tok := tokens[role]
			if sessionEnding[name] && tok != "" {
				// Signing out ends the session of the token it is called
				// with: give it a session of its own, so the role's token
				// stays valid for the other routes.
				tok = matrixFreshToken(env, role, agencies[role])
			}
			r := env.Do(rt.Method, matrixPath(rt.Path, agencies[role]), tok, map[string]any{})
			checked++
			got := r.Status
			switch {
			case got >= 500 && got != http.StatusServiceUnavailable:
				t.Errorf("%s as %s: %d %s", name, role, got, r.Body)
			case want == "public" && !rt.Perm.IsPublic():
				t.Errorf("%s: the table says public, the router checks a permission (%s, %s)", name, rt.Perm.Obj, rt.Perm.Act)
			case want != "public" && rt.Perm.IsPublic():
				t.Errorf("%s as %s: the router serves it to anyone, the table says %s", name, role, want)
			case want == "allow" && (got == 401 || got == 403):
				t.Errorf("%s as %s: %d, the table says allow (%s)", name, role, got, r.Body)
			case want == "deny" && got != 403:
				t.Errorf("%s as %s: %d, the table says deny (403)", name, role, got)
			case want == "signin" && got != 401:
				t.Errorf("%s as %s: %d, the table says sign in first (401)", name, role, got)
			case want == "login" && !strings.Contains(string(r.Body), `name="password"`):
				t.Errorf("%s as %s: %d, the table says the login form", name, role, got)
			case want == "csrf" && got != 403:
				t.Errorf("%s as %s: %d, the table says a form post without the CSRF token is refused (403)", name, role, got)
			}
		}
	}
	for k := range table {
		if !used[k] {
			t.Errorf("route_matrix.tsv lists %q, which the router does not have", k)
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
