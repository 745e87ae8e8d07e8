package api

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// defaultLimits per action and key kind. Counters live in PostgreSQL, so the
// limits hold across API instances. Per-IP limits are looser than per-phone
// ones because mobile carriers put many subscribers behind one address.
// Config.RateLimits overrides one by name.
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

func (d Deps) limit(name string) postgres.Limit {
	if l, ok := d.Config.RateLimits[name]; ok && l.Max > 0 && l.Window > 0 {
		return l
	}
	return defaultLimits[name]
}

// ClientIP is the peer address. Forwarded headers are trusted only when the
// deployment says a reverse proxy sets them (Config.TrustProxyHeaders),
// otherwise anyone could pick a fresh address per request.
func (d Deps) ClientIP(c *gin.Context) string {
	if d.Config.TrustProxyHeaders {
		return c.ClientIP()
	}
	return c.RemoteIP()
}

// RateLimit counts one attempt against each (limit name, key) pair in order.
// When one is exhausted it sets Retry-After and returns the 429 error.
func (d Deps) RateLimit(c *gin.Context, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		name, key := pairs[i], pairs[i+1]
		ok, wait, err := d.DB.RateHit(c.Request.Context(), name+":"+key, d.limit(name))
		if err != nil {
			return err
		}
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			c.Header("Retry-After", strconv.Itoa(secs))
			return &cds.Error{Code: cds.ERATELIMIT,
				Message:   "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau " + humanWait(secs, true) + ".",
				MessageEN: "Too many attempts. Try again in " + humanWait(secs, false) + "."}
		}
	}
	return nil
}

// RateCheck is RateLimit that writes the error; it returns false then.
func (d Deps) RateCheck(c *gin.Context, pairs ...string) bool {
	if err := d.RateLimit(c, pairs...); err != nil {
		WriteError(c, err)
		return false
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
