package notifications

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

var channelNames = map[string]string{"push": "Thông báo đẩy / Push", "zalo": "Zalo ZNS", "sms": "SMS", "email": "Thư điện tử / E-mail"}

var simTmpl = template.Must(template.New("sim").Funcs(template.FuncMap{
	"chan": func(c string) string { return channelNames[c] },
	"when": func(m postgres.SimMessage) string {
		return m.ReceivedAt.In(cds.VietnamTZ).Format("15:04:05 02/01/2006")
	},
}).Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hộp thư mô phỏng / Notification simulator</title>
<style>body{font-family:Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:.4rem;text-align:left;vertical-align:top}
a:focus{outline:3px solid #fd0}.repeat{color:#d4351c;font-weight:bold}</style></head>
<body><main><h1>Hộp thư mô phỏng / Notification simulator</h1>
<p><strong>Chỉ dùng để trình diễn và kiểm thử — không gửi tin thật.</strong> Mỗi dòng là một tin mà nhà cung cấp (FCM, Zalo, SMS, thư điện tử) lẽ ra đã chuyển tới người nhận. /
Demo and tests only: each row is what a provider would have delivered.</p>
{{if .To}}<p>Người nhận / Recipient: <strong>{{.To}}</strong> — <a href="/notifysim/">xem tất cả / show all</a></p>{{end}}
{{if not .Items}}<p>Chưa có tin nào. / Nothing received yet.</p>{{else}}
<table><thead><tr><th scope="col">Thời điểm / Time</th><th scope="col">Kênh / Channel</th><th scope="col">Người nhận / Recipient</th><th scope="col">Nội dung / Content</th></tr></thead><tbody>
{{range .Items}}<tr><td>{{when .}}</td><td>{{chan .Channel}}</td>
<td><a href="/notifysim/?to={{.Recipient}}">{{if .Person}}{{.Person}}{{else}}{{.Recipient}}{{end}}</a></td>
<td><strong>{{.Title}}</strong>{{if .Body}}<br>{{.Body}}{{end}}{{if .Repeat}}<br><span class="repeat">Gửi lặp lại (cùng mã yêu cầu) / Repeat of the same request key</span>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
</main></body></html>`))

// simPage shows what each person would have received, newest first.
func (h *Handler) simPage(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	to := c.Query("to")
	items, err := h.DB.SimMessages(c.Request.Context(), to, 200)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := simTmpl.Execute(c.Writer, gin.H{"To": to, "Items": items}); err != nil {
		_ = c.Error(err)
	}
}

// simList answers the same as JSON ({items}), for tests and tools: in demo
// mode this is where a one-time code sent by SMS can be read.
func (h *Handler) simList(c *gin.Context) {
	if !h.sim(c) {
		return
	}
	items, err := h.DB.SimMessages(c.Request.Context(), c.Query("to"), 500)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if items == nil {
		items = []postgres.SimMessage{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
