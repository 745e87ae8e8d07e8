package open311

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/cases"
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
	cat, err := s.DB.FeedbackCategoryByCode(ctx, code)
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	var token string
	status, body, err := s.Cases.SubmitFeedback(ctx, cases.FeedbackSubmission{
		Scope: cases.ScopeOpen311, KeyOwner: cl.UserID, Key: key, Category: cat, RouteWait: s.settings().RouteWait,
		Input: workflows.FeedbackInput{CitizenName: who.Name, FeedbackReport: activities.FeedbackReport{CitizenID: cl.UserID, Title: title, Content: content,
			Category: cat.Code, Channel: "open311", Location: cds.Location{Lat: lat, Lng: lng, Address: addr, CommuneCode: commune}}},
		// The request row (with its token) is written before the workflow
		// starts. A retry that takes the key over writes the same row again:
		// the token is reserved with the key and a second insert is a no-op.
		Prepare: func(ctx context.Context, caseCode string) error {
			var err error
			if token, err = s.DB.IdempotencyReserve(ctx, cases.ScopeOpen311, cl.UserID, key, "token", func() (string, error) {
				return open311Token16(), nil
			}); err != nil {
				return err
			}
			err = s.DB.Open311InsertRequest(ctx, postgres.Open311RequestIn{Code: caseCode, Token: token, ClientID: cl.ID, Located: located,
				Description: desc, AddressID: addrID, Email: get("email"), DeviceID: get("device_id"), AccountID: get("account_id"),
				FirstName: get("first_name"), LastName: get("last_name"), Phone: phone, MediaURL: media, Attributes: attrs})
			if cds.ErrorCode(err) == cds.ECONFLICT {
				if known, _, terr := s.DB.Open311Token(ctx, token); terr == nil && known == caseCode {
					return nil // written by the first attempt of this request
				}
			}
			return err
		},
		Abandon: func(ctx context.Context, caseCode string) { _ = s.DB.Open311DeleteRequest(ctx, caseCode) },
		Answer: func(ctx context.Context, o cases.FeedbackOutcome) (int, any) {
			created := open311Created{AccountID: get("account_id")}
			if !o.Routed {
				// The case runs but was not routed in time: answer with a
				// token the client resolves later through tokens/{token}.
				s.Logger.Warn("open311: routing slow, answering with a token", "caseID", o.Code)
				created.Token = token
				return http.StatusOK, created
			}
			v := o.View
			created.ServiceRequestID = o.Code
			agency := v.AgencyCode
			if x, err := s.DB.Open311CaseByCode(ctx, o.Code); err == nil && x.Agency != "" {
				agency = x.Agency
			}
			created.ServiceNotice = fmt.Sprintf("Đã chuyển đến %s, hạn trả lời %s. / Routed to %s, answer due %s.",
				agency, open311Time(v.DueAt), agency, open311Time(v.DueAt))
			return http.StatusOK, created
		},
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
