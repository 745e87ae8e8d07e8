package open311

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
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
// Every route is api.Public at the Casbin route level: Open311 clients carry no
// bearer token, so the api_key (checked in open311Auth) is the authentication.
// Once the key resolves to a client_app account, open311Auth runs the Casbin
// check ("open311", submit/update) for that account, so policy still governs
// what client applications may write.
func (s *Handler) registerOpen311(r *api.Server) {
	for _, f := range []string{"json", "xml"} {
		f := f
		r.Handle(http.MethodGet, "/open311/v2/discovery."+f, api.Public, func(c *gin.Context) { s.open311Discovery(c, f) })
		r.Handle(http.MethodGet, "/open311/v2/services."+f, api.Public, func(c *gin.Context) { s.open311Services(c, f) })
		r.Handle(http.MethodGet, "/open311/v2/requests."+f, api.Public, func(c *gin.Context) { s.open311Requests(c, f) })
		r.Handle(http.MethodPost, "/open311/v2/requests."+f, api.Public, func(c *gin.Context) { s.open311PostRequest(c, f) })
		r.Handle(http.MethodGet, "/open311/v2/servicerequestupdates."+f, api.Public, func(c *gin.Context) { s.open311GetUpdates(c, f) })
		r.Handle(http.MethodPost, "/open311/v2/servicerequestupdates."+f, api.Public, func(c *gin.Context) { s.open311PostUpdate(c, f) })
	}
	r.Handle(http.MethodGet, "/open311/v2/services/:file", api.Public, s.open311ServiceDefinition)
	r.Handle(http.MethodGet, "/open311/v2/requests/:file", api.Public, s.open311Request)
	r.Handle(http.MethodGet, "/open311/v2/tokens/:file", api.Public, s.open311Token)
}

// Settings are the deployment's discovery facts.
type Settings struct {
	Jurisdiction string    // jurisdiction_id accepted (optional for clients: we serve one)
	Contact      string    // discovery contact
	KeyService   string    // how to obtain an api_key
	Changeset    time.Time // when this interface last changed
	RouteWait    time.Duration
}

// defaultSettings are the facts of the Cao Bằng deployment.
var defaultSettings = Settings{
	Jurisdiction: "caobang.gov.vn",
	Contact:      "Trung tâm Phục vụ hành chính công tỉnh Cao Bằng, 0206.3859.555, ttpvhcc@caobang.gov.vn",
	KeyService:   "Quản trị hệ thống cấp api_key cho từng ứng dụng (POST /api/v1/admin/open311/clients) / The platform administrator issues one api_key per client application.",
	Changeset:    time.Date(2026, 11, 1, 0, 0, 0, 0, cds.VietnamTZ),
	RouteWait:    15 * time.Second,
}

// settings are the handler's settings, each zero field taken from the defaults.
func (s *Handler) settings() Settings {
	o, d := s.Settings, defaultSettings
	if o.Jurisdiction == "" {
		o.Jurisdiction = d.Jurisdiction
	}
	if o.Contact == "" {
		o.Contact = d.Contact
	}
	if o.KeyService == "" {
		o.KeyService = d.KeyService
	}
	if o.Changeset.IsZero() {
		o.Changeset = d.Changeset
	}
	if o.RouteWait <= 0 {
		o.RouteWait = d.RouteWait
	}
	return o
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

// Status maps a feedback status onto Open311's open/closed.
func Status(internal string) string {
	if open311ClosedSet[internal] {
		return "closed"
	}
	return "open"
}

// ExtendedStatus maps a feedback status onto a FixMyStreet extended status.
func ExtendedStatus(internal string) string {
	if st, ok := workflows.FeedbackStateOf(internal); ok && st.Open311 != "" {
		return st.Open311
	}
	return "OPEN"
}

// ---- shared checks ----

// open311Auth resolves an api_key. With required, a missing key is 403; a
// given key must be valid (403), within its rate limit (429) and, for act,
// allowed by policy for the client_app account.
func (s *Handler) open311Auth(c *gin.Context, format, key string, required bool, act string) (postgres.Open311Client, cds.Actor, bool) {
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
func (s *Handler) open311Jurisdiction(c *gin.Context, format, j string) bool {
	if j == "" || strings.EqualFold(j, s.settings().Jurisdiction) {
		return true
	}
	open311Fail(c, format, open311Err(http.StatusNotFound, "Không có jurisdiction_id "+j+".", "Unknown jurisdiction_id "+j+"."))
	return false
}
