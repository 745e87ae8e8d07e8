package integration

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// childSigner mints access tokens for a child process (its database and
// secret) the way a sign-in does: a real session row per token, so the
// child's per-request session check runs on every call of the test.
type childSigner struct {
	t    *testing.T
	deps api.Deps
}

func newChildSigner(t *testing.T, dsn, secret string, ttl time.Duration) *childSigner {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return signerOnPool(t, pool, secret, ttl)
}

func signerOnPool(t *testing.T, pool *pgxpool.Pool, secret string, ttl time.Duration) *childSigner {
	if ttl == 0 {
		ttl = 15 * time.Minute
	}
	return &childSigner{t: t, deps: api.Deps{DB: &postgres.DB{Pool: pool}, Config: api.Config{TokenSecret: []byte(secret), AccessTTL: ttl}}}
}

func (s *childSigner) token(a cds.Actor) string {
	s.t.Helper()
	tok, err := s.deps.SignIn(context.Background(), a, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}
