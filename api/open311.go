package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
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

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for outside
// clients, plus the FixMyStreet servicerequestupdates extension. It is a thin
// outer face of the feedback feature: services are feedback categories, a
// request is a FeedbackCase started like the app's own submissions (channel
// "open311", submitter = the client application's account).
//
// Gin cannot route both "requests.json" and "requests/{id}.json" with one
// pattern, so the fixed files are registered one by one per format and the
// per-item files take a ":file" segment parsed as "{id}.{fmt}".
//
// Every route is Public at the Casbin route level: Open311 clients carry no
// bearer token, so the api_key (checked in open311Auth) is the authentication.
// Once the key resolves to a client_app account, open311Auth runs the Casbin
// check ("open311", submit/update) for that account, so policy still governs
// what client applications may write.
func init() {
	register(func(s *Server) {
		for _, f := range []string{"json", "xml"} {
			f := f
			s.handle(http.MethodGet, "/open311/v2/discovery."+f, Public, func(c *gin.Context) { s.open311Discovery(c, f) })
			s.handle(http.MethodGet, "/open311/v2/services."+f, Public, func(c *gin.Context) { s.open311Services(c, f) })
			s.handle(http.MethodGet, "/open311/v2/requests."+f, Public, func(c *gin.Context) { s.open311Requests(c, f) })
			s.handle(http.MethodPost, "/open311/v2/requests."+f, Public, func(c *gin.Context) { s.open311PostRequest(c, f) })
			s.handle(http.MethodGet, "/open311/v2/servicerequestupdates."+f, Public, func(c *gin.Context) { s.open311GetUpdates(c, f) })
			s.handle(http.MethodPost, "/open311/v2/servicerequestupdates."+f, Public, func(c *gin.Context) { s.open311PostUpdate(c, f) })
		}
		s.handle(http.MethodGet, "/open311/v2/services/:file", Public, s.open311ServiceDefinition)
		s.handle(http.MethodGet, "/open311/v2/requests/:file", Public, s.open311Request)
		s.handle(http.MethodGet, "/open311/v2/tokens/:file", Public, s.open311Token)
	})
}

// Open311Settings are the deployment's discovery facts.
type Open311Settings struct {
	Jurisdiction string    // jurisdiction_id accepted (optional for clients: we serve one)
	Contact      string    // discovery contact
	KeyService   string    // how to obtain an api_key
	Changeset    time.Time // when this interface last changed
	RouteWait    time.Duration
}

var open311Cfg = Open311Settings{
	Jurisdiction: "caobang.gov.vn",
	Contact:      "Trung tâm Phục vụ hành chính công tỉnh Cao Bằng, 0206.3859.555, ttpvhcc@caobang.gov.vn",
	KeyService:   "Quản trị hệ thống cấp api_key cho từng ứng dụng (POST /api/v1/admin/open311/clients) / The platform administrator issues one api_key per client application.",
	Changeset:    time.Date(2026, 11, 1, 0, 0, 0, 0, cds.VietnamTZ),
	RouteWait:    15 * time.Second,
}

// SetOpen311Settings overrides the defaults (cmd wiring; zero fields keep them).
func SetOpen311Settings(o Open311Settings) {
	if o.Jurisdiction != "" {
		open311Cfg.Jurisdiction = o.Jurisdiction
	}
	if o.Contact != "" {
		open311Cfg.Contact = o.Contact
	}
	if o.KeyService != "" {
		open311Cfg.KeyService = o.KeyService
	}
	if !o.Changeset.IsZero() {
		open311Cfg.Changeset = o.Changeset
	}
	if o.RouteWait > 0 {
		open311Cfg.RouteWait = o.RouteWait
	}
}

// Open311 limits from the spec: a window of at most 90 days, 1,000 requests.
const (
	open311Window      = 90 * 24 * time.Hour
	open311MaxRequests = 1000
	open311MaxDesc     = 4000
)

// open311ClosedSet: statuses reported as "closed" (see postgres.Open311ClosedStatuses).
var open311ClosedSet = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range postgres.Open311ClosedStatuses {
		m[s] = true
	}
	return m
}()

