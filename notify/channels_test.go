package notify

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestFCMSendsWithServiceAccountJWT: the OAuth call carries an RS256 JWT
// with the documented claims; each token is sent; UNREGISTERED and an
// FcmError INVALID_ARGUMENT drop the token; a 503 is transient; a 400 on
// the payload is permanent.
func TestFCMSendsWithServiceAccountJWT(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	var mu sync.Mutex
	var sent []string
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(r.FormValue("assertion"), claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(srv.URL+"/token"))
		if err != nil || r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" ||
			claims["iss"] != "sa@p.iam.gserviceaccount.com" || claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" {
			w.WriteHeader(400)
			return
		}
		w.Write([]byte(`{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}`))
	})
	mux.HandleFunc("/v1/projects/p1/messages:send", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ya29.x" {
			w.WriteHeader(401)
			return
		}
		var in struct{ Message struct{ Token string } }
		json.NewDecoder(r.Body).Decode(&in)
		switch in.Message.Token {
		case "gone":
			w.WriteHeader(404)
			w.Write([]byte(`{"error":{"code":404,"status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}`))
		case "garbled":
			w.WriteHeader(400)
			w.Write([]byte(`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}`))
		case "busy":
			w.WriteHeader(503)
			w.Write([]byte(`{"error":{"code":503,"status":"UNAVAILABLE"}}`))
		case "badpayload":
			w.WriteHeader(400)
			w.Write([]byte(`{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest"}]}}`))
		default:
			mu.Lock()
			sent = append(sent, in.Message.Token)
			mu.Unlock()
			w.Write([]byte(`{"name":"projects/p1/messages/0:1"}`))
		}
	})
	f := NewFCM(FCMConfig{ProjectID: "p1", ClientEmail: "sa@p.iam.gserviceaccount.com", PrivateKey: key, TokenURL: srv.URL + "/token", BaseURL: srv.URL})
	ctx := context.Background()
	res, err := f.Send(ctx, Message{Title: "t", Tokens: []string{"ok1", "gone", "garbled", "ok2"}})
	if err != nil || res.ProviderID != "projects/p1/messages/0:1" || strings.Join(res.DropTokens, ",") != "gone,garbled" || strings.Join(sent, ",") != "ok1,ok2" {
		t.Fatalf("res %+v err %v sent %v", res, err, sent)
	}
	if _, err := f.Send(ctx, Message{Tokens: []string{"gone"}}); !IsPermanent(err) {
		t.Fatalf("only invalid tokens: %v", err)
	}
	if _, err := f.Send(ctx, Message{Tokens: []string{"busy"}}); err == nil || IsPermanent(err) {
		t.Fatalf("503 must be transient: %v", err)
	}
	if _, err := f.Send(ctx, Message{Tokens: []string{"badpayload"}}); !IsPermanent(err) {
		t.Fatalf("payload 400 must be permanent: %v", err)
	}
	if _, err := f.Send(ctx, Message{}); !IsPermanent(err) {
		t.Fatalf("no device: %v", err)
	}
}

type memStore struct {
	mu  sync.Mutex
	tok ProviderToken
}

func (m *memStore) Refresh(ctx context.Context, name, seed string, renew func(ProviderToken) (ProviderToken, error)) (ProviderToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok.Refresh == "" {
		m.tok.Refresh = seed
	}
	if m.tok.Access != "" && time.Now().Before(m.tok.Expires) {
		return m.tok, nil
	}
	n, err := renew(m.tok)
	if err == nil {
		m.tok = n
	}
	return m.tok, err
}

func (m *memStore) Invalidate(ctx context.Context, name string) error {
	m.mu.Lock()
	m.tok.Expires = time.Time{}
	m.mu.Unlock()
	return nil
}

