package notify

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// ZaloReceipt is a delivery receipt of a ZNS message, as the OA webhook
// event "user_received_message" reports it. To confirm at onboarding: the
// event name and field names for our contract, and the signature scheme
// below (header X-ZEvent-Signature = "mac=" + hex(sha256(app_id + body +
// timestamp + OA secret key))).
type ZaloReceipt struct {
	AppID     string `json:"app_id"`
	EventName string `json:"event_name"`
	Timestamp string `json:"timestamp"`
	Message   struct {
		MsgID        string `json:"msg_id"`
		DeliveryTime string `json:"delivery_time"` // epoch milliseconds
	} `json:"message"`
}

// ZaloEventMAC is the signature of a webhook body.
func ZaloEventMAC(appID string, body []byte, timestamp, oaSecret string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecret))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
}

// ParseZaloReceipt checks the signature and reads a receipt. ok is false
// for a bad signature, another app or another event.
func ParseZaloReceipt(appID, oaSecret string, body []byte, signature string) (r ZaloReceipt, at time.Time, ok bool) {
	if json.Unmarshal(body, &r) != nil || r.AppID != appID || r.EventName != "user_received_message" || r.Message.MsgID == "" {
		return r, at, false
	}
	want := ZaloEventMAC(appID, body, r.Timestamp, oaSecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return r, at, false
	}
	at = time.Now()
	if ms, err := strconv.ParseInt(r.Message.DeliveryTime, 10, 64); err == nil && ms > 0 {
		at = time.UnixMilli(ms)
	}
	return r, at, true
}
