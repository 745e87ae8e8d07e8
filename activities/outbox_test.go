package activities

import (
	"context"
	"testing"

	cds "github.com/caobang/congdanso"
)

// crashAfterSend records deliveries; on the first one it cancels the
// drain's context after the send, as a crash between the POST and the
// commit that marks the row sent.
type crashAfterSend struct {
	cancel func()
	got    []cds.Notification
}

func (c *crashAfterSend) Send(_ context.Context, n cds.Notification) error {
	c.got = append(c.got, n)
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	return nil
}

// TestOutboxDeliveryAtLeastOnce documents the delivery guarantee: at least
// once, each delivery carrying the outbox row ID (the webhook's
// Idempotency-Key). A crash after the send and before the commit sends the
// same notification again, under the same ID and with the same content, so
// the receiver drops the repeat; a row marked sent is never sent again.
func TestOutboxDeliveryAtLeastOnce(t *testing.T) {
	db := testDB(t)
	rec := &crashAfterSend{}
	a := &Activities{DB: db, Notifier: rec}
	ctx := context.Background()
	if err := a.Notify(ctx, NotifyInput{DedupeKey: "feedback/PA-1/2/7", UserID: 7, Kind: "feedback.routed", Title: "Phản ánh PA-1 đã được chuyển."}); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify(ctx, NotifyInput{DedupeKey: "feedback/PA-1/2/7", UserID: 7, Kind: "feedback.routed", Title: "retry of the activity"}); err != nil {
		t.Fatal(err)
	}
	crashCtx, cancel := context.WithCancel(ctx)
	rec.cancel = cancel
	if n, err := a.DrainOutbox(crashCtx, 10); err == nil {
		t.Fatalf("the drain survived the crash: %d sent", n)
	}
	if n, err := a.DrainOutbox(ctx, 10); err != nil || n != 1 {
		t.Fatalf("drain after the crash: %d, %v", n, err)
	}
	if n, err := a.DrainOutbox(ctx, 10); err != nil || n != 0 {
		t.Fatalf("a sent row went again: %d, %v", n, err)
	}
	if len(rec.got) != 2 || rec.got[0].ID != rec.got[1].ID || rec.got[0].Title != rec.got[1].Title || rec.got[0].Title != "Phản ánh PA-1 đã được chuyển." {
		t.Fatalf("deliveries %+v: want the one notification twice, same ID and content", rec.got)
	}
}
