package apptest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// SMSCode waits for the newest SMS the simulator received for phone (any
// form: 0912…, +84912…) after the first `after` messages, and returns the
// 6-digit code in it.
func (e *Env) SMSCode(phone string, after int) string {
	e.T.Helper()
	to := simPhone(phone)
	var code string
	Eventually(e.T, 30*time.Second, "SMS code for "+to, func() bool {
		var out struct {
			Items []struct {
				Channel, Title string
			}
		}
		r := e.Do(http.MethodGet, "/notifysim/messages?to="+url.QueryEscape(to), "", nil)
		if r.Status != 200 {
			e.T.Fatalf("notifysim: %d %s", r.Status, r.Body)
		}
		r.JSON(e.T, &out)
		sms := 0
		for _, it := range out.Items {
			if it.Channel == "sms" {
				sms++
			}
		}
		if sms <= after {
			return false
		}
		for _, it := range out.Items { // newest first
			if it.Channel == "sms" {
				code = sixDigits.FindString(it.Title)
				return code != ""
			}
		}
		return false
	})
	return code
}

// SMSCount is how many SMS the simulator received for phone.
func (e *Env) SMSCount(phone string) int {
	e.T.Helper()
	to := simPhone(phone)
	var out struct{ Items []struct{ Channel string } }
	e.Do(http.MethodGet, "/notifysim/messages?to="+url.QueryEscape(to), "", nil).JSON(e.T, &out)
	n := 0
	for _, it := range out.Items {
		if it.Channel == "sms" {
			n++
		}
	}
	return n
}

// Register registers a citizen through the real flow: the form, the SMS
// code as the simulator received it, and the verification. It returns the
// verification's response (201 with tokens).
func (e *Env) Register(name, phone, password string) Response {
	e.T.Helper()
	before := e.SMSCount(phone)
	r := e.Do(http.MethodPost, "/api/v1/auth/register", "", map[string]string{"full_name": name, "phone": phone, "password": password})
	if r.Status != http.StatusAccepted {
		e.T.Fatalf("register %s: %d %s", phone, r.Status, r.Body)
	}
	code := e.SMSCode(phone, before)
	return e.Do(http.MethodPost, "/api/v1/auth/register/verify", "", map[string]string{"phone": phone, "code": code})
}

// simPhone is the form the SMS simulator records: 84 and the digits.
func simPhone(phone string) string {
	to := strings.TrimPrefix(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(phone), "+")
	if strings.HasPrefix(to, "0") {
		to = "84" + to[1:]
	}
	return to
}
