package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api/notifications"
	"github.com/caobang/congdanso/notify"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// NotifyConfig configures the delivery channels (issue 20). Fields left
// empty are read from the environment:
//
//	CONGDANSO_FCM_SERVICE_ACCOUNT   path of the Firebase service-account key (JSON)
//	CONGDANSO_ZALO_APP_ID, CONGDANSO_ZALO_SECRET_KEY, CONGDANSO_ZALO_REFRESH_TOKEN, CONGDANSO_ZALO_OA_SECRET_KEY (receipts)
//	CONGDANSO_ZALO_TEMPLATES        kind=templateID,… e.g. feedback=123,application=124,payment=125,otp=126
//	CONGDANSO_SMS_URL, CONGDANSO_SMS_BRANDNAME, CONGDANSO_SMS_AUTH_HEADER, CONGDANSO_SMS_AUTH_VALUE,
//	CONGDANSO_SMS_UNACCENTED (default true)
//	CONGDANSO_SMTP_ADDR, CONGDANSO_SMTP_FROM, CONGDANSO_SMTP_USERNAME, CONGDANSO_SMTP_PASSWORD
//
// In demo mode a channel without configuration goes to the built-in
// simulator (/notifysim/); outside demo mode it stays off and its
// deliveries fail with "channel not configured".
type NotifyConfig struct {
	// Simulate sends every unconfigured channel to the simulator even
	// outside demo mode (tests; CONGDANSO_NOTIFY_SIMULATOR=1).
	Simulate bool
	FCM      *notify.FCMConfig
	Zalo     *notify.ZaloConfig
	SMS      *notify.SMSConfig
	SMTP     *notify.SMTPConfig
}

func notifyFromEnv(c *NotifyConfig) error {
	if p := os.Getenv("CONGDANSO_FCM_SERVICE_ACCOUNT"); p != "" && c.FCM == nil {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		f, err := notify.ParseServiceAccount(b)
		if err != nil {
			return err
		}
		c.FCM = &f
	}
	if id := os.Getenv("CONGDANSO_ZALO_APP_ID"); id != "" && c.Zalo == nil {
		tpl := map[string]string{}
		for _, kv := range strings.Split(os.Getenv("CONGDANSO_ZALO_TEMPLATES"), ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				tpl[k] = v
			}
		}
		c.Zalo = &notify.ZaloConfig{AppID: id, SecretKey: os.Getenv("CONGDANSO_ZALO_SECRET_KEY"), OASecretKey: os.Getenv("CONGDANSO_ZALO_OA_SECRET_KEY"),
			RefreshToken: os.Getenv("CONGDANSO_ZALO_REFRESH_TOKEN"), Templates: tpl}
	}
	if u := os.Getenv("CONGDANSO_SMS_URL"); u != "" && c.SMS == nil {
		c.SMS = &notify.SMSConfig{URL: u, Brandname: os.Getenv("CONGDANSO_SMS_BRANDNAME"),
			AuthHeader: os.Getenv("CONGDANSO_SMS_AUTH_HEADER"), AuthValue: os.Getenv("CONGDANSO_SMS_AUTH_VALUE"),
			Unaccented: os.Getenv("CONGDANSO_SMS_UNACCENTED") != "false"}
	}
	if addr := os.Getenv("CONGDANSO_SMTP_ADDR"); addr != "" && c.SMTP == nil {
		c.SMTP = &notify.SMTPConfig{Addr: addr, From: envOr("CONGDANSO_SMTP_FROM", "congdanso@caobang.gov.vn"),
			Username: os.Getenv("CONGDANSO_SMTP_USERNAME"), Password: os.Getenv("CONGDANSO_SMTP_PASSWORD")}
	}
	return nil
}

// tokenStore adapts postgres' provider_tokens to notify.TokenStore.
type tokenStore struct{ db *postgres.DB }

func (t tokenStore) Refresh(ctx context.Context, name, seed string, renew func(notify.ProviderToken) (notify.ProviderToken, error)) (notify.ProviderToken, error) {
	access, exp, err := t.db.RefreshProviderToken(ctx, name, seed, func(a, r string) (string, string, time.Time, error) {
		n, err := renew(notify.ProviderToken{Access: a, Refresh: r})
		return n.Access, n.Refresh, n.Expires, err
	})
	return notify.ProviderToken{Access: access, Expires: exp}, err
}

