// Package notifications serves a person's notification inbox, push devices
// and channel preferences (issue 20), and in demo mode the simulator of
// every channel (/notifysim/). Handler holds its typed dependencies and
// Register adds its routes to the API; cmd/app wires it.
package notifications

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/notify"
	"github.com/caobang/congdanso/postgres"
)

// Handler serves the notification routes.
type Handler struct {
	api.Deps
	Cases *cases.Service // who may read a feedback case (its deliveries)
	Settings
}

// Settings are the channel-side settings cmd/app builds with the channels.
type Settings struct {
	// Sim is the simulator's configuration; nil outside demo mode (the
	// /notifysim/ routes then answer 404).
	Sim *SimConfig
	// ZaloAppID and ZaloOASecret check ZNS delivery receipts; empty: off.
	ZaloAppID, ZaloOASecret string
}

// SimConfig are the demo credentials the simulator checks, as the real
// providers would.
type SimConfig struct {
	FCMKey        *rsa.PublicKey // the demo service account's public key
	FCMTokenURL   string         // the audience the JWT must name
	ZaloSecretKey string
	SMSAuth       string // expected Authorization header value
	Secret        []byte // signs the access tokens the simulator issues
	// ReceiptURL receives the ZNS delivery receipts the simulator sends,
	// signed with ZaloAppID / ZaloOASecret as the OA webhook would.
	ReceiptURL              string
	ZaloAppID, ZaloOASecret string
}

// Register adds the routes. Every inbox route is SignedIn: the handler
// scopes each query to the caller's own user ID (no IDOR).
func (h *Handler) Register(s *api.Server) {
	s.Handle(http.MethodGet, "/api/v1/me/notifications", api.SignedIn, h.list)
	s.Handle(http.MethodPost, "/api/v1/me/notifications/read", api.SignedIn, h.readAll)
	s.Handle(http.MethodPost, "/api/v1/me/notifications/:id/read", api.SignedIn, h.readOne)
	s.Handle(http.MethodPost, "/api/v1/me/devices", api.SignedIn, h.addDevice)
	s.Handle(http.MethodDelete, "/api/v1/me/devices/:token", api.SignedIn, h.removeDevice)
	s.Handle(http.MethodGet, "/api/v1/me/notification-preferences", api.SignedIn, h.getPrefs)
	s.Handle(http.MethodPut, "/api/v1/me/notification-preferences", api.SignedIn, h.putPrefs)
	s.Handle(http.MethodGet, "/api/v1/feedback/:id/deliveries", api.Can("feedback", "deliveries"), h.caseDeliveries)
	s.Handle(http.MethodPost, "/api/v1/notifications/receipts/zalo", api.Public, h.zaloReceipt)
	h.registerSim(s)
}

func notFound() error { return cds.Errorf(cds.ENOTFOUND, "Không tìm thấy.", "Not found.") }

// list answers {items, unread, next_cursor}; the cursor is the last id seen.
func (h *Handler) list(c *gin.Context) {
	limit := 20
	if v, err := strconv.Atoi(c.DefaultQuery("limit", "20")); err != nil || v < 1 || v > 100 {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "limit phải từ 1 đến 100.", "limit must be 1 to 100."))
		return
	} else {
		limit = v
	}
	var before int64
	if cur := c.Query("cursor"); cur != "" {
		v, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || v <= 0 {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "cursor không hợp lệ.", "Invalid cursor."))
			return
		}
		before = v
	}
	items, unread, err := h.DB.Inbox(c.Request.Context(), api.Actor(c).UserID, before, limit)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var next any
	if len(items) == limit {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	if items == nil {
		items = []postgres.InboxItem{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "unread": unread, "next_cursor": next})
}

