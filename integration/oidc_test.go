package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/caobang/congdanso/api/accounts"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
)

// vneidUsers is the identity provider's user store (the test stands in for
// VNeID with zitadel's OpenID Provider: real discovery, authorization, PKCE
// check, signed ID tokens and userinfo).
type vneidUsers map[string]*storage.User

func (u vneidUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u vneidUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u vneidUsers) ExampleClientID() string { return storage.ServiceUserID }

// vneidStorage answers with the national claim names as configured for
// the test (VNeIDConfig.Claims): SoDinhDanh (ID number), HoVaTen (full
// name, upper case as on the card), SoDienThoai and SoDienThoaiXacThuc; and
// puts an acr (level of assurance) in the ID token.
type vneidStorage struct {
	*storage.Storage
	ids   map[string]string
	users vneidUsers
}

func (s *vneidStorage) national(ui *oidc.UserInfo) {
	if id := s.ids[ui.Subject]; id != "" {
		ui.AppendClaims("SoDinhDanh", id)
	}
	if u := s.users[ui.Subject]; u != nil {
		ui.AppendClaims("HoVaTen", strings.ToUpper(u.FirstName+" "+u.LastName))
		ui.AppendClaims("SoDienThoai", u.Phone)
		ui.AppendClaims("SoDienThoaiXacThuc", u.PhoneVerified)
	}
}

func (s *vneidStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.national(ui)
	return nil
}

func (s *vneidStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, token, scopes); err != nil {
		return err
	}
	ui.AppendClaims("acr", testACR)
	return nil
}

// testACR is the level of assurance the test asks for and the provider grants.
const testACR = "vneid-muc-do-2"

// withVNeID configures the API for the test provider with national claim names.
func withVNeID(issuer string, key []byte, appRedirects ...string) apptest.Option {
	return func(o *app.Options) {
		o.Accounts = accounts.Config{OIDCIssuer: issuer, OIDCClientID: "congdanso", OIDCClientSecret: "client-secret-1",
			IDKey: base64.StdEncoding.EncodeToString(key),
			VNeID: accounts.VNeIDConfig{
				Claims:    accounts.VNeIDClaims{Name: "HoVaTen", Phone: "SoDienThoai", PhoneVerified: "SoDienThoaiXacThuc", IDNumber: "SoDinhDanh"},
				ACRValues: testACR, AppRedirects: appRedirects,
			}}
	}
}

// startVNeID starts the OpenID Provider on a local port. The client is
// registered once the API's callback URL is known.
func startVNeID(t *testing.T) (issuer string, register func(callback string)) {
	srv := httptest.NewUnstartedServer(nil)
	issuer = "http://" + srv.Listener.Addr().String()
	users := vneidUsers{
		"vn-1": {ID: "vn-1", Username: "001203004567", Password: "VneidPass1", FirstName: "Hoàng Văn", LastName: "Trùng",
			Phone: "+84912000111", PhoneVerified: true, PreferredLanguage: language.Vietnamese},
		"vn-2": {ID: "vn-2", Username: "004199001234", Password: "VneidPass2", FirstName: "Nông Thị", LastName: "Ngân",
			Phone: "+84977000222", PhoneVerified: true, PreferredLanguage: language.Vietnamese},
		"vn-3": {ID: "vn-3", Username: "002095007788", Password: "VneidPass3", FirstName: "Lục Văn", LastName: "Bằng",
			Phone: "+84355000333", PhoneVerified: false, PreferredLanguage: language.Vietnamese},
		// vn-4: the same person as vn-1 (same ID number) under another subject.
		"vn-4": {ID: "vn-4", Username: "vn1-moi", Password: "VneidPass4", FirstName: "Hoàng Văn", LastName: "Trùng",
			Phone: "+84912000111", PhoneVerified: true, PreferredLanguage: language.Vietnamese},
		// vn-5: another person whose verified phone is a registered citizen's.
		"vn-5": {ID: "vn-5", Username: "008088000555", Password: "VneidPass5", FirstName: "Đàm Thị", LastName: "Năm",
			Phone: "+84912000111", PhoneVerified: true, PreferredLanguage: language.Vietnamese},
	}
	clients := map[string]*storage.Client{}
	st := &vneidStorage{Storage: storage.NewStorageWithClients(users, clients),
		ids: map[string]string{"vn-1": "001203004567", "vn-2": "004199001234", "vn-3": "002095007788", "vn-4": "001203004567", "vn-5": "008088000555"}, users: users}
	prev := slog.Default()
	router := exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false, op.WithAllowInsecure())
	slog.SetDefault(prev)
	srv.Config.Handler = router
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer, func(callback string) {
		clients["congdanso"] = storage.WebClient("congdanso", "client-secret-1", callback)
	}
}

