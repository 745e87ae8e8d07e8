package console

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
)

// The one-stop desk receives a dossier in person: it names the citizen (by
// phone; a citizen without an account gets one), picks the procedure,
// types the declaration form, attaches the scanned documents, and files it
// through the same operation as the online channel (cases.PrepareApplication
// and cases.SubmitApplication). The dossier then waits on its case page for
// acceptance (Mẫu 01) or refusal (Mẫu 03).

// maxScanBytes bounds one scanned document.
const maxScanBytes = 10 << 20

type deskView struct {
	Procedures []cds.Procedure
	Proc       *cds.Procedure
	Communes   []cds.Agency
	Values     map[string]string
	DateHint   string
}

func (s deskPages) deskView(c *gin.Context, code string) (deskView, error) {
	ctx := c.Request.Context()
	v := deskView{Values: map[string]string{}, DateHint: dateHint}
	procs, err := s.DB.Procedures(ctx, time.Now())
	if err != nil {
		return v, err
	}
	v.Procedures = procs
	for i := range procs {
		if procs[i].Code == code {
			v.Proc = &procs[i]
		}
	}
	ags, err := s.DB.Agencies(ctx)
	if err != nil {
		return v, err
	}
	for _, a := range ags {
		if a.Type == cds.AgencyCommune {
			v.Communes = append(v.Communes, a)
		}
	}
	return v, nil
}

