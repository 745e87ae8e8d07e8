package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMSConfig describes an HTTP SMS-brandname gateway. Vietnamese gateways
// (carriers and aggregators) differ in field names, so the JSON field names
// are configuration; the defaults below are ours and every one of them is
// to confirm at onboarding with the contracted provider.
type SMSConfig struct {
	URL       string
	Brandname string // registered sender name, e.g. "UBND CBANG" (to confirm)
	// AuthHeader and AuthValue authenticate the request, e.g.
	// "Authorization" / "Bearer …" or "Api-Key" / "…".
	AuthHeader, AuthValue string
	// Unaccented sends Vietnamese without diacritics in one GSM 7-bit
	// segment (most brandname contracts price and filter on this).
	Unaccented bool
	// Field names of the request and of the answer.
	FieldPhone, FieldText, FieldBrand, FieldRequestID string
	FieldMessageID                                    string
}

// SMSChannel posts one message to the gateway per send.
type SMSChannel struct {
	Cfg    SMSConfig
	Client *http.Client
}

// NewSMS fills default field names and a bounded timeout.
func NewSMS(cfg SMSConfig) *SMSChannel {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.FieldPhone, "phone")
	def(&cfg.FieldText, "message")
	def(&cfg.FieldBrand, "brandname")
	def(&cfg.FieldRequestID, "request_id")
	def(&cfg.FieldMessageID, "message_id")
	return &SMSChannel{Cfg: cfg, Client: &http.Client{Timeout: 15 * time.Second}}
}

// Name implements Channel.
func (s *SMSChannel) Name() string { return SMS }

// Text is what an SMS carries for m: the title (which holds the case code
// or the one-time code), unaccented and cut to one segment when required.
func (s *SMSChannel) Text(m Message) string {
	if s.Cfg.Unaccented {
		return OneSegment(m.Title)
	}
	return m.Title
}

// Send implements Channel. The delivery key goes as the request id, so a
// gateway that deduplicates on it drops a repeat after a crash.
func (s *SMSChannel) Send(ctx context.Context, m Message) (Result, error) {
	if m.Phone == "" {
		return Result{}, Permanent("no phone number")
	}
	body, _ := json.Marshal(map[string]string{
		s.Cfg.FieldPhone: PhoneIntl(m.Phone), s.Cfg.FieldText: s.Text(m),
		s.Cfg.FieldBrand: s.Cfg.Brandname, s.Cfg.FieldRequestID: m.Key,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Cfg.URL, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Cfg.AuthHeader != "" {
		req.Header.Set(s.Cfg.AuthHeader, s.Cfg.AuthValue)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return Result{}, fmt.Errorf("sms gateway: status %d", resp.StatusCode)
	case resp.StatusCode/100 != 2:
		return Result{}, Permanent("sms gateway: status %d", resp.StatusCode)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	id, _ := out[s.Cfg.FieldMessageID].(string)
	return Result{ProviderID: id}, nil
}
