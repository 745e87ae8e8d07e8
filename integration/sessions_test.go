package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestEveryTokenHasASession: a correctly signed token without a session is
// refused; the test helpers' tokens are tied to real sessions (revoking them
// ends the token at the next request); moving a staff member to another
// agency ends their sessions, as a role change does.
func TestEveryTokenHasASession(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a, tok := env.Citizen("Bế Thị Lan")

	// Signed with the server's secret, right claims, no "sid".
	claims := jwt.MapClaims{"sub": fmt.Sprint(a.UserID), "roles": []string{"citizen"}, "iss": "congdanso", "aud": "congdanso-api",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	noSID, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test-secret-0123456789abcdef0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodGet, "/api/v1/me", noSID, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("token without a session: %d, want 401", r.Status)
	}

	// The helper's token works until its session is revoked.
	if r := env.Do(http.MethodGet, "/api/v1/me", tok, nil); r.Status != 200 {
		t.Fatalf("helper token: %d %s", r.Status, r.Body)
	}
	var n int64
	if err := env.DB.Pool.QueryRow(ctx, `WITH r AS (UPDATE sessions SET revoked_at = now(), revoke_reason = 'test' WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1)
		SELECT count(*) FROM r`, a.UserID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("helper token has %d open sessions, want 1", n)
	}
	if r := env.Do(http.MethodGet, "/api/v1/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("token of a revoked session: %d, want 401", r.Status)
	}

	// Moving agency ends the staff member's sessions.
	_, admin := env.Staff("Quản trị", "UBND-CB", cds.RoleAdmin)
	officer, otok := env.Staff("Ma Văn Tình", "SXD", cds.RoleOfficer)
	if r := env.Do(http.MethodGet, "/api/v1/me", otok, nil); r.Status != 200 {
		t.Fatalf("officer token: %d", r.Status)
	}
	if r := env.Do(http.MethodPatch, fmt.Sprintf("/api/v1/admin/staff/%d", officer.UserID), admin, map[string]string{"agency_code": "SYT"}); r.Status != 200 {
		t.Fatalf("move agency: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/tasks?queue=agency", otok, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("token with the old agency after a move: %d, want 401", r.Status)
	}
	// A name change does not.
	_, otok = env.Staff("Nông Văn Sinh", "SXD", cds.RoleOfficer)
	var id int64
	if err := env.DB.Pool.QueryRow(ctx, `SELECT id FROM users WHERE full_name = 'Nông Văn Sinh'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodPatch, fmt.Sprintf("/api/v1/admin/staff/%d", id), admin, map[string]string{"full_name": "Nông Văn Sinh B"}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/me", otok, nil); r.Status != 200 {
		t.Fatalf("token after a rename: %d, want 200", r.Status)
	}
}