// open311ExtStatus maps our statuses onto the FixMyStreet extended statuses.
var open311ExtStatus = map[string]string{
	workflows.FBSubmitted:      "OPEN",
	workflows.FBRouted:         "OPEN",
	workflows.FBTransferred:    "INTERNAL_REFERRAL",
	workflows.FBAccepted:       "INVESTIGATING",
	workflows.FBAwaitingInfo:   "INVESTIGATING",
	workflows.FBAssigned:       "ACTION_SCHEDULED",
	workflows.FBInProgress:     "IN_PROGRESS",
	workflows.FBAnswerDrafted:  "IN_PROGRESS",
	workflows.FBAnswerApproved: "IN_PROGRESS",
	workflows.FBPublished:      "FIXED",
	workflows.FBRated:          "FIXED",
	workflows.FBClosed:         "CLOSED",
	workflows.FBRejected:       "NOT_COUNCILS_RESPONSIBILITY",
	workflows.FBDuplicate:      "DUPLICATE",
	workflows.FBWithdrawn:      "CANCELLED",
}

// Open311Status maps a feedback status onto Open311's open/closed.
func Open311Status(internal string) string {
	if open311ClosedSet[internal] {
		return "closed"
	}
	return "open"
}

// Open311ExtendedStatus maps a feedback status onto a FixMyStreet extended status.
func Open311ExtendedStatus(internal string) string {
	if s, ok := open311ExtStatus[internal]; ok {
		return s
	}
	return "OPEN"
}

// ---- shared checks ----

// open311Auth resolves an api_key. With required, a missing key is 403; a
// given key must be valid (403), within its rate limit (429) and, for act,
// allowed by policy for the client_app account.
func (s *Server) open311Auth(c *gin.Context, format, key string, required bool, act string) (postgres.Open311Client, cds.Actor, bool) {
	var cl postgres.Open311Client
	if key == "" {
		if required {
			open311Fail(c, format, open311Err(http.StatusForbidden, "Thiếu api_key.", "api_key is required."))
			return cl, cds.Actor{}, false
		}
		return cl, cds.Actor{}, true
	}
	ctx := c.Request.Context()
	cl, err := s.DB.Open311ClientByKey(ctx, key)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			open311Fail(c, format, open311Err(http.StatusForbidden, "api_key không hợp lệ.", "Invalid api_key."))
		} else {
			s.open311FailErr(c, format, err)
		}
		return cl, cds.Actor{}, false
	}
	hits, reset, err := s.DB.Open311Hit(ctx, cl.ID)
	if err != nil {
		s.open311FailErr(c, format, err)
		return cl, cds.Actor{}, false
	}
	if hits > cl.RatePerMinute {
		wait := int(math.Ceil(time.Until(reset).Seconds()))
		if wait < 1 {
			wait = 1
		}
		c.Header("Retry-After", strconv.Itoa(wait))
		open311Fail(c, format, open311Err(http.StatusTooManyRequests, fmt.Sprintf("Vượt quá %d yêu cầu mỗi phút.", cl.RatePerMinute),
			fmt.Sprintf("Rate limit of %d requests per minute exceeded.", cl.RatePerMinute)))
		return cl, cds.Actor{}, false
	}
	a := cds.Actor{UserID: cl.UserID, Name: cl.Name, Roles: []cds.Role{cds.RoleClientApp}}
	if act != "" {
		ok, err := s.Authz.Allowed(ctx, a, "", "open311", act)
		if err != nil {
			s.open311FailErr(c, format, err)
			return cl, a, false
		}
		if !ok {
			open311Fail(c, format, open311Err(http.StatusForbidden, "Ứng dụng không được phép thực hiện thao tác này.", "This client may not do this."))
			return cl, a, false
		}
	}
	return cl, a, true
}

// open311Jurisdiction accepts an absent jurisdiction_id or ours (404 otherwise).
func open311Jurisdiction(c *gin.Context, format, j string) bool {
	if j == "" || strings.EqualFold(j, open311Cfg.Jurisdiction) {
		return true
	}
	open311Fail(c, format, open311Err(http.StatusNotFound, "Không có jurisdiction_id "+j+".", "Unknown jurisdiction_id "+j+"."))
	return false
}

