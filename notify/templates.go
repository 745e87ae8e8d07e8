package notify

import (
	"fmt"
	"strings"
)

// Source is a stored notification (one person, one step) before it is
// shaped for a channel.
type Source struct {
	ID      int64
	Kind    string
	Title   string // Vietnamese sentence naming the step, e.g. "Phản ánh PA-2026-000001 đã được tiếp nhận."
	Body    string // longer text (the staff's public note, a code's explanation)
	Payload map[string]any
}

// openApp is the body of a push whose details stay in the app: a lock
// screen shows no more than the case code and its step.
const openApp = "Mở ứng dụng Công dân số Cao Bằng để xem chi tiết. / Open the app for details."

// Render shapes s for channel: the title, the body and the data (push data
// or ZNS template parameters). Each channel carries only what it needs:
//   - push: the step sentence, a generic body, the case code and ids for the app;
//   - zalo: the ZNS parameters ma_ho_so (case code) and trang_thai (step);
//   - sms: the step sentence only (the channel unaccents and cuts it);
//   - email (staff): the sentence and the body.
//
// One-time codes (topic account) carry the code in the body; the SMS sends the body.
func Render(channel string, s Source) (title, body string, data map[string]string) {
	code := str(s.Payload["code"])
	data = map[string]string{}
	switch channel {
	case Push:
		data["notification_id"] = fmt.Sprint(s.ID)
		if code != "" {
			data["code"] = code
		}
		if st := str(s.Payload["status"]); st != "" {
			data["status"] = st
		}
		body = openApp
		if TopicOf(s.Kind) == TopicAccount {
			body = s.Body
		}
		return s.Title, body, data
	case Zalo:
		// Parameter names are those of the templates we register with Zalo
		// (to confirm at onboarding: ZNS limits each parameter's length).
		if otp := str(s.Payload["otp"]); otp != "" {
			data["otp"] = otp
			return s.Title, "", data
		}
		data["ma_ho_so"] = code
		data["trang_thai"] = cut(strings.TrimSpace(s.Title), 100)
		return s.Title, "", data
	case SMS:
		if TopicOf(s.Kind) == TopicAccount {
			// The code travels in the body, so logs of titles never show it.
			return s.Body, "", data
		}
		return s.Title, "", data
	}
	return s.Title, s.Body, data
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprint(v)
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
