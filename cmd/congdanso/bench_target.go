package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/bench"
	"github.com/caobang/congdanso/postgres"
)

// targetBenchEnv measures a running server at url. Baseline (a) runs when
// TEMPORAL_ADDRESS is set (the target's cluster, whose worker runs Ping);
// baseline (b) and the database queue probe when --database-url or
// DATABASE_URL is given explicitly (the target's database).
func targetBenchEnv(ctx context.Context, url, dsn string, fs *flag.FlagSet, logins, citizen string, conc int, logger *slog.Logger) (*benchEnv, error) {
	be := &benchEnv{URL: strings.TrimRight(url, "/"), HTTP: bench.NewHTTPClient(conc), logins: splitList(logins), citizen: citizen}
	dsnGiven := os.Getenv("DATABASE_URL") != ""
	fs.Visit(func(f *flag.Flag) { dsnGiven = dsnGiven || f.Name == "database-url" })
	if dsnGiven {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, err
		}
		be.Pool = pool
		be.cleanup = append(be.cleanup, pool.Close)
	}
	if addr := os.Getenv("TEMPORAL_ADDRESS"); addr != "" {
		quiet := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		tc, err := dialTemporal(ctx, addr, env("TEMPORAL_NAMESPACE", "default"), quiet)
		if err != nil {
			be.Close()
			return nil, err
		}
		be.Temporal = tc
		be.cleanup = append(be.cleanup, tc.Close)
	}
	probe := &bench.Target{URL: be.URL, HTTP: be.HTTP}
	if err := probe.Call(ctx, http.MethodGet, "/readyz", "", nil, http.StatusOK, nil); err != nil {
		be.Close()
		return nil, fmt.Errorf("target not ready: %w", err)
	}
	logger.Info("bench target", "url", be.URL, "baseline_a", be.Temporal != nil, "baseline_b", be.Pool != nil)
	return be, nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// actors returns a Target whose citizens file cases and whose officer and
// leader belong to agency. In-process: fresh accounts with minted tokens.
// Against a running server: the --login staff and a logged-in or newly
// registered citizen. caseURL is the staff read of a case, used as the queue
// probe when the target's database is not known.
func (be *benchEnv) actors(ctx context.Context, agency string, caseURL func(code string) string) (*bench.Target, error) {
	t := &bench.Target{URL: be.URL, HTTP: be.HTTP}
	if be.Pool != nil {
		pool := be.Pool
		t.QueueVisible = func(ctx context.Context, agency, code string) (bool, error) {
			var ok bool
			err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tasks WHERE case_code = $1 AND agency_code = $2 AND status = 'open')`, code, agency).Scan(&ok)
			return ok, err
		}
	}
	if be.App != nil {
		return t, be.mintActors(ctx, t, agency)
	}
	type loginResp struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID     int64    `json:"id"`
			Agency string   `json:"agency_code"`
			Roles  []string `json:"roles"`
		} `json:"user"`
	}
	for _, l := range be.logins {
		user, pw, _ := strings.Cut(l, ":")
		var r loginResp
		if err := t.Call(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw}, http.StatusOK, &r); err != nil {
			return nil, fmt.Errorf("login %s: %w", user, err)
		}
		if r.User.Agency != agency {
			continue
		}
		for _, role := range r.User.Roles {
			switch cds.Role(role) {
			case cds.RoleOfficer:
				t.Officer, t.OfficerID = r.AccessToken, r.User.ID
			case cds.RoleLeader:
				t.Leader = r.AccessToken
			}
		}
	}
	if t.Officer == "" || t.Leader == "" {
		return nil, fmt.Errorf("--login must include an officer and a leader of %s (e.g. the demo accounts %s.chuyenvien and %s.lanhdao)", agency, strings.ToLower(agency), strings.ToLower(agency))
	}
	var r loginResp
	if phone, pw, ok := strings.Cut(be.citizen, ":"); ok {
		if err := t.Call(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"phone": phone, "password": pw}, http.StatusOK, &r); err != nil {
			return nil, fmt.Errorf("citizen login: %w", err)
		}
	} else {
		phone := fmt.Sprintf("+8498%07d", time.Now().UnixNano()%10000000)
		body := map[string]string{"full_name": "Công dân đo tải", "phone": phone, "password": "Bench-" + randHex(6) + "x9"}
		// Issue 20: registration is confirmed by an SMS code; a demo target's
		// SMS simulator shows it (/notifysim/messages).
		if err := t.Call(ctx, http.MethodPost, "/api/v1/auth/register", "", body, http.StatusAccepted, nil); err != nil {
			return nil, fmt.Errorf("register a bench citizen: %w", err)
		}
		code, err := simSMSCode(ctx, t, "84"+phone[3:])
		if err != nil {
			return nil, fmt.Errorf("register a bench citizen (a demo target is needed, or --citizen phone:password): %w", err)
		}
		if err := t.Call(ctx, http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": phone, "code": code}, http.StatusCreated, &r); err != nil {
			return nil, fmt.Errorf("verify a bench citizen: %w", err)
		}
	}
	t.Citizens = []string{r.AccessToken}
	if t.QueueVisible == nil {
		officer := t.Officer
		t.QueueVisible = func(ctx context.Context, _, code string) (bool, error) {
			err := t.Call(ctx, http.MethodGet, caseURL(code), officer, nil, http.StatusOK, nil)
			if se, ok := err.(*bench.StatusError); ok && se.Status == http.StatusNotFound {
				return false, nil
			}
			return err == nil, err
		}
	}
	return t, nil
}

// mintActors creates 20 citizens and an officer and a leader of agency in
// the in-process database and mints their access tokens.
func (be *benchEnv) mintActors(ctx context.Context, t *bench.Target, agency string) error {
	db, srv := be.App.DB, be.App.API
	stamp := randHex(4)
	for i := 0; i < 20; i++ {
		u, err := db.CreateCitizen(ctx, fmt.Sprintf("Công dân %d", i), fmt.Sprintf("+8497%07d", (time.Now().UnixNano()+int64(i))%10000000), "")
		if err != nil {
			return err
		}
		tok, err := srv.SignIn(ctx, u.Actor(), "bench")
		if err != nil {
			return err
		}
		t.Citizens = append(t.Citizens, tok)
	}
	for _, r := range []cds.Role{cds.RoleOfficer, cds.RoleLeader} {
		u, err := db.CreateStaff(ctx, postgres.NewStaff{Username: fmt.Sprintf("bench.%s.%s.%s", strings.ToLower(agency), r, stamp),
			FullName: "Cán bộ đo tải " + string(r), AgencyCode: agency, Roles: []cds.Role{r}})
		if err != nil {
			return err
		}
		tok, err := srv.SignIn(ctx, u.Actor(), "bench")
		if err != nil {
			return err
		}
		if r == cds.RoleOfficer {
			t.Officer, t.OfficerID = tok, u.ID
		} else {
			t.Leader = tok
		}
	}
	return nil
}

// simSMSCode polls the demo SMS simulator for the code sent to phone (84…).
func simSMSCode(ctx context.Context, t *bench.Target, phone string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var out struct {
			Items []struct{ Channel, Title string }
		}
		if err := t.Call(ctx, http.MethodGet, "/notifysim/messages?to="+phone, "", nil, http.StatusOK, &out); err != nil {
			return "", err
		}
		for _, it := range out.Items {
			if it.Channel == "sms" {
				if code := sixDigits.FindString(it.Title); code != "" {
					return code, nil
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return "", fmt.Errorf("no SMS code for %s within 30 s", phone)
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)
