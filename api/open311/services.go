package open311

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/postgres"
)

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

func (s *Handler) open311Discovery(c *gin.Context, format string) {
	cs := open311Time(s.settings().Changeset)
	doc := open311DiscoveryDoc{Changeset: cs, Contact: s.settings().Contact, KeyService: s.settings().KeyService,
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

func (s *Handler) open311Services(c *gin.Context, format string) {
	if !s.open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	svcs, err := s.DB.Open311Services(c.Request.Context())
	if err != nil {
		s.open311FailErr(c, format, err)
		return
	}
	// realtime: a POST answers with the service_request_id at once.
	open311RenderList(c, format, "services", "service", svcs, func(v postgres.Open311Service) open311ServiceOut {
		return open311ServiceOut{ServiceCode: v.Code, ServiceName: v.Name, Description: open311S(v.Description),
			Metadata: v.Attributes > 0, Type: "realtime", Keywords: open311S(v.Keywords), Group: open311S(v.Group)}
	})
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

func (s *Handler) open311ServiceDefinition(c *gin.Context) {
	code, format, ok := open311File(c, "service_code")
	if !ok {
		return
	}
	if !s.open311Jurisdiction(c, format, c.Query("jurisdiction_id")) {
		return
	}
	ctx := c.Request.Context()
	if _, err := s.DB.Open311ServiceByCode(ctx, code); err != nil {
		s.open311FailLookup(c, format, err, "Không có dịch vụ "+code+".", "Unknown service_code "+code+".")
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
