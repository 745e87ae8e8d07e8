package notify

import (
	"bufio"
	"mime"
	"net"
	"net/mail"
	"strings"
)

// SMTPSim is a minimal SMTP server for demo mode: it accepts every mail on
// 127.0.0.1 and hands it to Deliver. It speaks just enough of RFC 5321
// (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for net/smtp.
type SMTPSim struct {
	Deliver func(to, messageID, subject, body string)
	ln      net.Listener
}

// Start listens on a free local port and returns its address.
func (s *SMTPSim) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s.ln = ln
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return ln.Addr().String(), nil
}

// Close stops listening.
func (s *SMTPSim) Close() {
	if s.ln != nil {
		s.ln.Close()
	}
}

func (s *SMTPSim) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { _, _ = conn.Write([]byte(line + "\r\n")) }
	say("220 notifysim ESMTP")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-notifysim")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "HELO"), strings.HasPrefix(cmd, "NOOP"), strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 OK")
		case strings.HasPrefix(cmd, "RSET"):
			rcpts = nil
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO"):
			addr := strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			rcpts = append(rcpts, addr)
			say("250 OK")
		case cmd == "DATA":
			say("354 End data with <CR><LF>.<CR><LF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			if msg, err := mail.ReadMessage(strings.NewReader(b.String())); err == nil && s.Deliver != nil {
				subject, derr := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
				if derr != nil {
					subject = msg.Header.Get("Subject")
				}
				body := new(strings.Builder)
				_, _ = bufio.NewReader(msg.Body).WriteTo(body)
				for _, to := range rcpts {
					s.Deliver(to, msg.Header.Get("Message-ID"), subject, strings.TrimSpace(body.String()))
				}
			}
			rcpts = nil
			say("250 OK queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 Bye")
			return
		default:
			say("502 Command not implemented")
		}
	}
}