// open311Form parses a POST body (application/x-www-form-urlencoded).
func open311Form(c *gin.Context, format string) (url.Values, bool) {
	if err := c.Request.ParseForm(); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			open311Fail(c, format, open311Err(http.StatusBadRequest, "Dữ liệu gửi lên quá lớn.", "Request body too large."))
		} else {
			open311Fail(c, format, open311Err(http.StatusBadRequest, "Dữ liệu form không hợp lệ.", "Invalid form body."))
		}
		return nil, false
	}
	return c.Request.PostForm, true
}

func open311SplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// open311ParseDate accepts the W3C date-time subset (a timezone is
// required) or a plain date, taken as midnight in Vietnam.
func open311ParseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, cds.VietnamTZ); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bad date %q", v)
}

// open311DateWindow applies the spec's window: the last 90 days by default,
// 90 days from a lone start_date or back from a lone end_date, and never more.
func open311DateWindow(startS, endS string, now time.Time) (time.Time, time.Time, []open311Error) {
	var errs []open311Error
	var from, to time.Time
	var err error
	if startS != "" {
		if from, err = open311ParseDate(startS); err != nil {
			errs = append(errs, open311Err(http.StatusBadRequest, "start_date không đúng định dạng W3C (ví dụ 2026-01-02T00:00:00+07:00).",
				"start_date is not a W3C date-time with a timezone (e.g. 2026-01-02T00:00:00+07:00)."))
		}
	}
	if endS != "" {
		if to, err = open311ParseDate(endS); err != nil {
			errs = append(errs, open311Err(http.StatusBadRequest, "end_date không đúng định dạng W3C (ví dụ 2026-01-31T23:59:59+07:00).",
				"end_date is not a W3C date-time with a timezone (e.g. 2026-01-31T23:59:59+07:00)."))
		}
	}
	if len(errs) > 0 {
		return from, to, errs
	}
	switch {
	case startS == "" && endS == "":
		to, from = now, now.Add(-open311Window)
	case endS == "":
		to = from.Add(open311Window)
	case startS == "":
		from = to.Add(-open311Window)
	}
	if to.Before(from) {
		errs = append(errs, open311Err(http.StatusBadRequest, "end_date phải sau start_date.", "end_date must not be before start_date."))
	} else if to.Sub(from) > open311Window {
		errs = append(errs, open311Err(http.StatusBadRequest, "Khoảng thời gian tối đa 90 ngày.", "The date range may not span more than 90 days."))
	}
	return from, to, errs
}

// open311CheckURL accepts an absolute http(s) URL.
func open311CheckURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ---- discovery and services ----

type open311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type open311DiscoveryDoc struct {
	Changeset  string            `json:"changeset" xml:"changeset"`
	Contact    string            `json:"contact" xml:"contact"`
	KeyService string            `json:"key_service" xml:"key_service"`
	Endpoints  []open311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

func (s *Server) open311Discovery(c *gin.Context, format string) {
	cs := open311Time(open311Cfg.Changeset)
	doc := open311DiscoveryDoc{Changeset: cs, Contact: open311Cfg.Contact, KeyService: open311Cfg.KeyService,
		Endpoints: []open311Endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: strings.TrimRight(s.Config.PublicBaseURL, "/") + "/open311/v2",
			Changeset: cs, Type: "production", Formats: []string{"text/xml", "application/json"}}}}
	open311Render(c, format, http.StatusOK, "discovery", "", doc)
}

type open311ServiceOut struct {
	ServiceCode string     `json:"service_code" xml:"service_code"`
	ServiceName string     `json:"service_name" xml:"service_name"`
	Description open311Str `json:"description" xml:"description"`
	Metadata    bool       `json:"metadata" xml:"metadata"`
	Type        string     `json:"type" xml:"type"`
	Keywords    open311Str `json:"keywords" xml:"keywords"`
	Group       open311Str `json:"group" xml:"group"`
}

