package activities

import (
	"strings"
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

func TestChannelsFor(t *testing.T) {
	citizen := postgres.NotifyTarget{Exists: true, Prefs: map[string]bool{}}
	staff := postgres.NotifyTarget{Exists: true, Staff: true, Prefs: map[string]bool{}}
	optedOut := postgres.NotifyTarget{Exists: true, Prefs: map[string]bool{"case/zalo": false, "case/sms": true, "news/push": false}}
	cases := []struct {
		name   string
		t      postgres.NotifyTarget
		kind   string
		forced string
		want   string
	}{
		{"citizen case update", citizen, "feedback.accepted", "", "push,zalo"},
		{"citizen dossier", citizen, "application.accepted", "", "push,zalo"},
		{"citizen receipt", citizen, "payment_completed", "", "push,zalo"},
		{"citizen news", citizen, "news.published", "", "push"},
		{"staff reminder", staff, "feedback.reminder", "", "push,email"},
		{"code by SMS", citizen, "password_reset", "", "sms"},
		{"forced channel", citizen, "password_reset", "sms", "sms"},
		{"opted out of zalo, into sms", optedOut, "feedback.accepted", "", "push,sms"},
		{"opted out of news push", optedOut, "news.published", "", ""},
		{"codes ignore preferences", postgres.NotifyTarget{Prefs: map[string]bool{"account/sms": false}}, "password_reset", "", "sms"},
	}
	for _, c := range cases {
		if got := strings.Join(channelsFor(c.t, c.kind, c.forced), ","); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestQuietUntil(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 5, 23, h, m, 0, 0, cds.VietnamTZ) }
	night := postgres.NotifyTarget{Quiet: true, QuietStart: 22 * 60, QuietEnd: 6*60 + 30}
	lunch := postgres.NotifyTarget{Quiet: true, QuietStart: 12 * 60, QuietEnd: 13 * 60}
	cases := []struct {
		name  string
		t     postgres.NotifyTarget
		topic string
		now   time.Time
		want  string // "" = send now
	}{
		{"23:00 in a night window", night, "case", at(23, 0), "2026-05-24 06:30"},
		{"02:00 in a night window", night, "case", at(2, 0), "2026-05-23 06:30"},
		{"07:00 after it", night, "case", at(7, 0), ""},
		{"receipts are urgent", night, "payment", at(23, 0), ""},
		{"codes are urgent", night, "account", at(23, 0), ""},
		{"12:15 at lunch", lunch, "news", at(12, 15), "2026-05-23 13:00"},
		{"no quiet hours", postgres.NotifyTarget{}, "case", at(23, 0), ""},
	}
	for _, c := range cases {
		got := ""
		if u := quietUntil(c.t, c.topic, c.now); u != nil {
			got = u.In(cds.VietnamTZ).Format("2006-01-02 15:04")
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
