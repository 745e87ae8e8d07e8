package open311

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

type open311UpdateOut struct {
	UpdateID           string     `json:"update_id" xml:"update_id"`
	ServiceRequestID   string     `json:"service_request_id" xml:"service_request_id"`
	Status             string     `json:"status" xml:"status"`
	UpdatedDatetime    string     `json:"updated_datetime" xml:"updated_datetime"`
	Description        open311Str `json:"description" xml:"description"`
	MediaURL           open311Str `json:"media_url" xml:"media_url"`
	ExternalStatusCode open311Str `json:"external_status_code" xml:"external_status_code"`
}

// open311UpdateStatus is the status an update reports: the status after a
// workflow step (not_ours counts as an internal referral), or the client's own.
func open311UpdateStatus(u postgres.Open311Update, extensions bool) (string, string) {
	internal := u.ToStatus
	if u.Action == "client_update" {
		internal = u.CaseStatus
	}
	ext := ExtendedStatus(internal)
	if u.Action == workflows.FBActNotOurs {
		ext = "INTERNAL_REFERRAL"
	}
	if extensions {
		return ext, internal
	}
	return Status(internal), internal
}

func (s *Handler) open311GetUpdates(c *gin.Context, format string) {
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	cl, _, ok := s.open311Auth(c, format, q("api_key"), true, "update")
	if !ok || !s.open311Jurisdiction(c, format, q("jurisdiction_id")) {
		return
	}
	from, to, errs := open311DateWindow(q("start_date"), q("end_date"), time.Now())
	if len(errs) > 0 {
		open311Fail(c, format, errs...)
		return
	}
	ups, err := s.DB.Open311Updates(c.Request.Context(), cl.ID, from, to, open311MaxRequests)
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	ext := q("extensions") == "true"
	open311RenderList(c, format, "service_request_updates", "request_update", ups, func(u postgres.Open311Update) open311UpdateOut {
		st, internal := open311UpdateStatus(u, ext)
		return open311UpdateOut{UpdateID: u.ID, ServiceRequestID: u.CaseCode, Status: st, UpdatedDatetime: open311Time(u.At),
			Description: open311S(api.MaskText(u.Description)), MediaURL: open311S(u.MediaURL), ExternalStatusCode: open311S(internal)}
	})
}

// open311Withdrawable: the reporter may still withdraw from status.
func open311Withdrawable(status string) bool {
	for _, m := range workflows.FeedbackMoves(status, workflows.ByCitizen) {
		if m.Action == workflows.FBActWithdraw {
			return true
		}
	}
	return false
}

// open311UpdateStatuses are the statuses a client may send with an update.
var open311UpdateStatuses = map[string]bool{"": true, "open": true, "closed": true, "fixed": true, "cancelled": true,
	"in_progress": true, "action_scheduled": true, "investigating": true, "duplicate": true, "not_councils_responsibility": true,
	"no_further_action": true, "internal_referral": true, "for_triage": true, "reopen": true}

type open311UpdateCreated struct {
	UpdateID string `json:"update_id" xml:"update_id"`
}

func (s *Handler) open311PostUpdate(c *gin.Context, format string) {
	form, ok := open311Form(c, format)
	if !ok {
		return
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	cl, who, ok := s.open311Auth(c, format, get("api_key"), true, "update")
	if !ok || !s.open311Jurisdiction(c, format, get("jurisdiction_id")) {
		return
	}
	var errs []open311Error
	id, desc := get("service_request_id"), get("description")
	if id == "" {
		errs = append(errs, open311Err(http.StatusBadRequest, "Thiếu service_request_id.", "service_request_id is required."))
	}
	if desc == "" || utf8.RuneCountInString(desc) > open311MaxDesc {
		errs = append(errs, open311Err(http.StatusBadRequest, "description bắt buộc, tối đa 4000 ký tự.", "description is required (at most 4000 characters)."))
	}
	status := strings.ToLower(strings.ReplaceAll(get("status"), " ", "_"))
	if !open311UpdateStatuses[status] {
		errs = append(errs, open311Err(http.StatusBadRequest, "status không hợp lệ.", "Invalid status."))
	}
	at := time.Now()
	if v := get("updated_datetime"); v != "" {
		t, err := open311ParseDate(v)
		if err != nil {
			errs = append(errs, open311Err(http.StatusBadRequest, "updated_datetime không đúng định dạng W3C.", "updated_datetime is not a W3C date-time."))
		} else if t.Before(at) {
			at = t // a future time is not believed
		}
	}
	media := get("media_url")
	if media != "" && !open311CheckURL(media) {
		errs = append(errs, open311Err(http.StatusBadRequest, "media_url phải là URL http(s).", "media_url must be an http(s) URL."))
	}
	phone, perrs := open311Person(get)
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		open311Fail(c, format, errs...)
		return
	}
	ctx := c.Request.Context()
	x, err := s.DB.Open311CaseByCode(ctx, id)
	// A client may update only the reports it filed; others are "not found".
	if (err == nil && (x.ClientID == nil || *x.ClientID != cl.ID)) || cds.ErrorCode(err) == cds.ENOTFOUND {
		open311Fail(c, format, open311Err(http.StatusNotFound, "Không có yêu cầu "+id+".", "Unknown service_request_id "+id+"."))
		return
	}
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	uid, created, err := s.DB.Open311InsertUpdate(ctx, postgres.Open311UpdateIn{CaseCode: id, ClientID: cl.ID, ExternalID: get("update_id"),
		Status: status, Description: desc, MediaURL: media, FirstName: get("first_name"), LastName: get("last_name"),
		Email: get("email"), Phone: phone, At: at})
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	if created {
		// The update reaches the case when the case waits for the reporter
		// (reply to a request for information) or the reporter closes it
		// (withdrawal); otherwise it stays a comment the staff can read.
		action := ""
		switch {
		case (status == "closed" || status == "fixed" || status == "cancelled") && open311Withdrawable(x.Status):
			action = workflows.FBActWithdraw
		case x.Status == workflows.FBAwaitingInfo:
			action = workflows.FBActReplyInfo
		}
		if action != "" {
			// The stored update's ID keys the Update: it is forwarded once.
			_, err := s.Cases.UpdateFeedback(ctx, x.Code, action, workflows.FeedbackAction{Actor: who, Note: desc}, "open311-"+strconv.FormatInt(uid, 10))
			switch {
			case err == nil:
				_ = s.DB.Open311MarkForwarded(ctx, uid, action)
			case cds.ErrorCode(err) == cds.ECONFLICT || cds.ErrorCode(err) == cds.EINVALID:
				// The case moved on meanwhile: the update stays a comment.
			default:
				s.Logger.Warn("open311: update not forwarded", "caseID", x.Code, "err", err)
			}
		}
	}
	open311Render(c, format, http.StatusOK, "service_request_updates", "request_update",
		[]open311UpdateCreated{{UpdateID: "C" + strconv.FormatInt(uid, 10)}})
}