func (s *Server) open311Services(c *gin.Context, format string) {
	if !open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	svcs, err := s.DB.Open311Services(c.Request.Context())
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	out := make([]open311ServiceOut, 0, len(svcs))
	for _, v := range svcs {
		// realtime: a POST answers with the service_request_id at once.
		out = append(out, open311ServiceOut{ServiceCode: v.Code, ServiceName: v.Name, Description: open311S(v.Description),
			Metadata: v.Attributes > 0, Type: "realtime", Keywords: open311S(v.Keywords), Group: open311S(v.Group)})
	}
	open311Render(c, format, http.StatusOK, "services", "service", out)
}

type open311AttrOut struct {
	Variable            bool                    `json:"variable" xml:"variable"`
	Code                string                  `json:"code" xml:"code"`
	Datatype            string                  `json:"datatype" xml:"datatype"`
	Required            bool                    `json:"required" xml:"required"`
	DatatypeDescription open311Str              `json:"datatype_description" xml:"datatype_description"`
	Order               int                     `json:"order" xml:"order"`
	Description         string                  `json:"description" xml:"description"`
	Values              []postgres.Open311Value `json:"values" xml:"values>value"`
}

// open311Attrs renders as <attributes><attribute>…</attribute></attributes>,
// with an empty <attributes/> when a service has none.
type open311Attrs []open311AttrOut

func (a open311Attrs) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement([]open311AttrOut(a), xml.StartElement{Name: xml.Name{Local: "attribute"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

type open311ServiceDef struct {
	ServiceCode string       `json:"service_code" xml:"service_code"`
	Attributes  open311Attrs `json:"attributes" xml:"attributes"`
}

func (s *Server) open311ServiceDefinition(c *gin.Context) {
	code, format, ok := open311SplitFile(c.Param("file"))
	if !ok {
		open311Fail(c, "xml", open311Err(http.StatusNotFound, "Không tìm thấy.", "Not found: use {service_code}.xml or .json."))
		return
	}
	if !open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.DB.Open311ServiceByCode(ctx, code); err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			open311Fail(c, format, open311Err(http.StatusNotFound, "Không có dịch vụ "+code+".", "Unknown service_code "+code+"."))
			return
		}
		s.open311FailErr(c, format, err)
		return
	}
	attrs, err := s.DB.Open311Attributes(ctx, code)
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	out := open311ServiceDef{ServiceCode: code, Attributes: open311Attrs{}}
	for _, a := range attrs {
		vals := a.Values
		if vals == nil {
			vals = []postgres.Open311Value{}
		}
		out.Attributes = append(out.Attributes, open311AttrOut{Variable: a.Variable, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: open311S(a.DatatypeDescription), Order: a.Order, Description: a.Description, Values: vals})
	}
	open311Render(c, format, http.StatusOK, "service_definition", "", out)
}

// ---- requests ----

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
	o := open311RequestOut{ServiceRequestID: x.Code, Status: Open311Status(x.Status), StatusNotes: open311S(maskText(notes)),
		ServiceName: open311S(x.ServiceName), ServiceCode: x.ServiceCode, Description: open311S(maskText(desc)),
		AgencyResponsible: open311S(x.Agency), RequestedDatetime: open311Time(x.Requested), Address: open311S(x.Address),
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
		o.Lat, o.Long = open311Num{F: x.Lat, Valid: true}, open311Num{F: x.Lng, Valid: true}
	}
	if extensions {
		o.Extended = &open311Extended{Status: Open311ExtendedStatus(x.Status), InternalStatus: x.Status, Channel: x.Channel}
	}
	return o
}

