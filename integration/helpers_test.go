package integration

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/caobang/congdanso/cmd/app/apptest"
)

func lower(s string) string { return strings.ToLower(s) }
func upper(s string) string { return strings.ToUpper(s) }

func dropDatabase(name string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, apptest.AdminDSN())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}
