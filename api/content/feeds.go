package content

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

func (s *Handler) registerFeeds(r *api.Server) {
	r.Handle(http.MethodGet, "/feeds/news.atom", api.Public, s.newsAtom)
}

// The Atom 1.0 elements (RFC 4287) the feed uses. Every feed and entry has
// the required id, title and updated; entries also carry a link, published,
// author, category and the sanitised HTML content.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Icon     string      `xml:"icon,omitempty"`
	Rights   string      `xml:"rights,omitempty"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
}

func atomTime(t time.Time) string { return t.In(time.UTC).Format(time.RFC3339) }

// newsAtom serves the latest 50 public articles as Atom 1.0.
func (s *Handler) newsAtom(c *gin.Context) {
	ctx := c.Request.Context()
	items, _, err := s.DB.ListNews(ctx, postgres.NewsFilter{Limit: 50, Category: c.Query("category")})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	lm, err := s.DB.NewsLastModified(ctx)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	base := strings.TrimRight(s.Config.PublicBaseURL, "/")
	labels := map[string]string{}
	for _, cat := range NewsCategories {
		labels[cat.Code] = cat.Name
	}
	feed := atomFeed{
		Lang:     "vi",
		ID:       "tag:congdanso.caobang.gov.vn,2024:news",
		Title:    "Tin tức – Công dân số Cao Bằng",
		Subtitle: "Thông tin, hoạt động của tỉnh Cao Bằng / News of Cao Bằng province",
		Updated:  atomTime(lm),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/feeds/news.atom"},
			{Rel: "alternate", Type: "application/json", Href: base + "/api/v1/news"},
		},
		Author: atomPerson{Name: "Ủy ban nhân dân tỉnh Cao Bằng", URI: base},
		Rights: "© Ủy ban nhân dân tỉnh Cao Bằng",
	}
	for _, n := range items {
		e := atomEntry{
			// A tag URI (RFC 4151) stays the same when the public host changes.
			ID:         "tag:congdanso.caobang.gov.vn,2024:news/" + strconv.FormatInt(n.ID, 10),
			Title:      n.Title,
			Updated:    atomTime(n.UpdatedAt),
			Published:  atomTime(*n.PublishAt),
			Links:      []atomLink{{Rel: "alternate", Type: "application/json", Href: base + "/api/v1/news/" + n.Slug}},
			Author:     atomPerson{Name: n.AgencyName},
			Categories: []atomCategory{{Term: n.Category, Label: labels[n.Category]}},
			Content:    atomText{Type: "html", Body: n.BodyHTML},
		}
		if n.PublishAt.After(n.UpdatedAt) {
			e.Updated = e.Published // a scheduled article is "updated" when it goes live
		}
		for _, t := range n.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		if n.Summary != "" {
			e.Summary = &atomText{Type: "text", Body: n.Summary}
		}
		feed.Entries = append(feed.Entries, e)
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	writeCached(c, lm, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), out...))
}