func (s *Server) open311Requests(c *gin.Context, format string) {
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	if _, _, ok := s.open311Auth(c, format, q("api_key"), false, ""); !ok {
		return
	}
	if !open311Jurisdiction(c, format, q("jurisdiction_id")) {
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
	out := make([]open311RequestOut, 0, len(cases))
	for _, x := range cases {
		out = append(out, open311Out(x, ext))
	}
	open311Render(c, format, http.StatusOK, "service_requests", "request", out)
}

func (s *Server) open311Request(c *gin.Context) {
	id, format, ok := open311SplitFile(c.Param("file"))
	if !ok {
		open311Fail(c, "xml", open311Err(http.StatusNotFound, "Không tìm thấy.", "Not found: use {service_request_id}.xml or .json."))
		return
	}
	if _, _, ok := s.open311Auth(c, format, strings.TrimSpace(c.Query("api_key")), false, ""); !ok {
		return
	}
	if !open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	x, err := s.DB.Open311CaseByCode(c.Request.Context(), id)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			open311Fail(c, format, open311Err(http.StatusNotFound, "Không có yêu cầu "+id+".", "Unknown service_request_id "+id+"."))
			return
		}
		s.open311FailErr(c, format, err)
		return
	}
	open311Render(c, format, http.StatusOK, "service_requests", "request", []open311RequestOut{open311Out(x, c.Query("extensions") == "true")})
}

type open311TokenOut struct {
	ServiceRequestID open311Str `json:"service_request_id" xml:"service_request_id"`
	Token            string     `json:"token" xml:"token"`
}

func (s *Server) open311Token(c *gin.Context) {
	token, format, ok := open311SplitFile(c.Param("file"))
	if !ok {
		open311Fail(c, "xml", open311Err(http.StatusNotFound, "Không tìm thấy.", "Not found: use {token}.xml or .json."))
		return
	}
	if !open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	code, exists, err := s.DB.Open311Token(c.Request.Context(), token)
	if err != nil {
		if cds.ErrorCode(err) == cds.ENOTFOUND {
			open311Fail(c, format, open311Err(http.StatusNotFound, "Không có token này.", "Unknown token."))
			return
		}
		s.open311FailErr(c, format, err)
		return
	}
	out := open311TokenOut{Token: token}
	if exists {
		out.ServiceRequestID = open311S(code)
	}
	open311Render(c, format, http.StatusOK, "service_requests", "request", []open311TokenOut{out})
}

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

// open311Attributes checks attribute[code] (and attribute[code][] for
// multi-value lists) against the service definition and returns the values
// plus readable lines for the case text.
func open311Attributes(form url.Values, defs []postgres.Open311Attribute) (map[string]any, []string, []open311Error) {
	vals := map[string]any{}
	var lines []string
	var errs []open311Error
	known := map[string]bool{}
	for _, d := range defs {
		known[d.Code] = true
		key := "attribute[" + d.Code + "]"
		var got []string
		for _, v := range append(form[key], form[key+"[]"]...) {
			if v = strings.TrimSpace(v); v != "" {
				got = append(got, v)
			}
		}
		if len(got) == 0 {
			if d.Required {
				errs = append(errs, open311Err(http.StatusBadRequest, "Thiếu thuộc tính bắt buộc "+d.Code+".", "Required attribute "+d.Code+" is missing."))
			}
			continue
		}
		names := map[string]string{}
		for _, v := range d.Values {
			names[v.Key] = v.Name
		}
		bad := func() {
			errs = append(errs, open311Err(http.StatusBadRequest, "Giá trị không hợp lệ cho thuộc tính "+d.Code+".", "Invalid value for attribute "+d.Code+"."))
		}
		switch d.Datatype {
		case "singlevaluelist":
			if len(got) != 1 || names[got[0]] == "" {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+names[got[0]])
		case "multivaluelist":
			shown := make([]string, 0, len(got))
			ok := true
			for _, v := range got {
				if names[v] == "" {
					ok = false
				}
				shown = append(shown, names[v])
			}
			if !ok {
				bad()
				continue
			}
			vals[d.Code] = got
			lines = append(lines, d.Description+": "+strings.Join(shown, ", "))
		case "number":
			n, err := strconv.ParseFloat(got[0], 64)
			if err != nil || len(got) != 1 || math.IsNaN(n) || math.IsInf(n, 0) {
				bad()
				continue
			}
			vals[d.Code] = n
			lines = append(lines, d.Description+": "+got[0])
		case "datetime":
			if _, err := open311ParseDate(got[0]); err != nil || len(got) != 1 {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+got[0])
		default:
			if len(got) != 1 || utf8.RuneCountInString(got[0]) > 1000 {
				bad()
				continue
			}
			vals[d.Code] = got[0]
			lines = append(lines, d.Description+": "+got[0])
		}
	}
	// attribute[...] not in the definition are ignored, as the spec leaves
	// them to the server; they are not stored.
	_ = known
	return vals, lines, errs
}

