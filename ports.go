package congdanso

import (
	"context"
	"io"
)

// Authorizer decides who may act. It is backed by Casbin (package policy) and
// called only at the API edge, never from workflow code.
type Authorizer interface {
	// Allowed reports whether actor may perform act on obj. dom is the agency
	// the object belongs to (a case's responsible agency); "" means a
	// route-level check in the actor's own domain.
	Allowed(ctx context.Context, actor Actor, dom, obj, act string) (bool, error)
}

// BlobStore keeps uploaded bytes (photos, documents, exports). The default is
// a directory under the data dir; an S3-compatible store is the option for
// several API instances.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Notifier delivers one notification over a channel (log, webhook; SMS and push later).
type Notifier interface {
	Send(ctx context.Context, n Notification) error
}

// Notification is one outbox row ready to deliver.
type Notification struct {
	ID      int64          `json:"id"`
	UserID  int64          `json:"user_id"`
	Channel string         `json:"channel"`
	Kind    string         `json:"kind"`
	Title   string         `json:"title"`
	Body    string         `json:"body"`
	Payload map[string]any `json:"payload,omitempty"`
}
