package open311

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// Admins issue one Open311 api_key per client application. The key is
// returned once and stored only as its SHA-256 hash. The JSON POSTs take no
// Idempotency-Key on purpose: the stored replay would keep the key in clear.
// The console's form does send one: its replay keeps only the client's id,
// so a form sent twice creates one client and shows the key once.
func (s *Handler) registerAdmin(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/admin/open311/clients", api.Can("open311_client", "manage"), s.open311ListClients)
	r.Handle(http.MethodPost, "/api/v1/admin/open311/clients", api.Can("open311_client", "manage"), s.open311CreateClient)
	r.Handle(http.MethodPost, "/api/v1/admin/open311/clients/:id/revoke", api.Can("open311_client", "manage"), s.open311RevokeClient)
}

// NewKey returns a fresh api_key: a prefix plus 256 random bits.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "o311_" + base64.RawURLEncoding.EncodeToString(b)
}

// Clients lists the client applications, newest first.
func (s *Handler) Clients(ctx context.Context) ([]postgres.Open311Client, error) {
	return s.DB.Open311Clients(ctx)
}

// CreateClient issues a client application its api_key. With a key
// (Idempotency-Key) a repeated call returns the same client and an empty
// api_key: the key exists in clear only in the first answer.
func (s *Handler) CreateClient(ctx context.Context, a cds.Actor, name string, ratePerMinute int, key string) (postgres.Open311Client, string, error) {
	var cl postgres.Open311Client
	name = strings.TrimSpace(name)
	e := cds.Errorf(cds.EINVALID, "Thông tin ứng dụng chưa hợp lệ, chưa tạo gì.", "Invalid client application; nothing was created.")
	if n := utf8.RuneCountInString(name); n < 3 || n > 200 {
		e.WithField("name", "Tên ứng dụng từ 3 đến 200 ký tự / 3 to 200 characters")
	}
	if ratePerMinute == 0 {
		ratePerMinute = 60
	}
	if ratePerMinute < 1 || ratePerMinute > 100000 {
		e.WithField("rate_limit_per_minute", "Từ 1 đến 100000 yêu cầu mỗi phút / 1 to 100000 requests a minute")
	}
	if len(e.Fields) > 0 {
		return cl, "", e
	}
	var apiKey string
	_, body, replay, err := s.DB.Idempotent(ctx, "open311-client", a.UserID, key, func() (int, any, error) {
		apiKey = NewKey()
		c, err := s.DB.Open311CreateClient(ctx, name, apiKey, ratePerMinute, a.UserID)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, map[string]int64{"id": c.ID}, nil
	})
	if err != nil {
		return cl, "", err
	}
	if replay {
		apiKey = ""
	}
	var out struct{ ID int64 }
	if err := json.Unmarshal(body, &out); err != nil {
		return cl, "", err
	}
	cl, err = s.DB.Open311Client(ctx, out.ID)
	return cl, apiKey, err
}

// RevokeClient disables a client's key (revoking twice changes nothing more),
// audited in the same transaction.
func (s *Handler) RevokeClient(ctx context.Context, a cds.Actor, id int64) (postgres.Open311Client, error) {
	return s.DB.Open311RevokeClient(ctx, id, a.UserID)
}

func (s *Handler) open311ListClients(c *gin.Context) {
	items, err := s.Clients(c.Request.Context())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

func (s *Handler) open311CreateClient(c *gin.Context) {
	var req struct {
		Name          string `json:"name"`
		RatePerMinute int    `json:"rate_limit_per_minute"`
	}
	if !api.BindJSON(c, &req) {
		return
	}
	cl, key, err := s.CreateClient(c.Request.Context(), api.Actor(c), req.Name, req.RatePerMinute, "")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": cl.ID, "user_id": cl.UserID, "name": cl.Name, "key_prefix": cl.KeyPrefix,
		"rate_limit_per_minute": cl.RatePerMinute, "created_at": cl.CreatedAt.In(cds.VietnamTZ), "api_key": key})
}

func (s *Handler) open311RevokeClient(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	cl, err := s.RevokeClient(c.Request.Context(), api.Actor(c), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}
