package open311

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

// Admins issue one Open311 api_key per client application. The key is
// returned once and stored only as its SHA-256 hash. These POSTs take no
// Idempotency-Key on purpose: the stored replay would keep the key in clear.
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

func (s *Handler) open311ListClients(c *gin.Context) {
	items, err := s.DB.Open311Clients(c.Request.Context())
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
	req.Name = strings.TrimSpace(req.Name)
	e := api.InvalidInput()
	if n := utf8.RuneCountInString(req.Name); n < 3 || n > 200 {
		e.WithField("name", "Tên ứng dụng từ 3 đến 200 ký tự / 3 to 200 characters")
	}
	if req.RatePerMinute == 0 {
		req.RatePerMinute = 60
	}
	if req.RatePerMinute < 1 || req.RatePerMinute > 100000 {
		e.WithField("rate_limit_per_minute", "1..100000")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	ctx := c.Request.Context()
	key := NewKey()
	cl, err := s.DB.Open311CreateClient(ctx, req.Name, key, req.RatePerMinute, api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, api.ActorID(c), "open311.client.create", "open311_client", strconv.FormatInt(cl.ID, 10), map[string]any{"name": cl.Name, "key_prefix": cl.KeyPrefix})
	c.JSON(http.StatusCreated, gin.H{"id": cl.ID, "user_id": cl.UserID, "name": cl.Name, "key_prefix": cl.KeyPrefix,
		"rate_limit_per_minute": cl.RatePerMinute, "created_at": cl.CreatedAt.In(cds.VietnamTZ), "api_key": key})
}

func (s *Handler) open311RevokeClient(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	cl, err := s.DB.Open311RevokeClient(c.Request.Context(), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(c.Request.Context(), api.ActorID(c), "open311.client.revoke", "open311_client", strconv.FormatInt(cl.ID, 10), nil)
	c.JSON(http.StatusOK, cl)
}
