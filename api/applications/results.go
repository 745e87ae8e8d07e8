package applications

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

func (s *Handler) registerResults(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/applications/:id/results/:media_id", api.SignedIn, s.downloadResult)
}

// downloadResult serves an issued result file (the PDF as uploaded) to the
// dossier's citizen and to staff who may read the dossier; every download is
// recorded (application_downloads), the citizen's marked as such.
func (s *Handler) downloadResult(c *gin.Context) {
	app, ok := s.loadApplication(c)
	if !ok {
		return
	}
	notFound := cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp kết quả.", "Result file not found.")
	mid := c.Param("media_id")
	var ids []string
	if raw, ok := app.Result["document_ids"].([]any); ok {
		for _, x := range raw {
			if s, ok := x.(string); ok {
				ids = append(ids, s)
			}
		}
	}
	if !slices.Contains(ids, mid) {
		api.WriteError(c, notFound)
		return
	}
	ctx := c.Request.Context()
	m, err := s.DB.MediaByID(ctx, mid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	rc, err := s.Blob.Get(ctx, m.ID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	defer rc.Close()
	if err := s.DB.RecordResultDownload(ctx, app.WorkflowID, m.ID, api.ActorID(c), app.CitizenID == api.ActorID(c)); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="ket-qua-`+app.Code+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.DataFromReader(http.StatusOK, m.Size, m.ContentType, rc, nil)
}
