package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cds "github.com/caobang/congdanso"
)

// WebhookNotifier POSTs each notification as JSON to URL. The outbox row ID is
// sent as Idempotency-Key: delivery is at least once (a crash between the POST
// and the commit re-sends), so the receiver drops repeats by that key.
type WebhookNotifier struct {
	URL    string
	Client *http.Client
}

// NewWebhookNotifier returns a notifier with a bounded per-request timeout.
func NewWebhookNotifier(url string) *WebhookNotifier {
	return &WebhookNotifier{URL: url, Client: &http.Client{Timeout: 10 * time.Second}}
}

// Send implements congdanso.Notifier; any non-2xx answer is an error (retried later).
func (w *WebhookNotifier) Send(ctx context.Context, n cds.Notification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", strconv.FormatInt(n.ID, 10))
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: status %d", resp.StatusCode)
	}
	return nil
}
