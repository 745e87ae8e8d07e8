// Package postgres holds the pgx pool, the embedded SQL migrations and the
// queries behind every read model. It maps driver errors to domain errors.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	cds "github.com/caobang/congdanso"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB wraps the pool. Queries are methods on DB, one file per feature.
type DB struct {
	Pool *pgxpool.Pool
}

// Open connects to dsn, creating the database first when it does not exist.
func Open(ctx context.Context, dsn string, maxConns int32) (*DB, error) {
	if err := EnsureDatabase(ctx, dsn); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Ho_Chi_Minh"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: pool: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// EnsureDatabase creates the database named in dsn if it is missing, by
// connecting to the "postgres" maintenance database of the same server.
func EnsureDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("postgres: parse dsn: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == "postgres" {
		return nil
	}
	u.Path = "/postgres"
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, u.String())
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(cctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: check database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(cctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") { // created concurrently
		return nil
	}
	if err != nil {
		return fmt.Errorf("postgres: create database: %w", err)
	}
	return nil
}

// Migrate applies the embedded migrations with goose. Out-of-order files are
// allowed so that features merged in any order apply cleanly.
func (db *DB) Migrate(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, mustSub(migrations, "migrations"),
		goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	// A session-level advisory lock keeps concurrent instances from racing.
	if _, err := db.Pool.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return err
	}
	defer db.Pool.Exec(context.Background(), "SELECT pg_advisory_unlock(727274)") //nolint:errcheck
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// mapErr turns driver errors into domain errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found.")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return cds.Errorf(cds.ECONFLICT, "Dữ liệu đã tồn tại.", "Already exists.")
		case "23503", "23514", "22P02", "22001":
			return cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ.", "Invalid data.")
		}
	}
	return err
}

// MapErr is mapErr for other packages' queries.
func MapErr(err error) error { return mapErr(err) }
