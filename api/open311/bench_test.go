package open311

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// benchRequests is a page of 100 service requests, the size GET
// requests.{fmt} answers with page_size=100.
func benchRequests() []open311RequestOut {
	out := make([]open311RequestOut, 100)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = open311RequestOut{
			ServiceRequestID: fmt.Sprintf("PA-2026-%06d", i+1), Status: "open", ServiceCode: "traffic",
			ServiceName: open311S("Giao thông"), Description: open311S("Ổ gà lớn trên đường Hoàng Đình Giong, nguy hiểm cho xe máy."),
			AgencyResponsible: open311S("Sở Xây dựng"), RequestedDatetime: open311Time(now),
			UpdatedDatetime: open311S(open311Time(now.Add(time.Hour))), Address: open311S("12 Hoàng Đình Giong, Thục Phán"),
		}
	}
	return out
}

// BenchmarkOpen311Encode measures rendering a 100-request page in each format.
func BenchmarkOpen311Encode(b *testing.B) {
	gin.SetMode(gin.TestMode)
	page := benchRequests()
	for _, format := range []string{"json", "xml"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				c, _ := gin.CreateTestContext(w)
				open311Render(c, format, 200, "service_requests", "request", page)
				if w.Code != 200 || w.Body.Len() < 10000 {
					b.Fatalf("%s: %d, %d bytes", format, w.Code, w.Body.Len())
				}
			}
		})
	}
}
