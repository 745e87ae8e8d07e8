package feedback

import (
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// withheldGate lets staff see a withheld file (its owner deleted the
// account) only with a recorded need: ?need=<reason>, kept in the audit log.
// It writes the error and returns ok false when the file may not be served;
// withheld tells the caller to serve it with Cache-Control: no-store (each
// read must be its own audited request, no cache may keep the file).
func (s *Handler) withheldGate(c *gin.Context, m postgres.Media) (withheld, ok bool) {
	ctx := c.Request.Context()
	withheld, err := s.DB.MediaWithheld(ctx, m.ID)
	if err != nil {
		api.WriteError(c, err)
		return false, false
	}
	if !withheld {
		return false, true
	}
	need := strings.TrimSpace(c.Query("need"))
	if n := utf8.RuneCountInString(need); n < 10 || n > 500 {
		api.WriteError(c, cds.Errorf(cds.EFORBIDDEN, "Ảnh của người đã xóa tài khoản: chỉ xem được khi ghi rõ lý do cần xem (tham số need, 10–500 ký tự).",
			"A withheld file of a deleted account: give the reason you need it (need, 10–500 characters).").WithField("need", "Ghi rõ lý do cần xem."))
		return true, false
	}
	if err := s.DB.Audit(ctx, api.ActorID(c), "withheld-media-read", "media", m.ID, map[string]any{"need": need}); err != nil {
		api.WriteError(c, err)
		return true, false
	}
	return true, true
}
