package api

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// defaultLimits per action and key kind. Counters live in PostgreSQL, so the
// limits hold across API instances. Per-IP limits are looser than per-phone
// ones because mobile carriers put many subscribers behind one address.
// Config.Extra["ratelimit.<name>"] = "max/window" overrides one (e.g. "5/15m").
var defaultLimits = map[string]postgres.Limit{
	"login.phone":    {Max: 5, Window: 15 * time.Minute, Lockout: time.Minute, MaxLockout: time.Hour},
	"login.ip":       {Max: 100, Window: 15 * time.Minute, Lockout: time.Minute, MaxLockout: time.Hour},
	"register.ip":    {Max: 20, Window: time.Hour, Lockout: 10 * time.Minute, MaxLockout: 6 * time.Hour},
	"register.phone": {Max: 5, Window: time.Hour, Lockout: 10 * time.Minute, MaxLockout: 6 * time.Hour},
	"reset.phone":    {Max: 3, Window: time.Hour, Lockout: 15 * time.Minute, MaxLockout: 6 * time.Hour},
	"reset.ip":       {Max: 30, Window: time.Hour, Lockout: 15 * time.Minute, MaxLockout: 6 * time.Hour},
	// Issue 20: code checks (registration and reset). Five tries void a
	// code; these bound guessing across fresh codes.
	"otp.phone": {Max: 10, Window: time.Hour, Lockout: 15 * time.Minute, MaxLockout: 6 * time.Hour},
	"otp.ip":    {Max: 60, Window: time.Hour, Lockout: 15 * time.Minute, MaxLockout: 6 * time.Hour},
}

func (s *Server) limit(name string) postgres.Limit {
	l := defaultLimits[name]
	if v := s.Config.Extra["ratelimit."+name]; v != "" {
		max, win, ok := strings.Cut(v, "/")
		n, err1 := strconv.Atoi(max)
		d, err2 := time.ParseDuration(win)
		if ok && err1 == nil && err2 == nil && n > 0 && d > 0 {
			l.Max, l.Window = n, d
		}
	}
	return l
}

// clientIP is the peer address. Forwarded headers are trusted only when the
// deployment says a reverse proxy sets them (Extra["trust_proxy_headers"]),
// otherwise anyone could pick a fresh address per request.
func (s *Server) clientIP(c *gin.Context) string {
	if s.Config.Extra["trust_proxy_headers"] == "true" {
		return c.ClientIP()
	}
	return c.RemoteIP()
}

// rateCheck counts one attempt against each (limit name, key) pair in order
// and writes 429 with Retry-After when one is exhausted. It returns false then.
func (s *Server) rateCheck(c *gin.Context, pairs ...string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		name, key := pairs[i], pairs[i+1]
		ok, wait, err := s.DB.RateHit(c.Request.Context(), name+":"+key, s.limit(name))
		if err != nil {
			writeError(c, err)
			return false
		}
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			c.Header("Retry-After", strconv.Itoa(secs))
			writeError(c, &cds.Error{Code: cds.ERATELIMIT,
				Message:   "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau " + humanWait(secs, true) + ".",
				MessageEN: "Too many attempts. Try again in " + humanWait(secs, false) + "."})
			return false
		}
	}
	return true
}

func humanWait(secs int, vi bool) string {
	if secs >= 60 {
		m := (secs + 59) / 60
		if vi {
			return fmt.Sprintf("%d phút", m)
		}
		return fmt.Sprintf("%d minutes", m)
	}
	if vi {
		return fmt.Sprintf("%d giây", secs)
	}
	return fmt.Sprintf("%d seconds", secs)
}