// vneidLogin runs the browser's part: start → provider login form → callback.
func vneidLogin(t *testing.T, env *apptest.Env, bearer, username, password string) apptest.Response {
	t.Helper()
	u := vneidBrowser(t, env, "", bearer, username, password)
	return env.Do("GET", u.RequestURI(), "", nil)
}

// vneidBrowser starts a sign-in (extra: more start parameters), logs in at
// the provider and returns the callback URL it redirects the browser to.
func vneidBrowser(t *testing.T, env *apptest.Env, extra, bearer, username, password string) *url.URL {
	t.Helper()
	r := env.Do("GET", "/api/v1/auth/vneid/start?format=json"+extra, bearer, nil)
	if r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	authURL := r.Map(t)["authorization_url"].(string)
	if !strings.Contains(authURL, "code_challenge_method=S256") || !strings.Contains(authURL, "nonce=") || !strings.Contains(authURL, "acr_values="+testACR) {
		t.Fatalf("no PKCE/nonce/acr_values in %s", authURL)
	}
	jar, _ := cookiejar.New(nil)
	var callback string
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), env.URL) {
			callback = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no login page: %s", resp.Request.URL)
	}
	loginURL := *resp.Request.URL
	loginURL.RawQuery = ""
	resp, err = browser.PostForm(loginURL.String(), url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if callback == "" {
		t.Fatalf("provider did not redirect back (status %d)", resp.StatusCode)
	}
	u, _ := url.Parse(callback)
	return u
}

