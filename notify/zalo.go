package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Zalo endpoints as published (docs/notifications.md). To confirm at
// onboarding: the ZNS host and path for our contract, and the error codes
// that mean "access token expired".
const (
	ZaloOAuthURL = "https://oauth.zaloapp.com/v4/oa/access_token"
	ZaloZNSURL   = "https://business.openapi.zalo.me/message/template"
)

// ZaloConfig configures the Official Account's ZNS sending.
type ZaloConfig struct {
	AppID     string
	SecretKey string
	// OASecretKey signs the OA webhook events (delivery receipts).
	OASecretKey string
	// RefreshToken seeds the token store the first time; afterwards the
	// store holds the current one (each refresh token is single-use).
	RefreshToken string
	OAuthURL     string
	ZNSURL       string
	// Templates maps a notification kind prefix (feedback, application,
	// payment, otp) to the ZNS template id registered with Zalo. A kind
	// without a template is not sent on Zalo (a permanent failure).
	Templates map[string]string
}

// ProviderToken is an access token and the refresh token that renews it.
type ProviderToken struct {
	Access, Refresh string
	Expires         time.Time
}

// TokenStore keeps a provider's rotating tokens for every instance.
// Refresh locks the named row: when the stored access token is still
// valid (another instance refreshed first) it returns it, else it calls
// renew with the stored token and saves what renew returns.
type TokenStore interface {
	Refresh(ctx context.Context, name string, seed string, renew func(ProviderToken) (ProviderToken, error)) (ProviderToken, error)
	// Invalidate marks the stored access token expired (the provider refused it).
	Invalidate(ctx context.Context, name string) error
}

// ZaloChannel sends ZNS template messages. The template's parameters are
// the Message's Data restricted to what the template needs.
type ZaloChannel struct {
	Cfg    ZaloConfig
	Store  TokenStore
	Client *http.Client
}

// NewZalo returns a channel with default endpoints and a bounded timeout.
func NewZalo(cfg ZaloConfig, store TokenStore) *ZaloChannel {
	if cfg.OAuthURL == "" {
		cfg.OAuthURL = ZaloOAuthURL
	}
	if cfg.ZNSURL == "" {
		cfg.ZNSURL = ZaloZNSURL
	}
	return &ZaloChannel{Cfg: cfg, Store: store, Client: &http.Client{Timeout: 15 * time.Second}}
}

// Name implements Channel.
func (z *ZaloChannel) Name() string { return Zalo }

// flexInt accepts expires_in as a number or a string ("90000"), since the
// documented examples show a string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	*f = flexInt(n)
	return err
}

// renew exchanges a refresh token for a new access + refresh token pair.
func (z *ZaloChannel) renew(ctx context.Context, cur ProviderToken) (ProviderToken, error) {
	if cur.Refresh == "" {
		return cur, Permanent("zalo: no refresh token configured")
	}
	form := url.Values{"refresh_token": {cur.Refresh}, "app_id": {z.Cfg.AppID}, "grant_type": {"refresh_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, z.Cfg.OAuthURL, strings.NewReader(form.Encode()))
	if err != nil {
		return cur, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", z.Cfg.SecretKey)
	resp, err := z.Client.Do(req)
	if err != nil {
		return cur, err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken  string  `json:"access_token"`
		RefreshToken string  `json:"refresh_token"`
		ExpiresIn    flexInt `json:"expires_in"`
		Error        int     `json:"error"`
		Message      string  `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return cur, fmt.Errorf("zalo oauth: status %d: %w", resp.StatusCode, err)
	}
	if out.AccessToken == "" {
		if resp.StatusCode >= 500 {
			return cur, fmt.Errorf("zalo oauth: status %d", resp.StatusCode)
		}
		return cur, Permanent("zalo oauth: error %d %s", out.Error, out.Message)
	}
	next := ProviderToken{Access: out.AccessToken, Refresh: out.RefreshToken, Expires: time.Now().Add(time.Duration(out.ExpiresIn) * time.Second)}
	if next.Refresh == "" {
		next.Refresh = cur.Refresh
	}
	return next, nil
}

func (z *ZaloChannel) token(ctx context.Context) (string, error) {
	t, err := z.Store.Refresh(ctx, "zalo_oa", z.Cfg.RefreshToken, func(cur ProviderToken) (ProviderToken, error) {
		return z.renew(ctx, cur)
	})
	return t.Access, err
}

// TemplateFor returns the template id for a kind ("feedback.accepted" →
// Templates["feedback"]), or "".
func (c ZaloConfig) TemplateFor(kind string) string {
	prefix, _, _ := strings.Cut(kind, ".")
	prefix, _, _ = strings.Cut(prefix, "_")
	return c.Templates[prefix]
}

// Send implements Channel: POST the template message with the delivery key
// as tracking_id.
func (z *ZaloChannel) Send(ctx context.Context, m Message) (Result, error) {
	tpl := z.Cfg.TemplateFor(m.Kind)
	if tpl == "" {
		return Result{}, Permanent("no ZNS template for %s", m.Kind)
	}
	if m.Phone == "" {
		return Result{}, Permanent("no phone number")
	}
	access, err := z.token(ctx)
	if err != nil {
		return Result{}, err
	}
	body, _ := json.Marshal(map[string]any{
		"phone": PhoneIntl(m.Phone), "template_id": tpl, "template_data": m.Data, "tracking_id": m.Key,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, z.Cfg.ZNSURL, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_token", access)
	resp, err := z.Client.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return Result{}, fmt.Errorf("zns: status %d", resp.StatusCode)
	}
	var out struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MsgID string `json:"msg_id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return Result{}, fmt.Errorf("zns: status %d: %w", resp.StatusCode, err)
	}
	switch {
	case out.Error == 0 && out.Data.MsgID != "":
		return Result{ProviderID: out.Data.MsgID}, nil
	case out.Error == -124 || out.Error == -216:
		// Access token invalid or expired (codes to confirm at onboarding):
		// the retry refreshes it.
		if err := z.Store.Invalidate(ctx, "zalo_oa"); err != nil {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("zns: access token refused (%d)", out.Error)
	}
	return Result{}, Permanent("zns: error %d %s", out.Error, out.Message)
}