func (h *Handler) readOne(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		api.WriteError(c, notFound())
		return
	}
	ok, err := h.DB.MarkRead(c.Request.Context(), api.Actor(c).UserID, id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if !ok {
		api.WriteError(c, notFound()) // someone else's notification looks like none
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) readAll(c *gin.Context) {
	n, err := h.DB.MarkAllRead(c.Request.Context(), api.Actor(c).UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}

// tokenRe bounds what a push token may look like (FCM tokens are ~150-200
// URL-safe characters with ':' ; to confirm at onboarding for iOS/web).
var tokenRe = regexp.MustCompile(`^[A-Za-z0-9_:\-.]{16,512}$`)

func (h *Handler) addDevice(c *gin.Context) {
	var in struct {
		Token    string `json:"token"`
		Platform string `json:"platform"`
	}
	if !api.BindJSON(c, &in) {
		return
	}
	fields := map[string]string{}
	if !tokenRe.MatchString(in.Token) {
		fields["token"] = "Mã thiết bị không hợp lệ. / Invalid device token."
	}
	if in.Platform == "" {
		in.Platform = "android"
	}
	if in.Platform != "android" && in.Platform != "ios" && in.Platform != "web" {
		fields["platform"] = "Chỉ nhận android, ios hoặc web. / Use android, ios or web."
	}
	if len(fields) > 0 {
		e := cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ.", "Invalid data.")
		e.Fields = fields
		api.WriteError(c, e)
		return
	}
	created, err := h.DB.AddDevice(c.Request.Context(), api.Actor(c).UserID, in.Token, in.Platform)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"token": in.Token, "platform": in.Platform})
}

func (h *Handler) removeDevice(c *gin.Context) {
	ok, err := h.DB.RemoveDevice(c.Request.Context(), api.Actor(c).UserID, c.Param("token"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if !ok {
		api.WriteError(c, notFound())
		return
	}
	c.Status(http.StatusNoContent)
}

// prefsBody is the preferences document: channels[topic][channel] = on,
// and quiet hours "HH:MM"–"HH:MM" (Vietnam time) or null.
type prefsBody struct {
	Channels   map[string]map[string]bool `json:"channels"`
	QuietHours *struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"quiet_hours"`
}

func (h *Handler) getPrefs(c *gin.Context) {
	u := api.Actor(c)
	t, err := h.DB.NotifyTarget(c.Request.Context(), u.UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	out := gin.H{}
	ch := map[string]map[string]bool{}
	for _, topic := range notify.PreferenceTopics {
		ch[topic] = map[string]bool{}
		def := notify.DefaultChannels(t.Staff, topic)
		for _, name := range notify.Channels {
			on := false
			for _, d := range def {
				on = on || d == name
			}
			if v, ok := t.Prefs[topic+"/"+name]; ok {
				on = v
			}
			ch[topic][name] = on
		}
	}
	out["channels"] = ch
	out["quiet_hours"] = nil
	if t.Quiet {
		out["quiet_hours"] = gin.H{"start": hhmm(t.QuietStart), "end": hhmm(t.QuietEnd)}
	}
	out["urgent_topics_ignore_quiet_hours"] = []string{notify.TopicPayment, notify.TopicAccount}
	c.JSON(http.StatusOK, out)
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func parseHHMM(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hi > 23 || mi > 59 || hi < 0 || mi < 0 {
		return 0, false
	}
	return hi*60 + mi, true
}

func (h *Handler) putPrefs(c *gin.Context) {
	var in prefsBody
	if !api.BindJSON(c, &in) {
		return
	}
	fields := map[string]string{}
	var prefs []postgres.NotifyPref
	for topic, chans := range in.Channels {
		if !contains(notify.PreferenceTopics, topic) {
			fields["channels."+topic] = "Chủ đề không tồn tại (case, news, payment). / Unknown topic."
			continue
		}
		for name, on := range chans {
			if !contains(notify.Channels, name) {
				fields["channels."+topic+"."+name] = "Kênh không tồn tại (push, zalo, sms, email). / Unknown channel."
				continue
			}
			prefs = append(prefs, postgres.NotifyPref{Topic: topic, Channel: name, Enabled: on})
		}
	}
	var quiet *[2]int
	if q := in.QuietHours; q != nil {
		s, ok1 := parseHHMM(q.Start)
		e, ok2 := parseHHMM(q.End)
		if !ok1 || !ok2 || s == e {
			fields["quiet_hours"] = "Giờ yên lặng dạng HH:MM, bắt đầu khác kết thúc. / Quiet hours as HH:MM, start differs from end."
		}
		quiet = &[2]int{s, e}
	}
	if len(fields) > 0 {
		e := cds.Errorf(cds.EINVALID, "Dữ liệu không hợp lệ.", "Invalid data.")
		e.Fields = fields
		api.WriteError(c, e)
		return
	}
	if err := h.DB.SetNotifyPrefs(c.Request.Context(), api.Actor(c).UserID, prefs, quiet); err != nil {
		api.WriteError(c, err)
		return
	}
	h.getPrefs(c)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
