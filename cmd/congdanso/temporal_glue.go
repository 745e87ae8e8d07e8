package main

import (
	"errors"
	"log/slog"
	"os"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/log"
)

// newSDKLogger keeps the SDK's chatter at warn level and above.
func newSDKLogger(_ *slog.Logger) log.Logger {
	h := slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	return log.NewStructuredLogger(slog.New(h).With("component", "temporal-sdk"))
}

func isAlreadyExists(err error) bool {
	_, ok := err.(*serviceerror.NamespaceAlreadyExists)
	return ok
}

func isNamespaceNotFound(err error) bool {
	var nf *serviceerror.NamespaceNotFound
	return errors.As(err, &nf)
}