func TestVNeIDLoginAgainstRealProvider(t *testing.T) {
	issuer, registerClient := startVNeID(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := apptest.New(t, withVNeID(issuer, key))
	registerClient(env.URL + "/api/v1/auth/vneid/callback")
	ctx := context.Background()

	// 1. A registered citizen, signed in, links VNeID to their account; the
	// session records the level of assurance.
	r := env.Register("Hoàng Văn Trùng", "0912000111", "Caobang2026")
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	existingID := r.Map(t)["user"].(map[string]any)["id"]
	r = vneidLogin(t, env, r.Map(t)["access_token"].(string), "001203004567", "VneidPass1")
	m := r.Map(t)
	if r.Status != 200 {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	link := m["link"].(map[string]any)
	if link["result"] != "signed_in" || m["user"].(map[string]any)["id"] != existingID || link["id_number_masked"] != "********4567" || m["acr"] != testACR {
		t.Fatalf("signed-in link: %s", r.Body)
	}
	var acr string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT acr FROM sessions WHERE id = $1`, m["session_id"]).Scan(&acr); err != nil || acr != testACR {
		t.Fatalf("session acr %q %v", acr, err)
	}
	if strings.Contains(string(r.Body), "001203004567") {
		t.Fatal("callback shows the full ID number")
	}
	me := env.Do("GET", "/api/v1/me", m["access_token"].(string), nil)
	if !strings.Contains(string(me.Body), `"id_number_masked":"********4567"`) || strings.Contains(string(me.Body), "001203004567") {
		t.Fatalf("me: %s", me.Body)
	}
	// At rest: ciphertext only, which opens with the key.
	var enc []byte
	var masked string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT id_number_enc, id_masked FROM user_identities WHERE subject = 'vn-1'`).Scan(&enc, &masked); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(enc), "001203004567") || masked != "********4567" {
		t.Fatal("ID number stored in clear")
	}
	if plain, err := accounts.OpenIDNumber(key, "vn-1", enc); err != nil || plain != "001203004567" {
		t.Fatalf("decrypt: %q %v", plain, err)
	}

	// 2. Same identity again: the existing link.
	r = vneidLogin(t, env, "", "001203004567", "VneidPass1")
	if m := r.Map(t); r.Status != 200 || m["link"].(map[string]any)["result"] != "existing" || m["user"].(map[string]any)["id"] != existingID {
		t.Fatalf("existing: %d %s", r.Status, r.Body)
	}
	// 3. Another subject with the same personal ID number: the same account.
	r = vneidLogin(t, env, "", "vn1-moi", "VneidPass4")
	if m := r.Map(t); r.Status != 200 || m["link"].(map[string]any)["result"] != "id_number" || m["user"].(map[string]any)["id"] != existingID {
		t.Fatalf("id-number link: %d %s", r.Status, r.Body)
	}
	// 4. A verified phone never links: another person with the registered
	// citizen's (verified) number gets a new account without that number.
	r = vneidLogin(t, env, "", "008088000555", "VneidPass5")
	m = r.Map(t)
	if r.Status != 200 || m["link"].(map[string]any)["result"] != "created" || m["user"].(map[string]any)["id"] == existingID {
		t.Fatalf("phone must not link: %d %s", r.Status, r.Body)
	}
	if mm := env.Do("GET", "/api/v1/me", m["access_token"].(string), nil).Map(t); mm["phone"] != nil && mm["phone"] != "" {
		t.Fatalf("the new account took the registered number: %v", mm["phone"])
	}

	// 5. No matching account: a new linked account, active at once with the
	// provider-verified phone (no SMS code) and the name from HoVaTen.
	r = vneidLogin(t, env, "", "004199001234", "VneidPass2")
	m = r.Map(t)
	if r.Status != 200 || m["link"].(map[string]any)["result"] != "created" || m["link"].(map[string]any)["message"] != "Tạo mới tài khoản liên kết." {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	createdTok := m["access_token"].(string)
	me = env.Do("GET", "/api/v1/me", createdTok, nil)
	if mm := me.Map(t); mm["phone"] != "+84977000222" || mm["full_name"] != "NÔNG THỊ NGÂN" {
		t.Fatalf("created account: %s", me.Body)
	}
	var status string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT status FROM users WHERE phone = '+84977000222'`).Scan(&status); err != nil || status != "active" {
		t.Fatalf("created account status %q %v", status, err)
	}
	if n := env.SMSCount("0977000222"); n != 0 {
		t.Fatalf("an SMS code was sent to a VNeID-verified phone: %d", n)
	}

	// 6. Signed in: the identity links to the caller's account, even though its phone is unverified.
	_, citizenTok := env.Citizen("Lục Văn Bằng")
	r = vneidLogin(t, env, citizenTok, "002095007788", "VneidPass3")
	if m := r.Map(t); r.Status != 200 || m["link"].(map[string]any)["result"] != "signed_in" {
		t.Fatalf("signed-in link: %d %s", r.Status, r.Body)
	}

	// 7. Unlink: an account without a password must set one first (409); with
	// one, the links go and a second unlink finds none.
	if r := env.Do("DELETE", "/api/v1/me/identities/vneid", createdTok, nil); r.Status != 409 {
		t.Fatalf("unlink without password: %d %s", r.Status, r.Body)
	}
	login := env.Do("POST", "/api/v1/auth/login", "", map[string]string{"phone": "0912000111", "password": "Caobang2026"})
	ptok := login.Map(t)["access_token"].(string)
	if r := env.Do("DELETE", "/api/v1/me/identities/vneid", ptok, nil); r.Status != 204 {
		t.Fatalf("unlink: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", "/api/v1/me/identities/vneid", ptok, nil); r.Status != 404 {
		t.Fatalf("second unlink: %d", r.Status)
	}
	var links int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM user_identities WHERE user_id = $1`, existingID).Scan(&links)
	if links != 0 {
		t.Fatalf("links left after unlink: %d", links)
	}

	// 8. A callback replayed or with a forged state is refused.
	r = env.Do("GET", "/api/v1/auth/vneid/callback?state=forged&code=abc", "", nil)
	if r.Status != 400 {
		t.Fatalf("forged state: %d", r.Status)
	}
	var states int
	_ = env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM oidc_states`).Scan(&states)
	if states != 0 {
		t.Fatalf("used states left behind: %d", states)
	}
}