// TestZaloRefreshesAndSends: the refresh call sends secret_key, app_id and
// the single-use refresh token, rotates it, reads expires_in as a string;
// ZNS gets the template, 84-form phone and tracking id; -124 invalidates
// the access token so the retry refreshes.
func TestZaloRefreshesAndSends(t *testing.T) {
	refreshes, reject := 0, false
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/oauth", func(w http.ResponseWriter, r *http.Request) {
		want := "r0"
		if refreshes > 0 {
			want = "r" + string(rune('0'+refreshes))
		}
		if r.Header.Get("secret_key") != "sk" || r.FormValue("app_id") != "app" || r.FormValue("grant_type") != "refresh_token" || r.FormValue("refresh_token") != want {
			w.Write([]byte(`{"error":-14014,"message":"invalid"}`))
			return
		}
		refreshes++
		json.NewEncoder(w).Encode(map[string]string{"access_token": "a" + string(rune('0'+refreshes)), "refresh_token": "r" + string(rune('0'+refreshes)), "expires_in": "90000"})
	})
	var got map[string]any
	mux.HandleFunc("/zns", func(w http.ResponseWriter, r *http.Request) {
		if reject {
			reject = false
			w.Write([]byte(`{"error":-124,"message":"Access token is invalid"}`))
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		got["access"] = r.Header.Get("access_token")
		w.Write([]byte(`{"error":0,"message":"Success","data":{"msg_id":"m1","sent_time":"1"}}`))
	})
	st := &memStore{}
	z := NewZalo(ZaloConfig{AppID: "app", SecretKey: "sk", RefreshToken: "r0", OAuthURL: srv.URL + "/oauth", ZNSURL: srv.URL + "/zns",
		Templates: map[string]string{"feedback": "123"}}, st)
	ctx := context.Background()
	m := Message{Key: "k#zalo", Kind: "feedback.accepted", Phone: "0912345678", Data: map[string]string{"ma_ho_so": "PA-1"}}
	res, err := z.Send(ctx, m)
	if err != nil || res.ProviderID != "m1" || got["phone"] != "84912345678" || got["template_id"] != "123" || got["tracking_id"] != "k#zalo" || got["access"] != "a1" {
		t.Fatalf("res %+v err %v got %v", res, err, got)
	}
	reject = true
	if _, err := z.Send(ctx, m); err == nil || IsPermanent(err) {
		t.Fatalf("-124 must be transient: %v", err)
	}
	if _, err := z.Send(ctx, m); err != nil || got["access"] != "a2" || refreshes != 2 || st.tok.Refresh != "r2" {
		t.Fatalf("after -124: err %v access %v refreshes %d refresh token %s", err, got["access"], refreshes, st.tok.Refresh)
	}
	if _, err := z.Send(ctx, Message{Kind: "news.x", Phone: "0912345678"}); !IsPermanent(err) {
		t.Fatalf("kind without template: %v", err)
	}
}

func TestSMSOneUnaccentedSegment(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Api-Key") != "k" {
			w.WriteHeader(401)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		w.Write([]byte(`{"message_id":"s1"}`))
	}))
	defer srv.Close()
	s := NewSMS(SMSConfig{URL: srv.URL, Brandname: "UBND CBANG", AuthHeader: "Api-Key", AuthValue: "k", Unaccented: true})
	res, err := s.Send(context.Background(), Message{Key: "k1", Phone: "0912345678", Title: "Mã xác thực Công dân số Cao Bằng: 123456. Hết hạn sau 5 phút."})
	if err != nil || res.ProviderID != "s1" || got["message"] != "Ma xac thuc Cong dan so Cao Bang: 123456. Het han sau 5 phut." ||
		got["phone"] != "84912345678" || got["brandname"] != "UBND CBANG" || got["request_id"] != "k1" {
		t.Fatalf("res %+v err %v got %v", res, err, got)
	}
	s.Cfg.AuthValue = "wrong"
	if _, err := s.Send(context.Background(), Message{Phone: "0912345678", Title: "x"}); !IsPermanent(err) {
		t.Fatalf("401 must be permanent: %v", err)
	}
}

func TestSMTPThroughSimulator(t *testing.T) {
	type mail struct{ to, id, subject, body string }
	got := make(chan mail, 1)
	sim := &SMTPSim{Deliver: func(to, id, subject, body string) { got <- mail{to, id, subject, body} }}
	addr, err := sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	s := &SMTPChannel{Cfg: SMTPConfig{Addr: addr, From: "cds@caobang.gov.vn"}}
	if _, err := s.Send(context.Background(), Message{Key: "feedback/PA-1/3/9#email", Email: "canbo@sxd.caobang.gov.vn",
		Title: "Phản ánh PA-1 sắp đến hạn", Body: "Hạn 17:00"}); err != nil {
		t.Fatal(err)
	}
	m := <-got
	if m.to != "canbo@sxd.caobang.gov.vn" || m.subject != "Phản ánh PA-1 sắp đến hạn" || !strings.Contains(m.body, "Hạn 17:00") || !strings.Contains(m.id, "feedback.PA-1.3.9.email@") {
		t.Fatalf("%+v", m)
	}
	if _, err := s.Send(context.Background(), Message{Email: "a@b\r\nBcc: x@y"}); !IsPermanent(err) {
		t.Fatalf("header injection: %v", err)
	}
}
