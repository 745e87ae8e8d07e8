package activities

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	cds "github.com/caobang/congdanso"
)

func TestWebhookNotifierPostsJSONWithKey(t *testing.T) {
	var got cds.Notification
	var key string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key = r.Header.Get("Idempotency-Key")
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	n := NewWebhookNotifier(srv.URL)
	if err := n.Send(context.Background(), cds.Notification{ID: 42, UserID: 7, Kind: "feedback.routed", Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if key != "42" || got.UserID != 7 || got.Kind != "feedback.routed" {
		t.Fatalf("key %q body %+v", key, got)
	}
	status = http.StatusBadGateway
	if err := n.Send(context.Background(), cds.Notification{ID: 43}); err == nil {
		t.Fatal("a 502 must be an error so the outbox retries")
	}
}