func (t tokenStore) Invalidate(ctx context.Context, name string) error {
	return t.db.InvalidateProviderToken(ctx, name)
}

// wireNotify builds the channels (the simulator's in demo mode), gives them
// to the activities and returns the settings of the HTTP handler.
func wireNotify(ctx context.Context, a *App) (notifications.Settings, error) {
	cfg := a.Opts.Notify
	if err := notifyFromEnv(&cfg); err != nil {
		return notifications.Settings{}, err
	}
	h := notifications.Settings{}
	base := strings.TrimRight(a.Opts.API.PublicBaseURL, "/")
	if a.Opts.API.Demo || cfg.Simulate || os.Getenv("CONGDANSO_NOTIFY_SIMULATOR") == "1" {
		sim := &notifications.SimConfig{ZaloSecretKey: "demo-zalo-secret", SMSAuth: "Bearer demo-sms-key", Secret: randBytes(32)}
		if cfg.FCM == nil {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return notifications.Settings{}, err
			}
			cfg.FCM = &notify.FCMConfig{ProjectID: "congdanso-demo", ClientEmail: "demo@congdanso-demo.iam.gserviceaccount.com",
				PrivateKey: key, TokenURL: base + "/notifysim/oauth2/token", BaseURL: base + "/notifysim/fcm"}
			sim.FCMKey, sim.FCMTokenURL = &key.PublicKey, cfg.FCM.TokenURL
		}
		if cfg.Zalo == nil {
			cfg.Zalo = &notify.ZaloConfig{AppID: "demo-app", SecretKey: sim.ZaloSecretKey, OASecretKey: "demo-oa-secret", RefreshToken: "demo-refresh-token",
				OAuthURL: base + "/notifysim/zalo/oauth/access_token", ZNSURL: base + "/notifysim/zalo/message/template",
				Templates: map[string]string{"feedback": "300001", "application": "300002", "payment": "300003", "otp": "300000"}}
		}
		if cfg.SMS == nil {
			cfg.SMS = &notify.SMSConfig{URL: base + "/notifysim/sms/send", Brandname: "UBND CBANG", AuthHeader: "Authorization",
				AuthValue: sim.SMSAuth, Unaccented: true}
		}
		if cfg.SMTP == nil {
			srv := &notify.SMTPSim{Deliver: func(to, id, subject, body string) {
				_, err := a.DB.SimRecord(context.Background(), postgres.SimMessage{Channel: notify.Email, Recipient: to,
					RequestKey: id, Title: subject, Body: body, ProviderID: id})
				if err != nil {
					a.Logger.Warn("notifysim: e-mail not recorded", "err", err)
				}
			}}
			addr, err := srv.Start()
			if err != nil {
				return notifications.Settings{}, err
			}
			a.OnClose(srv.Close)
			cfg.SMTP = &notify.SMTPConfig{Addr: addr, From: "congdanso-demo@caobang.gov.vn"}
		}
		sim.ReceiptURL, sim.ZaloAppID, sim.ZaloOASecret = base+"/api/v1/notifications/receipts/zalo", cfg.Zalo.AppID, cfg.Zalo.OASecretKey
		h.Sim = sim
	}
	if cfg.Zalo != nil && cfg.Zalo.OASecretKey != "" {
		h.ZaloAppID, h.ZaloOASecret = cfg.Zalo.AppID, cfg.Zalo.OASecretKey
	}
	set := activities.ChannelSet{ByName: map[string]notify.Channel{}, Metrics: notify.NewMetrics(prometheus.DefaultRegisterer),
		StartDelivery: workflows.StartDelivery}
	if cfg.FCM != nil {
		set.ByName[notify.Push] = notify.NewFCM(*cfg.FCM)
	}
	if cfg.Zalo != nil {
		set.ByName[notify.Zalo] = notify.NewZalo(*cfg.Zalo, tokenStore{a.DB})
	}
	if cfg.SMS != nil {
		set.ByName[notify.SMS] = notify.NewSMS(*cfg.SMS)
	}
	if cfg.SMTP != nil {
		set.ByName[notify.Email] = &notify.SMTPChannel{Cfg: *cfg.SMTP}
	}
	a.Activities.Channels = set
	return h, nil
}
