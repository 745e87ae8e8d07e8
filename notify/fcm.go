package notify

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FCM defaults from Firebase's HTTP v1 documentation (docs/notifications.md).
const (
	FCMScope        = "https://www.googleapis.com/auth/firebase.messaging"
	FCMTokenURL     = "https://oauth2.googleapis.com/token"
	FCMBaseURL      = "https://fcm.googleapis.com"
	jwtBearerGrant  = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	tokenSafetySkew = time.Minute
)

// FCMConfig is a Firebase project's service account.
type FCMConfig struct {
	ProjectID   string
	ClientEmail string
	PrivateKey  *rsa.PrivateKey
	TokenURL    string // OAuth token endpoint (the key file's token_uri)
	BaseURL     string // https://fcm.googleapis.com, or the simulator
}

// ParseServiceAccount reads a service-account key file (JSON as downloaded
// from the Firebase console: project_id, client_email, private_key, token_uri).
func ParseServiceAccount(b []byte) (FCMConfig, error) {
	var f struct {
		ProjectID   string `json:"project_id"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
		TokenURI    string `json:"token_uri"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return FCMConfig{}, fmt.Errorf("fcm: service account: %w", err)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(f.PrivateKey))
	if err != nil {
		return FCMConfig{}, fmt.Errorf("fcm: service account key: %w", err)
	}
	if f.ProjectID == "" || f.ClientEmail == "" {
		return FCMConfig{}, fmt.Errorf("fcm: service account lacks project_id or client_email")
	}
	return FCMConfig{ProjectID: f.ProjectID, ClientEmail: f.ClientEmail, PrivateKey: key, TokenURL: f.TokenURI}, nil
}

// FCMChannel sends push notifications with FCM HTTP v1 messages:send, one
// request per device token. The OAuth access token is obtained with a
// service-account JWT (RFC 7523 bearer grant) and cached until shortly before
// it expires.
type FCMChannel struct {
	Cfg    FCMConfig
	Client *http.Client

	mu    sync.Mutex
	token string
	exp   time.Time
}

// NewFCM returns a channel with bounded timeouts and default endpoints.
func NewFCM(cfg FCMConfig) *FCMChannel {
	if cfg.TokenURL == "" {
		cfg.TokenURL = FCMTokenURL
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = FCMBaseURL
	}
	return &FCMChannel{Cfg: cfg, Client: &http.Client{Timeout: 15 * time.Second}}
}

// Name implements Channel.
func (f *FCMChannel) Name() string { return Push }

func (f *FCMChannel) accessToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token != "" && time.Now().Before(f.exp.Add(-tokenSafetySkew)) {
		return f.token, nil
	}
	now := time.Now()
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": f.Cfg.ClientEmail, "scope": FCMScope, "aud": f.Cfg.TokenURL,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}).SignedString(f.Cfg.PrivateKey)
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized {
			// invalid_grant: a wrong or revoked key; retrying will not help.
			return "", Permanent("fcm oauth: status %d %s", resp.StatusCode, tok.Error)
		}
		return "", fmt.Errorf("fcm oauth: status %d %s", resp.StatusCode, tok.Error)
	}
	f.token, f.exp = tok.AccessToken, now.Add(time.Duration(tok.ExpiresIn)*time.Second)
	return f.token, nil
}

// fcmError is the error body of the v1 API (google.rpc.Status with details).
type fcmError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type      string `json:"@type"`
			ErrorCode string `json:"errorCode"`
		} `json:"details"`
	} `json:"error"`
}

// fcmErrorCode returns the FCM-specific errorCode when present, else the status.
func (e fcmError) code() (string, bool) {
	for _, d := range e.Error.Details {
		if strings.HasSuffix(d.Type, "google.firebase.fcm.v1.FcmError") && d.ErrorCode != "" {
			return d.ErrorCode, true
		}
	}
	return e.Error.Status, false
}

// Send implements Channel: one messages:send per token. Tokens FCM reports
// as UNREGISTERED, or INVALID_ARGUMENT with an FcmError detail (the
// registration token is malformed), are returned in DropTokens. A
// transient failure on any token fails the whole send, which is retried.
func (f *FCMChannel) Send(ctx context.Context, m Message) (Result, error) {
	if len(m.Tokens) == 0 {
		return Result{}, Permanent("no registered device")
	}
	var res Result
	sent := 0
	for _, tok := range m.Tokens {
		id, drop, err := f.sendOne(ctx, tok, m)
		if err != nil {
			return res, err
		}
		if drop {
			res.DropTokens = append(res.DropTokens, tok)
			continue
		}
		sent++
		if res.ProviderID == "" {
			res.ProviderID = id
		}
	}
	if sent == 0 {
		return res, Permanent("every device token was reported invalid")
	}
	return res, nil
}

func (f *FCMChannel) sendOne(ctx context.Context, token string, m Message) (id string, drop bool, err error) {
	access, err := f.accessToken(ctx)
	if err != nil {
		return "", false, err
	}
	data := map[string]string{"kind": m.Kind}
	for k, v := range m.Data {
		data[k] = v
	}
	msg := map[string]any{
		"token":        token,
		"notification": map[string]string{"title": m.Title, "body": m.Body},
		"data":         data,
	}
	if id := m.Data["notification_id"]; id != "" {
		// A push repeated after a crash replaces the first on the device
		// (same tag / collapse id) instead of showing twice.
		msg["android"] = map[string]any{"notification": map[string]string{"tag": "n" + id}}
		msg["apns"] = map[string]any{"headers": map[string]string{"apns-collapse-id": "n" + id}}
	}
	body, _ := json.Marshal(map[string]any{"message": msg})
	u := strings.TrimRight(f.Cfg.BaseURL, "/") + "/v1/projects/" + url.PathEscape(f.Cfg.ProjectID) + "/messages:send"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := f.Client.Do(req)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode == http.StatusOK {
		var ok struct {
			Name string `json:"name"` // projects/{p}/messages/{id}
		}
		_ = json.Unmarshal(raw, &ok)
		return ok.Name, false, nil
	}
	var fe fcmError
	_ = json.Unmarshal(raw, &fe)
	code, fcmSpecific := fe.code()
	switch {
	case code == "UNREGISTERED", code == "INVALID_ARGUMENT" && fcmSpecific:
		return "", true, nil
	case resp.StatusCode == http.StatusUnauthorized:
		f.mu.Lock()
		f.token = "" // fetch a new access token on the retry
		f.mu.Unlock()
		return "", false, fmt.Errorf("fcm: unauthorized")
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", false, fmt.Errorf("fcm: status %d %s", resp.StatusCode, code)
	}
	return "", false, Permanent("fcm: status %d %s", resp.StatusCode, code)
}
