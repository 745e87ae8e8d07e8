package integration

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/caobang/congdanso/cmd/app/apptest"
)

// TestVNeIDMobileAppFlow: the app starts with an allow-listed redirect URI,
// its own state and a PKCE challenge; after the provider, our callback
// redirects to the app URI with a one-time code; the code is exchanged
// once, with the right verifier only, for tokens carrying the acr.
func TestVNeIDMobileAppFlow(t *testing.T) {
	const appURI = "vn.gov.caobang.congdanso:/oauth2redirect"
	issuer, registerClient := startVNeID(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := apptest.New(t, withVNeID(issuer, key, appURI))
	registerClient(env.URL + "/api/v1/auth/vneid/callback")

	verifier := base64.RawURLEncoding.EncodeToString(key) // 43 characters
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	// Not allow-listed, or no PKCE: refused before the provider.
	if r := env.Do("GET", "/api/v1/auth/vneid/start?format=json&redirect_uri="+url.QueryEscape("https://evil.example/cb")+"&code_challenge="+challenge, "", nil); r.Status != 400 {
		t.Fatalf("foreign redirect: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/auth/vneid/start?format=json&redirect_uri="+url.QueryEscape(appURI), "", nil); r.Status != 400 {
		t.Fatalf("no challenge: %d", r.Status)
	}

	cb := vneidBrowser(t, env, "&redirect_uri="+url.QueryEscape(appURI)+"&state=app-state-42&code_challenge="+challenge+"&code_challenge_method=S256",
		"", "004199001234", "VneidPass2")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(env.URL + cb.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Scheme != "vn.gov.caobang.congdanso" || loc.Query().Get("state") != "app-state-42" {
		t.Fatalf("callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")
	if len(code) < 40 || loc.Query().Get("access_token") != "" {
		t.Fatalf("redirect carries %s", loc.RawQuery)
	}
	if r := env.Do("POST", "/api/v1/auth/vneid/token", "", map[string]string{"code": code, "code_verifier": verifier + "x"}); r.Status != 400 {
		t.Fatalf("wrong verifier: %d", r.Status)
	}
	// A wrong verifier burns the code (single use), so start again.
	cb = vneidBrowser(t, env, "&redirect_uri="+url.QueryEscape(appURI)+"&state=s2&code_challenge="+challenge, "", "004199001234", "VneidPass2")
	resp, err = noFollow.Get(env.URL + cb.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	code = loc.Query().Get("code")
	r := env.Do("POST", "/api/v1/auth/vneid/token", "", map[string]string{"code": code, "code_verifier": verifier})
	m := r.Map(t)
	if r.Status != 200 || m["access_token"] == "" || m["acr"] != testACR || m["link"].(map[string]any)["result"] == "" {
		t.Fatalf("exchange: %d %s", r.Status, r.Body)
	}
	if me := env.Do("GET", "/api/v1/me", m["access_token"].(string), nil); me.Status != 200 {
		t.Fatalf("token does not work: %d", me.Status)
	}
	// An account VNeID created has accepted the terms in force (version of
	// the published notice, 2026-01-01), recorded with its time like a
	// registration's.
	{
		var cons struct {
			Items []struct {
				Purpose, Version string
				Granted          bool
				GrantedAt        *time.Time `json:"granted_at"`
			}
		}
		env.Do("GET", "/api/v1/me/consents", m["access_token"].(string), nil).JSON(t, &cons)
		if len(cons.Items) != 1 || cons.Items[0].Purpose != "terms" || cons.Items[0].Version != "2026-01-01" || !cons.Items[0].Granted ||
			cons.Items[0].GrantedAt == nil || cons.Items[0].GrantedAt.IsZero() {
			t.Fatalf("VNeID account consents: %+v", cons.Items)
		}
	}
	var acr string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT acr FROM sessions WHERE id = $1`, m["session_id"]).Scan(&acr); err != nil || acr != testACR {
		t.Fatalf("session acr %q %v", acr, err)
	}
	if r := env.Do("POST", "/api/v1/auth/vneid/token", "", map[string]string{"code": code, "code_verifier": verifier}); r.Status != 400 {
		t.Fatalf("code used twice: %d", r.Status)
	}
}
