package notify

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// SMTPConfig is a plain SMTP relay for staff e-mail.
type SMTPConfig struct {
	Addr     string // host:port
	From     string
	Username string // empty: no AUTH (a relay that trusts our address)
	Password string
}

// SMTPChannel sends text e-mail through SMTPConfig.Addr. net/smtp uses
// STARTTLS when the server offers it and refuses PLAIN auth in the clear
// (except to localhost).
type SMTPChannel struct{ Cfg SMTPConfig }

// Name implements Channel.
func (s *SMTPChannel) Name() string { return Email }

// Send implements Channel. The delivery key is the Message-ID, so a
// repeat after a crash can be recognised by the receiving side.
func (s *SMTPChannel) Send(ctx context.Context, m Message) (Result, error) {
	if m.Email == "" {
		return Result{}, Permanent("no e-mail address")
	}
	if strings.ContainsAny(m.Email, "\r\n") {
		return Result{}, Permanent("invalid e-mail address")
	}
	host, _, err := net.SplitHostPort(s.Cfg.Addr)
	if err != nil {
		return Result{}, Permanent("smtp address: %v", err)
	}
	id := fmt.Sprintf("<%s@%s>", strings.NewReplacer("/", ".", "#", ".", " ", "").Replace(m.Key), host)
	msg := "From: " + s.Cfg.From + "\r\nTo: " + m.Email + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Title) +
		"\r\nMessage-ID: " + id + "\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Title+"\n\n"+m.Body, "\n", "\r\n") + "\r\n"
	var auth smtp.Auth
	if s.Cfg.Username != "" {
		auth = smtp.PlainAuth("", s.Cfg.Username, s.Cfg.Password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(s.Cfg.Addr, auth, s.Cfg.From, []string{m.Email}, []byte(msg)) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	if err != nil {
		if strings.HasPrefix(err.Error(), "5") {
			return Result{}, Permanent("smtp: %v", err)
		}
		return Result{}, err
	}
	return Result{ProviderID: id}, nil
}