func (s deskPages) consoleDeskPage(c *gin.Context) {
	v, err := s.deskView(c, c.Query("procedure"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	v.Values["procedure"] = c.Query("procedure")
	s.renderConsole(c, http.StatusOK, "desk", consolePage{Title: "Tiếp nhận hồ sơ trực tiếp", Nav: "desk", Data: v})
}

// consoleDeskSubmit files the dossier, then opens its case page.
func (s deskPages) consoleDeskSubmit(c *gin.Context) {
	ctx, me := c.Request.Context(), api.Actor(c)
	v, err := s.deskView(c, c.PostForm("procedure"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	for k, vs := range c.Request.PostForm {
		if k != consoleCSRFField && len(vs) > 0 {
			v.Values[k] = strings.TrimSpace(vs[0])
		}
	}
	var errs []fieldError
	fail := func(status int) {
		s.renderConsole(c, status, "desk", consolePage{Title: "Tiếp nhận hồ sơ trực tiếp", Nav: "desk", Errors: errs, Data: v})
	}
	if err := s.allowed(c, "application", "submit"); err != nil {
		errs = append(errs, fieldError{"procedure", api.ErrorOf(c, err).Message})
		fail(http.StatusForbidden)
		return
	}
	if v.Proc == nil {
		errs = append(errs, fieldError{"procedure", "Chọn thủ tục. / Choose the procedure."})
		fail(http.StatusBadRequest)
		return
	}
	name, phone := v.Values["citizen_name"], v.Values["citizen_phone"]
	norm, okPhone := cds.NormalizeMobile(phone)
	if !okPhone {
		errs = append(errs, fieldError{"citizen_phone", "Số điện thoại không hợp lệ. / Invalid phone number."})
	}
	if name == "" {
		errs = append(errs, fieldError{"citizen_name", "Nhập họ tên người nộp. / Enter the citizen's name."})
	}
	form := map[string]any{}
	for _, f := range v.Proc.Fields {
		val := v.Values["f_"+f.Name]
		if val == "" {
			continue
		}
		switch f.Type {
		case cds.FieldDate:
			d, ok := parseVNDate(val)
			if !ok {
				errs = append(errs, badDate("f_"+f.Name))
				continue
			}
			form[f.Name] = isoDate(d)
		case cds.FieldNumber:
			n, err := strconv.ParseFloat(strings.ReplaceAll(val, ",", "."), 64)
			if err != nil {
				errs = append(errs, fieldError{"f_" + f.Name, f.Label + ": phải là số. / Must be a number."})
				continue
			}
			form[f.Name] = n
		default:
			form[f.Name] = val
		}
	}
	if len(errs) > 0 {
		fail(http.StatusBadRequest)
		return
	}
	citizen, err := s.deskCitizen(c, name, norm)
	if err != nil {
		errs = append(errs, fieldError{"citizen_phone", api.ErrorOf(c, err).Message})
		fail(http.StatusBadRequest)
		return
	}
	var docs []string
	for _, d := range v.Proc.Documents {
		id, err := s.storeScan(c, "doc_"+d.Code)
		if err != nil {
			errs = append(errs, fieldError{"doc_" + d.Code, d.Name + ": " + api.ErrorOf(c, err).Message})
			continue
		}
		if id != "" {
			docs = append(docs, id)
		}
	}
	if len(errs) > 0 {
		fail(http.StatusBadRequest)
		return
	}
	sub, err := s.Cases.PrepareApplication(ctx, me, cases.ApplicationRequest{CitizenID: citizen, ProcedureCode: v.Proc.Code,
		Form: form, DocumentIDs: docs, Key: c.PostForm(idemField)}, time.Now())
	if err == nil {
		var body []byte
		if _, body, err = s.Cases.SubmitApplication(ctx, sub); err == nil {
			var out struct {
				Code string `json:"code"`
			}
			_ = json.Unmarshal(body, &out)
			setFlash(c, "Đã nhận hồ sơ "+out.Code+". Kiểm tra và tiếp nhận (in Mẫu 01) hoặc từ chối (in Mẫu 03).")
			c.Redirect(http.StatusSeeOther, "/console/cases/application/"+url.PathEscape(out.Code))
			return
		}
	}
	e := api.ErrorOf(c, err)
	for f, m := range e.Fields {
		f = strings.TrimPrefix(f, "form.")
		if f == "document_ids" {
			f = "docs"
		} else if f != "procedure_code" && f != "citizen_id" {
			f = "f_" + f
		}
		errs = append(errs, fieldError{f, m})
	}
	if len(errs) == 0 {
		errs = append(errs, fieldError{"procedure", e.Message + " / " + e.MessageEN})
	}
	fail(api.StatusOf(e.Code))
}

// deskCitizen finds the citizen by phone, or opens an account for a citizen
// who has none (no password: they set one later by a reset code). Audited.
func (s deskPages) deskCitizen(c *gin.Context, name, phone string) (int64, error) {
	ctx := c.Request.Context()
	u, err := s.DB.UserByPhone(ctx, phone)
	if err == nil {
		if u.Kind != "citizen" {
			return 0, cds.Errorf(cds.EINVALID, "Số điện thoại này thuộc tài khoản cán bộ.", "This phone belongs to a staff account.")
		}
		return u.ID, nil
	}
	if cds.ErrorCode(err) != cds.ENOTFOUND {
		return 0, err
	}
	u, err = s.DB.CreateCitizen(ctx, name, phone, "")
	if err != nil {
		return 0, err
	}
	if err := s.DB.Audit(ctx, api.ActorID(c), "citizen.create_at_desk", "user", strconv.FormatInt(u.ID, 10), map[string]any{"name": name}); err != nil {
		return 0, err
	}
	return u.ID, nil
}

// storeScan keeps one scanned document of the form (PDF, JPEG or PNG,
// checked by content), owned by the desk officer. "" when none was attached.
func (s deskPages) storeScan(c *gin.Context, field string) (string, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		return "", nil
	}
	if fh.Size > maxScanBytes {
		return "", cds.Errorf(cds.ETOOLARGE, "Tệp vượt quá 10 MB.", "The file is larger than 10 MB.")
	}
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxScanBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxScanBytes {
		return "", cds.Errorf(cds.ETOOLARGE, "Tệp vượt quá 10 MB.", "The file is larger than 10 MB.")
	}
	ctype, ext := "", ""
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")) && bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")):
		ctype, ext = "application/pdf", ".pdf"
	case http.DetectContentType(b) == "image/jpeg":
		ctype, ext = "image/jpeg", ".jpg"
	case http.DetectContentType(b) == "image/png":
		ctype, ext = "image/png", ".png"
	default:
		return "", cds.Errorf(cds.EUNSUPPORTED, "Chỉ nhận bản quét PDF, JPEG hoặc PNG.", "Only PDF, JPEG or PNG scans are accepted.")
	}
	rnd := make([]byte, 16)
	if _, err := rand.Read(rnd); err != nil {
		return "", err
	}
	key := hex.EncodeToString(rnd) + ext
	sum := sha256.Sum256(b)
	if err := s.Blob.Put(c.Request.Context(), key, bytes.NewReader(b), int64(len(b)), ctype); err != nil {
		return "", err
	}
	m := postgres.Media{ID: key, OwnerID: api.ActorID(c), ContentType: ctype, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	if err := s.DB.InsertMedia(c.Request.Context(), m); err != nil {
		_ = s.Blob.Delete(c.Request.Context(), key)
		return "", err
	}
	return key, nil
}
