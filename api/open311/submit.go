package open311

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// open311Created is what a POST returns; it is also what the Idempotency-Key
// store keeps (JSON), so a replay renders in either format.
type open311Created struct {
	ServiceRequestID string `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    string `json:"service_notice" xml:"service_notice"`
	AccountID        string `json:"account_id" xml:"account_id"`
}

type open311CreatedOut struct {
	ServiceRequestID string     `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string     `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    open311Str `json:"service_notice" xml:"service_notice"`
	AccountID        open311Str `json:"account_id" xml:"account_id"`
}

func (s *Handler) open311PostRequest(c *gin.Context, format string) {
	form, ok := open311Form(c, format)
	if !ok {
		return
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	cl, who, ok := s.open311Auth(c, format, get("api_key"), true, "submit")
	if !ok || !s.open311Jurisdiction(c, format, get("jurisdiction_id")) {
		return
	}
	ctx := c.Request.Context()
	code := get("service_code")
	if code == "" {
		open311Fail(c, format, open311Err(http.StatusBadRequest, "Thiếu service_code.", "service_code is required."))
		return
	}
	svc, err := s.DB.Open311ServiceByCode(ctx, code)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			open311Fail(c, format, open311Err(http.StatusNotFound, "Không có dịch vụ "+code+".", "Unknown service_code "+code+"."))
			return
		}
		s.open311FailErr(c, format, err)
		return
	}
	var errs []open311Error
	var lat, lng float64
	located := false
	if get("lat") != "" || get("long") != "" {
		var e1, e2 error
		lat, e1 = strconv.ParseFloat(get("lat"), 64)
		lng, e2 = strconv.ParseFloat(get("long"), 64)
		if e1 != nil || e2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 || math.IsNaN(lat) || math.IsNaN(lng) {
			errs = append(errs, open311Err(http.StatusBadRequest, "lat và long phải là tọa độ WGS84 hợp lệ và đi cùng nhau.", "lat and long must both be valid WGS84 coordinates."))
		} else {
			located = true
		}
	}
	addr, addrID := get("address_string"), get("address_id")
	if !located && len(errs) == 0 && addr == "" && addrID == "" {
		errs = append(errs, open311Err(http.StatusBadRequest, "Cần vị trí: lat và long, hoặc address_string.", "A location is required: lat and long, or address_string (or address_id)."))
	}
	if utf8.RuneCountInString(addr) > 300 {
		errs = append(errs, open311Err(http.StatusBadRequest, "address_string tối đa 300 ký tự.", "address_string is limited to 300 characters."))
	}
	desc := get("description")
	if utf8.RuneCountInString(desc) > open311MaxDesc {
		errs = append(errs, open311Err(http.StatusBadRequest, "description tối đa 4000 ký tự.", "description is limited to 4000 characters."))
	}
	media := get("media_url")
	if media != "" && !open311CheckURL(media) {
		errs = append(errs, open311Err(http.StatusBadRequest, "media_url phải là URL http(s).", "media_url must be an http(s) URL."))
	}
	if e := get("email"); e != "" && (!strings.Contains(e, "@") || len(e) > 254) {
		errs = append(errs, open311Err(http.StatusBadRequest, "email không hợp lệ.", "Invalid email."))
	}
	phone, perrs := open311Person(get)
	errs = append(errs, perrs...)
	defs, err := s.DB.Open311Attributes(ctx, code)
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	attrs, attrLines, aerrs := open311Attributes(form, defs)
	errs = append(errs, aerrs...)
	if len(errs) > 0 {
		open311Fail(c, format, errs...)
		return
	}
	commune := ""
	if located {
		if commune, err = s.DB.Open311NearestCommune(ctx, lat, lng, 5); err != nil {
			s.open311FailErr(c, format, err)
			return
		}
	} else {
		// The read model needs a point; an address-only report gets the
		// province seat and Open311 shows lat/long as null (located=false).
		lat, lng = 22.6657, 106.2578
		if la, lo, ok, err := s.DB.Open311AgencyPoint(ctx, postgres.ProvinceCode); err == nil && ok {
			lat, lng = la, lo
		}
	}
	place := addr
	if place == "" {
		place = desc
	}
	if place == "" {
		place = svc.NameEN
	}
	title := open311Short(svc.Name+": "+place, 200)
	content := desc
	if content == "" {
		content = "(Không có mô tả / no description)"
	}
	if len(attrLines) > 0 {
		content += "\n\nThông tin bổ sung / details:\n- " + strings.Join(attrLines, "\n- ")
	}
	status, body, _, err := s.DB.Idempotent(ctx, "open311", cl.UserID, c.GetHeader("Idempotency-Key"), func() (int, any, error) {
		cat, err := s.DB.FeedbackCategoryByCode(ctx, code)
		if err != nil {
			return 0, nil, err
		}
		year := time.Now().In(cds.VietnamTZ).Year()
		n, err := s.DB.NextCode(ctx, fmt.Sprintf("PA-%d", year))
		if err != nil {
			return 0, nil, err
		}
		caseCode := fmt.Sprintf("PA-%d-%06d", year, n)
		token := open311Token16()
		if err := s.DB.Open311InsertRequest(ctx, postgres.Open311RequestIn{Code: caseCode, Token: token, ClientID: cl.ID, Located: located,
			Description: desc, AddressID: addrID, Email: get("email"), DeviceID: get("device_id"), AccountID: get("account_id"),
			FirstName: get("first_name"), LastName: get("last_name"), Phone: phone, MediaURL: media, Attributes: attrs}); err != nil {
			return 0, nil, err
		}
		in := workflows.FeedbackInput{Code: caseCode, CitizenID: cl.UserID, CitizenName: who.Name, Title: title, Content: content,
			Category: cat.Code, Channel: "open311",
			SLA:      workflows.FeedbackSLA{AcceptHours: cat.AcceptHours, AnswerHours: cat.AnswerHours, Scale: s.Cases.SLA()},
			Location: cds.Location{Lat: lat, Lng: lng, Address: addr, CommuneCode: commune}}
		v, started, err := s.open311Start(ctx, in)
		created := open311Created{AccountID: get("account_id")}
		switch {
		case err == nil:
			created.ServiceRequestID = caseCode
			created.ServiceNotice = fmt.Sprintf("Đã chuyển đến %s, hạn trả lời %s. / Routed to %s, answer due %s.",
				v.AgencyCode, open311Time(v.DueAt), v.AgencyCode, open311Time(v.DueAt))
			if x, err := s.DB.Open311CaseByCode(ctx, caseCode); err == nil && x.Agency != "" {
				created.ServiceNotice = fmt.Sprintf("Đã chuyển đến %s, hạn trả lời %s. / Routed to %s, answer due %s.",
					x.Agency, open311Time(v.DueAt), x.Agency, open311Time(v.DueAt))
			}
		case started:
			// The case runs but was not routed in time: answer with a token
			// the client resolves later through tokens/{token}.
			s.Logger.Warn("open311: routing slow, answering with a token", "caseID", caseCode, "err", err)
			created.Token = token
		default:
			_ = s.DB.Open311DeleteRequest(context.WithoutCancel(ctx), caseCode)
			return 0, nil, err
		}
		return http.StatusOK, created, nil
	})
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	var created open311Created
	if err := json.Unmarshal(body, &created); err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	out := open311CreatedOut{ServiceRequestID: created.ServiceRequestID, Token: created.Token,
		ServiceNotice: open311S(created.ServiceNotice), AccountID: open311S(created.AccountID)}
	// 200, not 201: the spec shows none, and old clients test for 200.
	open311Render(c, format, status, "service_requests", "request", []open311CreatedOut{out})
}

// open311Start starts the FeedbackCase exactly as the app's submission does
// (update-with-start, waiting until it is routed), but gives up waiting after
// RouteWait. started tells whether the workflow runs even if err != nil.
func (s *Handler) open311Start(ctx context.Context, in workflows.FeedbackInput) (workflows.FeedbackView, bool, error) {
	var v workflows.FeedbackView
	op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.FeedbackWorkflowID(in.Code), TaskQueue: s.Cases.TaskQueue(),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflows.FeedbackWorkflowName, in)
	wctx, cancel := context.WithTimeout(ctx, s.settings().RouteWait)
	defer cancel()
	h, err := s.Temporal.UpdateWithStartWorkflow(wctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: workflows.FeedbackUpdateSubmitted, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err == nil {
		err = h.Get(wctx, &v)
	}
	if err == nil {
		return v, true, nil
	}
	gctx, gcancel := context.WithTimeout(ctx, 2*time.Second)
	defer gcancel()
	run, gerr := op.Get(gctx)
	return v, gerr == nil && run != nil, err
}

// ---- FixMyStreet servicerequestupdates ----
