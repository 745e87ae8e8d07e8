package open311

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

type open311Extended struct {
	Status         string `json:"status" xml:"status"`                   // FixMyStreet extended status
	InternalStatus string `json:"internal_status" xml:"internal_status"` // our own status
	Channel        string `json:"channel" xml:"channel"`
}

type open311RequestOut struct {
	ServiceRequestID  string           `json:"service_request_id" xml:"service_request_id"`
	Status            string           `json:"status" xml:"status"`
	StatusNotes       open311Str       `json:"status_notes" xml:"status_notes"`
	ServiceName       open311Str       `json:"service_name" xml:"service_name"`
	ServiceCode       string           `json:"service_code" xml:"service_code"`
	Description       open311Str       `json:"description" xml:"description"`
	AgencyResponsible open311Str       `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     open311Str       `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string           `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   open311Str       `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  open311Str       `json:"expected_datetime" xml:"expected_datetime"`
	Address           open311Str       `json:"address" xml:"address"`
	AddressID         open311Str       `json:"address_id" xml:"address_id"`
	Zipcode           open311Str       `json:"zipcode" xml:"zipcode"`
	Lat               open311Num       `json:"lat" xml:"lat"`
	Long              open311Num       `json:"long" xml:"long"`
	MediaURL          open311Str       `json:"media_url" xml:"media_url"`
	Extended          *open311Extended `json:"extended_attributes,omitempty" xml:"extended_attributes,omitempty"`
}

// open311Out renders one case. Texts a citizen typed in the app stay hidden
// until the answer is published (as in the public feedback list); reports a
// client filed through Open311 show what it sent. Phone numbers are masked
// and no reporter names are ever shown.
func open311Out(x postgres.Open311Case, extensions bool) open311RequestOut {
	desc, notes := "", ""
	switch {
	case x.ClientID != nil:
		desc, notes = x.Description, x.LastNote
	case x.Published:
		desc, notes = x.Content, x.LastNote
	}
	if utf8.RuneCountInString(desc) > open311MaxDesc {
		desc = string([]rune(desc)[:open311MaxDesc])
	}
	o := open311RequestOut{ServiceRequestID: x.Code, Status: Status(x.Status), StatusNotes: open311S(api.MaskText(notes)),
		ServiceName: open311S(x.ServiceName), ServiceCode: x.ServiceCode, Description: open311S(api.MaskText(desc)),
		AgencyResponsible: open311S(x.Agency), RequestedDatetime: open311Time(x.Requested), Address: open311S(api.PublicPlace(x.Address, x.CommuneName)),
		AddressID: open311S(x.AddressID), MediaURL: open311S(x.MediaURL)}
	upd := x.Updated
	if o.Status == "closed" && x.Finished != nil {
		upd = *x.Finished // the spec: for closed requests, the close time
	}
	o.UpdatedDatetime = open311S(open311Time(upd))
	if o.Status == "open" {
		o.ExpectedDatetime = open311OptTime(x.Due)
	}
	if x.Located {
		// Public output: about 100 m and street/commune only (docs/personal-data.md).
		o.Lat, o.Long = open311Num{F: api.PublicCoord(x.Lat), Valid: true}, open311Num{F: api.PublicCoord(x.Lng), Valid: true}
	}
	if extensions {
		o.Extended = &open311Extended{Status: ExtendedStatus(x.Status), InternalStatus: x.Status, Channel: x.Channel}
	}
	return o
}

func (s *Handler) open311Requests(c *gin.Context, format string) {
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	if _, _, ok := s.open311Auth(c, format, q("api_key"), false, ""); !ok {
		return
	}
	if !s.open311Jurisdiction(c, format, q("jurisdiction_id")) {
		return
	}
	var f postgres.Open311Filter
	var errs []open311Error
	if ids := open311SplitList(q("service_request_id")); len(ids) > 0 {
		// The spec: service_request_id overrides every other argument.
		if len(ids) > open311MaxRequests {
			ids = ids[:open311MaxRequests]
		}
		f.IDs = ids
	} else {
		f.ServiceCodes = open311SplitList(q("service_code"))
		seen := map[string]bool{}
		for _, st := range open311SplitList(strings.ToLower(q("status"))) {
			if st != "open" && st != "closed" {
				errs = append(errs, open311Err(http.StatusBadRequest, "status chỉ nhận open, closed.", "status must be open and/or closed."))
				break
			}
			seen[st] = true
		}
		if len(seen) == 1 {
			for st := range seen {
				f.Status = st
			}
		}
		var werrs []open311Error
		f.From, f.To, werrs = open311DateWindow(q("start_date"), q("end_date"), time.Now())
		errs = append(errs, werrs...)
		page, size := 1, open311MaxRequests
		if v := q("page"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, open311Err(http.StatusBadRequest, "page phải là số nguyên dương.", "page must be a positive integer."))
			}
			page = n
		}
		if v := q("page_size"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > open311MaxRequests {
				errs = append(errs, open311Err(http.StatusBadRequest, "page_size từ 1 đến 1000.", "page_size must be 1 to 1000."))
			}
			size = n
		}
		f.Limit, f.Offset = size, (page-1)*size
	}
	if len(errs) > 0 {
		open311Fail(c, format, errs...)
		return
	}
	cases, err := s.DB.Open311Cases(c.Request.Context(), f)
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	ext := q("extensions") == "true"
	open311RenderList(c, format, "service_requests", "request", cases, func(x postgres.Open311Case) open311RequestOut { return open311Out(x, ext) })
}

func (s *Handler) open311Request(c *gin.Context) {
	id, format, ok := open311File(c, "service_request_id")
	if !ok {
		return
	}
	if _, _, ok := s.open311Auth(c, format, strings.TrimSpace(c.Query("api_key")), false, ""); !ok {
		return
	}
	if !s.open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	x, err := s.DB.Open311CaseByCode(c.Request.Context(), id)
	if err != nil {
		s.open311FailLookup(c, format, err, "Không có yêu cầu "+id+".", "Unknown service_request_id "+id+".")
		return
	}
	open311Render(c, format, http.StatusOK, "service_requests", "request", []open311RequestOut{open311Out(x, c.Query("extensions") == "true")})
}

type open311TokenOut struct {
	ServiceRequestID open311Str `json:"service_request_id" xml:"service_request_id"`
	Token            string     `json:"token" xml:"token"`
}

func (s *Handler) open311Token(c *gin.Context) {
	token, format, ok := open311File(c, "token")
	if !ok {
		return
	}
	if !s.open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	code, exists, err := s.DB.Open311Token(c.Request.Context(), token)
	if err != nil {
		s.open311FailLookup(c, format, err, "Không có token này.", "Unknown token.")
		return
	}
	out := open311TokenOut{Token: token}
	if exists {
		out.ServiceRequestID = open311S(code)
	}
	open311Render(c, format, http.StatusOK, "service_requests", "request", []open311TokenOut{out})
}
