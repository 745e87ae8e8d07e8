// Package transparency serves the public accountability page and its JSON:
// per agency, the cases received and resolved over the last twelve months,
// the on-time rate, the median handling time in working hours and the
// citizens' satisfaction, computed from the shared read model and cached.
package transparency

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

//go:embed page.html
var pageFS embed.FS

var page = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"day": func(t time.Time) string { return t.In(cds.VietnamTZ).Format("02/01/2006") },
	"fmt": func(p *float64, scale float64, format string) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf(format, *p*scale)
	},
}).ParseFS(pageFS, "page.html"))

// CacheFor is how long the figures are kept before they are computed again.
const CacheFor = 10 * time.Minute

// Handler serves the public transparency routes.
type Handler struct {
	api.Deps
	mu   sync.Mutex
	at   time.Time
	last *Report
}

// Agency is one agency's figures (JSON field names are the API's).
type Agency struct {
	Code         string   `json:"agency_code"`
	Name         string   `json:"agency_name"`
	Received     int64    `json:"received"`
	Resolved     int64    `json:"resolved"`
	OnTimeRate   *float64 `json:"on_time_rate"`         // 0..1; null without resolved cases with a due time
	MedianHours  *float64 `json:"median_working_hours"` // null without resolved cases
	Satisfaction *float64 `json:"satisfaction"`         // mean rating 1..5; null without ratings
	Ratings      int64    `json:"ratings"`
	Reopened     int64    `json:"reopened"` // feedback reopened in the period after the citizen's complaint
}

// Report is the page's data: a period and the agencies.
type Report struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	ComputedAt time.Time `json:"computed_at"`
	Agencies   []Agency  `json:"agencies"`
}

// Register adds the routes.
func (s *Handler) Register(r *api.Server) {
	r.Handle(http.MethodGet, "/minh-bach", api.Public, s.htmlPage)
	r.Handle(http.MethodGet, "/api/v1/public/transparency", api.Public, s.all)
	r.Handle(http.MethodGet, "/api/v1/public/transparency/:agency", api.Public, s.one)
}

func round(x float64, d int) float64 { p := math.Pow(10, float64(d)); return math.Round(x*p) / p }

// report computes the last twelve months, at most once per CacheFor.
func (s *Handler) report(c *gin.Context) (*Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last != nil && time.Since(s.at) < CacheFor {
		return s.last, nil
	}
	to := time.Now()
	from := to.AddDate(-1, 0, 0)
	rows, err := s.DB.Transparency(c.Request.Context(), from, to)
	if err != nil {
		return nil, err
	}
	rep := &Report{From: from, To: to, ComputedAt: to, Agencies: []Agency{}}
	for _, r := range rows {
		a := Agency{Code: r.Code, Name: r.Name, Received: r.Received, Resolved: r.Resolved, Ratings: r.Rated, Reopened: r.Reopened}
		if r.Timed > 0 {
			v := round(float64(r.OnTime)/float64(r.Timed), 3)
			a.OnTimeRate = &v
		}
		if r.MedianHours != nil {
			v := round(*r.MedianHours, 1)
			a.MedianHours = &v
		}
		if r.Rated > 0 {
			v := round(float64(r.RatingSum)/float64(r.Rated), 2)
			a.Satisfaction = &v
		}
		rep.Agencies = append(rep.Agencies, a)
	}
	s.last, s.at = rep, to
	return rep, nil
}

func (s *Handler) all(c *gin.Context) {
	rep, err := s.report(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=600")
	c.JSON(http.StatusOK, rep)
}

func (s *Handler) one(c *gin.Context) {
	rep, err := s.report(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	code := c.Param("agency")
	for _, a := range rep.Agencies {
		if a.Code == code {
			c.Header("Cache-Control", "public, max-age=600")
			c.JSON(http.StatusOK, gin.H{"from": rep.From, "to": rep.To, "computed_at": rep.ComputedAt, "agency": a})
			return
		}
	}
	if ok, err := s.DB.AgencyExists(c.Request.Context(), code); err != nil {
		api.WriteError(c, err)
		return
	} else if !ok {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không có cơ quan này.", "No such agency."))
		return
	}
	// An agency without cases in the period: zeros, no rates.
	c.JSON(http.StatusOK, gin.H{"from": rep.From, "to": rep.To, "computed_at": rep.ComputedAt, "agency": Agency{Code: code}})
}

func (s *Handler) htmlPage(c *gin.Context) {
	rep, err := s.report(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, rep); err != nil {
		api.WriteError(c, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	c.Header("Cache-Control", "public, max-age=600")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
