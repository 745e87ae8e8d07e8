package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// HashToken is how refresh tokens are stored (SHA-256; they are random, so
// no salt is needed).
func HashToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// OpenSession starts a session (a refresh-token family) for userID and
// returns its ID and first refresh token. Every access token names one,
// and every signed-in request checks it (checkSession).
func (d Deps) OpenSession(ctx context.Context, userID int64, method, userAgent, ip string) (sid, refresh string, err error) {
	if d.DB == nil {
		return "", "", errors.New("api: sessions need the database")
	}
	sid = RandomToken(16)
	refresh = "rt_" + RandomToken(32)
	err = d.DB.CreateSession(ctx, postgres.Session{
		ID: sid, UserID: userID, ExpiresAt: time.Now().Add(d.refreshTTL()), UserAgent: userAgent, IP: ip, Method: method,
	}, HashToken(refresh))
	return sid, refresh, err
}

// SignIn opens a session for a and returns an access token tied to it. Tools,
// benchmarks and tests mint tokens only this way, so they go through the
// same per-request session check as a person who signed in.
func (d Deps) SignIn(ctx context.Context, a cds.Actor, method string) (string, error) {
	sid, _, err := d.OpenSession(ctx, a.UserID, method, "", "")
	if err != nil {
		return "", err
	}
	tok, _, err := d.IssueAccessToken(a, sid)
	return tok, err
}

func (d Deps) refreshTTL() time.Duration {
	if d.Config.RefreshTTL > 0 {
		return d.Config.RefreshTTL
	}
	return 30 * 24 * time.Hour
}
