package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
)

// JSONDecoder decodes a request body.
func JSONDecoder(r io.Reader) *json.Decoder { return json.NewDecoder(r) }

// LoggerOf is the logger of a request.
func LoggerOf(c *gin.Context) *slog.Logger { return slog.Default() }

// IsUnavailable reports errors that mean a dependency (PostgreSQL, Temporal)
// is down rather than a bug, so the client gets 503 and retries.
func IsUnavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &connErr), errors.As(err, &unavailable), errors.As(err, &deadline):
		return true
	case errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "failed to connect") ||
		strings.Contains(msg, "closed pool") || strings.Contains(msg, "conn closed") || strings.Contains(msg, "SQLSTATE 57P")
}
