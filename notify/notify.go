// Package notify delivers messages to people over the channels Vietnamese
// public services use: push to the mobile app (Firebase Cloud Messaging HTTP
// v1), Zalo ZNS template messages, SMS brandname through an HTTP gateway,
// and SMTP e-mail for staff. Each channel is one small type behind Channel;
// the protocols follow the providers' public documents (docs/notifications.md),
// and details that could not be confirmed are marked "to confirm at onboarding".
//
// The package imports only the standard library and small protocol helpers:
// which person gets what, and the delivery state, live in activities/ and
// postgres/.
package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Channel names, as stored in notification_deliveries.channel.
const (
	Push  = "push"
	Zalo  = "zalo"
	SMS   = "sms"
	Email = "email"
)

// Channels lists every channel, in the order they are tried and shown.
var Channels = []string{Push, Zalo, SMS, Email}

// Message is what one channel sends to one person. Only the fields the
// channel needs are filled (a push carries no phone number, an SMS no name).
type Message struct {
	// Key is the delivery's dedupe key (step + channel). It is sent to
	// providers that take an idempotency or tracking key.
	Key    string
	UserID int64
	Kind   string // notification kind, e.g. feedback.accepted
	Title  string
	Body   string
	// Data are short key/value pairs for the app (case code, status) and
	// the parameters of a ZNS template.
	Data map[string]string
	// Addresses: the channel reads the one it needs.
	Phone  string   // Vietnamese mobile number as stored (0…)
	Email  string   // staff e-mail
	Tokens []string // FCM registration tokens of the person's devices
}

// Result is what a provider answered.
type Result struct {
	ProviderID string   // the provider's message id, for delivery receipts
	DropTokens []string // push tokens the provider reported as no longer valid
}

// Channel sends one message. A *PermanentError means retrying cannot help
// (invalid address, template refused); any other error is retried with backoff.
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) (Result, error)
}

// PermanentError is a failure that retrying cannot fix.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return "permanent: " + e.Reason }

// Permanent builds a PermanentError.
func Permanent(format string, args ...any) error {
	return &PermanentError{Reason: fmt.Sprintf(format, args...)}
}

// IsPermanent reports whether err (or one it wraps) is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Topics a person can switch channels on or off for.
const (
	TopicCase    = "case"    // updates on the person's own (or followed) cases
	TopicNews    = "news"    // news and announcements
	TopicPayment = "payment" // payment receipts and refunds
	TopicAccount = "account" // one-time codes: always sent, never silenced
	TopicStaff   = "staff"   // assignments, reminders, overdue escalations
)

// PreferenceTopics are the topics shown in the preferences API.
var PreferenceTopics = []string{TopicCase, TopicNews, TopicPayment}

// TopicOf maps a notification kind to its topic.
func TopicOf(kind string) string {
	switch {
	case kind == "password_reset" || strings.HasPrefix(kind, "otp"):
		return TopicAccount
	case strings.HasPrefix(kind, "payment"):
		return TopicPayment
	case strings.HasPrefix(kind, "news"):
		return TopicNews
	case kind == "feedback.reminder" || kind == "feedback.overdue" || kind == "feedback.accept_overdue" ||
		kind == "feedback.assigned" || strings.HasPrefix(kind, "deployment") || strings.HasPrefix(kind, "staff.") ||
		kind == "application.overdue" || kind == "application.reminder" || kind == "application.step_reminder" ||
		kind == "application.task" || kind == "application.assigned":
		return TopicStaff
	}
	return TopicCase
}

// Urgent reports whether a topic ignores quiet hours: codes and receipts
// answer something the person is doing now; staff escalations are work.
func Urgent(topic string) bool {
	return topic == TopicAccount || topic == TopicPayment || topic == TopicStaff
}

// DefaultChannels are the channels used when the person chose nothing.
// Citizens get push and Zalo (SMS costs per message and stays for codes);
// staff get e-mail and push.
func DefaultChannels(staff bool, topic string) []string {
	switch {
	case topic == TopicAccount:
		return []string{SMS}
	case staff:
		return []string{Email, Push}
	case topic == TopicNews:
		return []string{Push}
	}
	return []string{Push, Zalo}
}