func open311Short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func open311Token16() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) open311PostRequest(c *gin.Context, format string) {
	form, ok := open311Form(c, format)
	if !ok {
		return
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	cl, who, ok := s.open311Auth(c, format, get("api_key"), true, "submit")
	if !ok || !open311Jurisdiction(c, format, get("jurisdiction_id")) {
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
			FirstName: get("first_name"), LastName: get("last_name"), Phone: get("phone"), MediaURL: media, Attributes: attrs}); err != nil {
			return 0, nil, err
		}
		in := workflows.FeedbackInput{Code: caseCode, CitizenID: cl.UserID, CitizenName: who.Name, Title: title, Content: content,
			Category: cat.Code, Channel: "open311",
			SLA:      workflows.FeedbackSLA{AcceptHours: cat.AcceptHours, AnswerHours: cat.AnswerHours, Scale: s.slaScale()},
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
func (s *Server) open311Start(ctx context.Context, in workflows.FeedbackInput) (workflows.FeedbackView, bool, error) {
	var v workflows.FeedbackView
	op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.FeedbackWorkflowID(in.Code), TaskQueue: s.taskQueue(),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflows.FeedbackWorkflowName, in)
	wctx, cancel := context.WithTimeout(ctx, open311Cfg.RouteWait)
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
	ext := Open311ExtendedStatus(internal)
	if u.Action == workflows.FBActNotOurs {
		ext = "INTERNAL_REFERRAL"
	}
	if extensions {
		return ext, internal
	}
	return Open311Status(internal), internal
}

func (s *Server) open311GetUpdates(c *gin.Context, format string) {
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	cl, _, ok := s.open311Auth(c, format, q("api_key"), true, "update")
	if !ok || !open311Jurisdiction(c, format, q("jurisdiction_id")) {
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
	out := make([]open311UpdateOut, 0, len(ups))
	for _, u := range ups {
		st, internal := open311UpdateStatus(u, ext)
		out = append(out, open311UpdateOut{UpdateID: u.ID, ServiceRequestID: u.CaseCode, Status: st, UpdatedDatetime: open311Time(u.At),
			Description: open311S(maskText(u.Description)), MediaURL: open311S(u.MediaURL), ExternalStatusCode: open311S(internal)})
	}
	open311Render(c, format, http.StatusOK, "service_request_updates", "request_update", out)
}

// open311Withdrawable are the states a reporter may still withdraw from.
var open311Withdrawable = map[string]bool{workflows.FBRouted: true, workflows.FBTransferred: true, workflows.FBAccepted: true,
	workflows.FBAssigned: true, workflows.FBInProgress: true, workflows.FBAwaitingInfo: true}

// open311UpdateStatuses are the statuses a client may send with an update.
var open311UpdateStatuses = map[string]bool{"": true, "open": true, "closed": true, "fixed": true, "cancelled": true,
	"in_progress": true, "action_scheduled": true, "investigating": true, "duplicate": true, "not_councils_responsibility": true,
	"no_further_action": true, "internal_referral": true, "for_triage": true, "reopen": true}

type open311UpdateCreated struct {
	UpdateID string `json:"update_id" xml:"update_id"`
}

func (s *Server) open311PostUpdate(c *gin.Context, format string) {
	form, ok := open311Form(c, format)
	if !ok {
		return
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	cl, who, ok := s.open311Auth(c, format, get("api_key"), true, "update")
	if !ok || !open311Jurisdiction(c, format, get("jurisdiction_id")) {
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
		Email: get("email"), Phone: get("phone"), At: at})
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
		case (status == "closed" || status == "fixed" || status == "cancelled") && open311Withdrawable[x.Status]:
			action = workflows.FBActWithdraw
		case x.Status == workflows.FBAwaitingInfo:
			action = workflows.FBActReplyInfo
		}
		if action != "" {
			_, err := s.sendFeedbackUpdate(ctx, x.Code, action, workflows.FeedbackAction{Actor: who, Note: desc})
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
