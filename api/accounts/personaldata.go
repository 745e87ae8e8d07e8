package accounts

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// TermsVersion is the version of the terms and privacy notice a citizen
// agrees to at registration (docs/personal-data.md). Change it when the
// text changes; the consent records keep the version each person agreed to.
const TermsVersion = "2026-01-01"

// DeleteConfirmation is what the citizen types to delete the account.
const DeleteConfirmation = "XÓA TÀI KHOẢN"

// maxExportMedia caps the bytes of media copied into one export.
const maxExportMedia = 200 << 20

func (s *Handler) registerPersonalData(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/me/consents", api.SignedIn, s.getConsents)
	r.Handle(http.MethodPut, "/api/v1/me/consents/:purpose", api.SignedIn, s.putConsent)
	r.Handle(http.MethodGet, "/api/v1/me/export", api.SignedIn, s.exportMe)
	r.Handle(http.MethodDelete, "/api/v1/me", api.SignedIn, s.deleteMe)
}

// registrationConsents are the decisions recorded with a new account: the
// terms shown at registration (registering is agreeing to them) and, when
// the form asked, the optional notifications.
func registrationConsents(termsVersion string, notifications *bool) ([]postgres.ConsentDecision, *cds.Error) {
	if termsVersion != "" && termsVersion != TermsVersion {
		return nil, cds.Errorf(cds.EINVALID, "Điều khoản đã được cập nhật; vui lòng đọc và đồng ý với phiên bản mới.",
			"The terms have changed; please read and accept the current version.").WithField("terms_version", "Phiên bản hiện hành: "+TermsVersion)
	}
	ds := []postgres.ConsentDecision{{Purpose: postgres.PurposeTerms, Version: TermsVersion, Granted: true}}
	if notifications != nil {
		ds = append(ds, postgres.ConsentDecision{Purpose: postgres.PurposeNotifications, Version: TermsVersion, Granted: *notifications})
	}
	return ds, nil
}

func (s *Handler) getConsents(c *gin.Context) {
	cur, evs, err := s.DB.Consents(c.Request.Context(), api.ActorID(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"current_terms_version": TermsVersion, "items": cur, "history": evs})
}

type consentReq struct {
	Granted *bool `json:"granted"`
}

// putConsent gives or withdraws an optional consent. The terms cannot be
// withdrawn here: without them the service cannot be provided, so that is
// what deleting the account does.
func (s *Handler) putConsent(c *gin.Context) {
	var req consentReq
	if !api.BindJSON(c, &req) {
		return
	}
	switch p := c.Param("purpose"); {
	case p == postgres.PurposeTerms:
		api.WriteError(c, cds.Errorf(cds.ECONFLICT, "Không thể rút lại đồng ý điều khoản sử dụng khi vẫn giữ tài khoản; hãy xóa tài khoản nếu không muốn tiếp tục.",
			"Consent to the terms cannot be withdrawn while keeping the account; delete the account instead."))
		return
	case p != postgres.PurposeNotifications:
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không có mục đích xử lý này.", "No such processing purpose."))
		return
	case req.Granted == nil:
		api.WriteError(c, api.InvalidInput().WithField("granted", "Bắt buộc (true/false)."))
		return
	}
	if err := s.DB.RecordConsents(c.Request.Context(), api.ActorID(c),
		postgres.ConsentDecision{Purpose: postgres.PurposeNotifications, Version: TermsVersion, Granted: *req.Granted}); err != nil {
		api.WriteError(c, err)
		return
	}
	s.getConsents(c)
}

type deleteReq struct {
	Confirm string `json:"confirm"`
}

// deleteMe deletes the signed-in citizen's account: every session ends, the
// profile is anonymised, case records are kept without personal fields.
// Staff accounts are closed by an administrator, not here.
func (s *Handler) deleteMe(c *gin.Context) {
	var req deleteReq
	if !api.BindJSON(c, &req) {
		return
	}
	me := api.Actor(c)
	if me.IsStaff() {
		api.WriteError(c, cds.Errorf(cds.EFORBIDDEN, "Tài khoản cán bộ do quản trị viên đóng.", "Staff accounts are closed by an administrator."))
		return
	}
	if strings.TrimSpace(req.Confirm) != DeleteConfirmation {
		api.WriteError(c, api.InvalidInput().WithField("confirm", "Nhập đúng \""+DeleteConfirmation+"\" để xác nhận / type the confirmation text."))
		return
	}
	if err := s.DB.DeleteAccount(c.Request.Context(), me.UserID); err != nil {
		api.WriteError(c, err)
		return
	}
	s.Logger.Info("account deleted", "userID", me.UserID)
	c.Status(http.StatusNoContent)
}

// exportMe returns a zip of the user's personal data: profile and consents,
// cases with the timelines the citizen sees, payments, notifications and
// the files the user uploaded.
func (s *Handler) exportMe(c *gin.Context) {
	ctx := c.Request.Context()
	uid := api.ActorID(c)
	u, err := s.DB.UserByID(ctx, uid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	profile, err := s.meView(c, u)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	consents, history, err := s.DB.Consents(ctx, uid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	profile["consents"], profile["consent_history"] = consents, history
	caseList, err := s.DB.ExportCases(ctx, uid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	payments, err := s.DB.PaymentsOfUser(ctx, uid, 10000, 0)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	notes, err := s.DB.ExportNotifications(ctx, uid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	media, err := s.DB.OwnMedia(ctx, uid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct {
		name string
		v    any
	}{{"profile.json", profile}, {"cases.json", nonNil(caseList)}, {"payments.json", nonNil(payments)},
		{"notifications.json", nonNil(notes)}, {"media.json", nonNil(media)}}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err == nil {
			enc := json.NewEncoder(w)
			enc.SetIndent("", " ")
			err = enc.Encode(f.v)
		}
		if err != nil {
			api.WriteError(c, err)
			return
		}
	}
	var total int64
	for _, m := range media {
		if total += m.Size; total > maxExportMedia {
			break
		}
		if err := s.copyMedia(c, zw, m); cds.ErrorCode(err) == cds.ENOTFOUND {
			continue // listed in media.json; the bytes are gone from the store
		} else if err != nil {
			api.WriteError(c, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(ctx, uid, "personal-data-export", "user", strconv.FormatInt(u.ID, 10), map[string]any{"cases": len(caseList), "media": len(media)})
	name := "du-lieu-ca-nhan-" + time.Now().In(cds.VietnamTZ).Format("20060102") + ".zip"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
}

func (s *Handler) copyMedia(c *gin.Context, zw *zip.Writer, m postgres.Media) error {
	rc, err := s.Blob.Get(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	defer rc.Close()
	ext := ".bin"
	switch m.ContentType {
	case "image/jpeg":
		ext = ".jpg"
	case "image/png":
		ext = ".png"
	case "image/webp":
		ext = ".webp"
	case "application/pdf":
		ext = ".pdf"
	}
	w, err := zw.Create("media/" + m.ID + ext)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, rc)
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
