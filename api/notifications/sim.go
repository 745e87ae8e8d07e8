package notifications

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/notify"
	"github.com/caobang/congdanso/postgres"
)

// The simulator plays each provider's side over HTTP in demo mode, checking
// credentials as the provider would, and records every request it receives
// (repeats too) in notifysim_messages. Push tokens starting with
// "unregistered-" or "invalid-" get FCM's UNREGISTERED and INVALID_ARGUMENT
// answers, so token clean-up can be exercised.
func (h *Handler) registerSim(s *api.Server) {
	s.Handle(http.MethodGet, "/notifysim/", api.Public, h.simPage)
	s.Handle(http.MethodGet, "/notifysim/messages", api.Public, h.simList)
	s.Handle(http.MethodPost, "/notifysim/oauth2/token", api.Public, h.simGoogleToken)
	s.Handle(http.MethodPost, "/notifysim/fcm/v1/projects/:project/*method", api.Public, h.simFCM)
	s.Handle(http.MethodPost, "/notifysim/zalo/oauth/access_token", api.Public, h.simZaloToken)
	s.Handle(http.MethodPost, "/notifysim/zalo/message/template", api.Public, h.simZNS)
	s.Handle(http.MethodPost, "/notifysim/sms/send", api.Public, h.simSMS)
}

func (h *Handler) sim(c *gin.Context) bool {
	if h.Sim == nil {
		api.WriteError(c, notFound())
		return false
	}
	return true
}

// simToken issues a stateless access token: kind.expiry.hmac.
func (h *Handler) simToken(kind string, ttl time.Duration) string {
	exp := strconv.FormatInt(time.Now().Add(ttl).Unix(), 10)
	m := hmac.New(sha256.New, h.Sim.Secret)
	m.Write([]byte(kind + "." + exp))
	return kind + "." + exp + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) simTokenValid(kind, tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != kind {
		return false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return false
	}
	m := hmac.New(sha256.New, h.Sim.Secret)
	m.Write([]byte(kind + "." + parts[1]))
	return hmac.Equal([]byte(parts[2]), []byte(base64.RawURLEncoding.EncodeToString(m.Sum(nil))))
}

func randomID(prefix string) string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// simGoogleToken checks the service-account JWT (RS256, our demo key,
// audience = token URL, FCM scope) and issues an access token.
func (h *Handler) simGoogleToken(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	if c.PostForm("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		c.JSON(http.StatusBadRequest, gin.H{"error": "unsupported_grant_type"})
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(c.PostForm("assertion"), claims, func(t *jwt.Token) (any, error) { return h.Sim.FCMKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(h.Sim.FCMTokenURL), jwt.WithExpirationRequired())
	if err != nil || claims["scope"] != notify.FCMScope {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_grant"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"access_token": h.simToken("g", time.Hour), "expires_in": 3600, "token_type": "Bearer"})
}

func fcmErr(c *gin.Context, status int, st, code, msg string) {
	c.JSON(status, gin.H{"error": gin.H{"code": status, "message": msg, "status": st,
		"details": []gin.H{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}}}})
}

func (h *Handler) simFCM(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	if c.Param("method") != "/messages:send" {
		api.WriteError(c, notFound())
		return
	}
	if !h.simTokenValid("g", strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")) {
		c.JSON(http.StatusUnauthorized, gin.H{"error": gin.H{"code": 401, "status": "UNAUTHENTICATED", "message": "invalid credentials"}})
		return
	}
	var in struct {
		Message struct {
			Token        string `json:"token"`
			Notification struct{ Title, Body string }
			Data         map[string]string `json:"data"`
		} `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(c.Request.Body, 1<<16)).Decode(&in); err != nil || in.Message.Token == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": gin.H{"code": 400, "status": "INVALID_ARGUMENT", "message": "bad request"}})
		return
	}
	switch tok := in.Message.Token; {
	case strings.HasPrefix(tok, "unregistered-"):
		fcmErr(c, http.StatusNotFound, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")
		return
	case strings.HasPrefix(tok, "invalid-"):
		fcmErr(c, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token")
		return
	}
	name := "projects/" + c.Param("project") + "/messages/" + randomID("")
	// FCM takes no idempotency key; the app's data carries the notification id.
	key := in.Message.Data["notification_id"]
	if key != "" {
		key = "n" + key + "/" + in.Message.Token
	}
	if _, err := h.DB.SimRecord(c.Request.Context(), postgres.SimMessage{Channel: notify.Push, Recipient: in.Message.Token,
		RequestKey: key, Title: in.Message.Notification.Title, Body: in.Message.Notification.Body, Data: in.Message.Data, ProviderID: name}); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"name": name})
}

func (h *Handler) simZaloToken(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	if c.GetHeader("secret_key") != h.Sim.ZaloSecretKey || c.PostForm("grant_type") != "refresh_token" || c.PostForm("refresh_token") == "" {
		c.JSON(http.StatusOK, gin.H{"error": -14014, "message": "Invalid refresh token / secret"})
		return
	}
	// expires_in as a string, as in the published examples.
	c.JSON(http.StatusOK, gin.H{"access_token": h.simToken("z", 25*time.Hour), "refresh_token": randomID("zr-"), "expires_in": "90000"})
}

func (h *Handler) simZNS(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	if !h.simTokenValid("z", c.GetHeader("access_token")) {
		c.JSON(http.StatusOK, gin.H{"error": -124, "message": "Access token is invalid"})
		return
	}
	var in struct {
		Phone        string            `json:"phone"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
		TrackingID   string            `json:"tracking_id"`
	}
	if err := json.NewDecoder(io.LimitReader(c.Request.Body, 1<<16)).Decode(&in); err != nil || !strings.HasPrefix(in.Phone, "84") || in.TemplateID == "" {
		c.JSON(http.StatusOK, gin.H{"error": -108, "message": "Phone number or template invalid"})
		return
	}
	id := randomID("zns-")
	title := "Mẫu ZNS " + in.TemplateID
	if _, err := h.DB.SimRecord(c.Request.Context(), postgres.SimMessage{Channel: notify.Zalo, Recipient: in.Phone, RequestKey: in.TrackingID,
		Title: title, Body: fmt.Sprint(in.TemplateData), Data: in.TemplateData, ProviderID: id}); err != nil {
		api.WriteError(c, err)
		return
	}
	h.sendSimReceipt(id) // the phone got it: Zalo reports the receipt to our webhook
	c.JSON(http.StatusOK, gin.H{"error": 0, "message": "Success", "data": gin.H{"msg_id": id, "sent_time": strconv.FormatInt(time.Now().UnixMilli(), 10)}})
}

func (h *Handler) simSMS(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	if c.GetHeader("Authorization") != h.Sim.SMSAuth {
		c.JSON(http.StatusUnauthorized, gin.H{"error": "unauthorized"})
		return
	}
	var in map[string]string
	if err := json.NewDecoder(io.LimitReader(c.Request.Body, 1<<16)).Decode(&in); err != nil || in["phone"] == "" || in["message"] == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": "phone and message required"})
		return
	}
	if len(in["message"]) > notify.SMSSegment {
		c.JSON(http.StatusBadRequest, gin.H{"error": "message longer than one segment"})
		return
	}
	id := randomID("sms-")
	if _, err := h.DB.SimRecord(c.Request.Context(), postgres.SimMessage{Channel: notify.SMS, Recipient: in["phone"], RequestKey: in["request_id"],
		Title: in["message"], Data: map[string]string{"brandname": in["brandname"]}, ProviderID: id}); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "accepted", "message_id": id})
}
