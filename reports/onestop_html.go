package reports

import (
	"bytes"
	"html/template"
	"time"
)

// The printable HTML of the two forms: A4, Times New Roman, the same header
// block and columns as the workbooks, signature space in each row.
var onestopTmpl = template.Must(template.New("onestop").Funcs(template.FuncMap{
	"t": HandOffTime, "due": dueText, "day": dayText, "label": TimelinessLabel, "handoff": handOffLabel,
	"placeDate": PlaceDate, "hours": HoursText, "splitTitle": func() string { return SplitTitle }, "inc": func(i int) int { return i + 1 },
	"dayv": func(t time.Time) string { return dayText(&t) },
}).Parse(`{{define "head"}}<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
@page { size: A4 landscape; margin: 15mm; }
body { font-family: "Times New Roman", serif; font-size: 13pt; }
.top { display: flex; justify-content: space-between; text-align: center; }
.top div { width: 45%; } .b { font-weight: bold; } .i { font-style: italic; }
h1 { text-align: center; font-size: 15pt; margin: 18px 0 4px; }
table { border-collapse: collapse; width: 100%; margin-top: 10px; }
th, td { border: 1px solid #000; padding: 4px; vertical-align: top; white-space: pre-line; }
th { font-weight: bold; text-align: center; }
td.sign { height: 70px; }
thead { display: table-header-group; }
</style></head><body>
<div class="top"><div>{{.Issuer.Superior}}<br><span class="b">{{.Issuer.Name}}</span></div>
<div><span class="b">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</span><br><span class="b">Độc lập - Tự do - Hạnh phúc</span><br><br><span class="i">{{placeDate .At}}</span></div></div>
<h1>{{.Title}}</h1>{{end}}
{{define "control"}}{{template "head" .}}{{with .Sheet}}
<p style="text-align:center">Mã hồ sơ: <b>{{.Code}}</b><br><i>(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)</i></p>
<p>Thủ tục: {{.ProcedureName}}<br>Cơ quan (bộ phận) giải quyết hồ sơ: {{.MainAgency}}<br>
Cơ quan phối hợp giải quyết hồ sơ: {{range $i, $a := .CoAgencies}}{{if $i}}; {{end}}{{$a}}{{end}}<br>
Nhận hồ sơ: {{t .ReceivedAt}}; hẹn trả kết quả: {{due .DueAt}}</p>
<table><thead><tr><th>TÊN CƠ QUAN / BƯỚC XỬ LÝ</th><th>THỜI GIAN GIAO, NHẬN HỒ SƠ</th><th>NGƯỜI GIAO<br>(ký, ghi rõ họ tên)</th>
<th>NGƯỜI NHẬN<br>(ký, ghi rõ họ tên)</th><th>HẠN CỦA BƯỚC</th><th>KẾT QUẢ GIẢI QUYẾT HỒ SƠ<br>(Trước hạn/Đúng hạn/Quá hạn)</th><th>GHI CHÚ</th></tr></thead><tbody>
{{range $i, $h := .Rows}}<tr><td>{{handoff $i $h}}</td><td>{{t $h.At}}</td><td class="sign">{{$h.SenderName}}</td><td class="sign">{{$h.ReceiverName}}</td>
<td>{{due $h.StepDue}}</td><td>{{label $h.Timeliness}}</td><td>{{$h.Note}}</td></tr>
{{end}}</tbody></table>
{{if .Split}}<h2 style="font-size:13pt">{{splitTitle}}</h2><table><thead><tr><th>CƠ QUAN</th><th>PHẦN VIỆC</th><th>THỜI HẠN (giờ làm việc)</th><th>THỜI GIAN ĐÃ DÙNG (giờ làm việc)</th></tr></thead><tbody>
{{range .Split}}<tr><td>{{.Agency}}</td><td>{{.Part}}</td><td>{{hours .BudgetHours}}</td><td>{{hours .UsedHours}}</td></tr>
{{end}}</tbody></table>{{end}}{{end}}</body></html>{{end}}
{{define "book"}}{{template "head" .}}{{with .Book}}
<p style="text-align:center">Bộ phận: {{.Desk}} — từ ngày {{dayv .From}} đến ngày {{dayv .To}}</p>
<table><thead><tr><th rowspan="2">STT</th><th rowspan="2">Mã hồ sơ</th><th rowspan="2">Tên thủ tục hành chính</th><th rowspan="2">Số lượng hồ sơ (bộ)</th>
<th rowspan="2">Tên cá nhân, tổ chức</th><th rowspan="2">Địa chỉ, số điện thoại</th><th rowspan="2">Cơ quan chủ trì giải quyết</th>
<th colspan="5">Ngày, tháng, năm</th><th rowspan="2">Ký nhận</th><th rowspan="2">Ghi chú</th></tr>
<tr><th>Nhận hồ sơ</th><th>Hẹn trả kết quả</th><th>Chuyển hồ sơ đến cơ quan giải quyết</th><th>Nhận kết quả từ cơ quan giải quyết</th><th>Trả kết quả cho cá nhân, tổ chức</th></tr></thead><tbody>
{{range $i, $e := .Entries}}<tr><td>{{inc $i}}</td><td>{{$e.Code}}</td><td>{{$e.ProcedureName}}</td><td>{{$e.Sets}}</td><td>{{$e.Applicant}}</td>
<td>{{$e.AddressPhone}}</td><td>{{$e.MainAgency}}</td><td>{{dayv $e.ReceivedAt}}</td><td>{{day $e.DueAt}}</td><td>{{day $e.SentToProcessing}}</td>
<td>{{day $e.ResultFromProcessing}}</td><td>{{day $e.ReturnedAt}}</td><td class="sign"></td><td>{{$e.Note}}</td></tr>
{{end}}</tbody></table>{{end}}</body></html>{{end}}`))

// ControlSheetHTML renders Mẫu số 05 as a printable page.
func ControlSheetHTML(in ControlSheet) ([]byte, error) {
	var b bytes.Buffer
	err := onestopTmpl.ExecuteTemplate(&b, "control", map[string]any{"Title": ControlSheetTitle, "Issuer": in.Issuer, "At": in.At, "Sheet": in})
	return b.Bytes(), err
}

// TrackingBookHTML renders Mẫu số 06 as a printable page.
func TrackingBookHTML(in TrackingBook) ([]byte, error) {
	var b bytes.Buffer
	err := onestopTmpl.ExecuteTemplate(&b, "book", map[string]any{"Title": TrackingBookTitle, "Issuer": in.Issuer, "At": in.At, "Book": in})
	return b.Bytes(), err
}
