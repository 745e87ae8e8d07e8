package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/content"
	"github.com/caobang/congdanso/postgres"
)

// Cameras for editors: list, add, edit, through the content package's
// operations (the same as /api/v1/cameras…). The stream URLs are the
// operator's secrets; only this screen and the operator API show them.

type camerasView struct {
	Items []postgres.Camera
}

type cameraFormView struct {
	ID       int64
	Body     content.CameraBody
	Lat, Lng string
	Areas    []option
	Statuses []option
	Visibles []option
}

func (s contentPages) consoleCameras(c *gin.Context) {
	list, err := s.DB.Cameras(c.Request.Context(), "", []string{postgres.VisibilityPublic, postgres.VisibilitySignedIn, postgres.VisibilityStaff})
	if err != nil {
		s.consoleError(c, err)
		return
	}
	s.renderConsole(c, http.StatusOK, "cameras", consolePage{Title: "Camera giao thông", Nav: "cameras", Data: camerasView{Items: list}})
}

func (s contentPages) cameraForm(c *gin.Context, id int64, b content.CameraBody) cameraFormView {
	v := cameraFormView{ID: id, Body: b,
		Statuses: []option{{postgres.CameraOnline, "Đang hoạt động"}, {postgres.CameraOffline, "Mất tín hiệu"}, {postgres.CameraMaintenance, "Đang bảo trì"}},
		Visibles: []option{{postgres.VisibilityPublic, "Công khai cho mọi người"}, {postgres.VisibilitySignedIn, "Người đã đăng nhập"}, {postgres.VisibilityStaff, "Chỉ cán bộ"}}}
	if b.Lat != nil && b.Lng != nil {
		v.Lat, v.Lng = strconv.FormatFloat(*b.Lat, 'f', -1, 64), strconv.FormatFloat(*b.Lng, 'f', -1, 64)
	}
	v.Areas = []option{{"", "Chọn xã, phường"}}
	if ags, err := s.DB.Agencies(c.Request.Context()); err == nil {
		for _, a := range ags {
			if a.Type == "commune" {
				v.Areas = append(v.Areas, option{a.Code, a.Name})
			}
		}
	}
	return v
}

func (s contentPages) consoleCameraNew(c *gin.Context) {
	b := content.CameraBody{Status: postgres.CameraOnline, Visibility: postgres.VisibilityPublic}
	s.renderConsole(c, http.StatusOK, "camera_form", consolePage{Title: "Thêm camera", Nav: "cameras", Data: s.cameraForm(c, 0, b)})
}

func (s contentPages) consoleCameraEdit(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c, "Không tìm thấy camera")
		return
	}
	cam, err := s.DB.CameraByID(c.Request.Context(), id)
	if err != nil {
		s.consoleError(c, err)
		return
	}
	b := content.CameraBody{Name: cam.Name, AreaCode: cam.AreaCode, Lat: cam.Lat, Lng: cam.Lng, HLSURL: cam.HLSURL, RTSPURL: cam.RTSPURL,
		Status: cam.Status, Visibility: cam.Visibility}
	s.renderConsole(c, http.StatusOK, "camera_form", consolePage{Title: cam.Name, Nav: "cameras", Data: s.cameraForm(c, id, b)})
}

// consoleCameraSave adds (no :id) or updates a camera.
func (s contentPages) consoleCameraSave(c *gin.Context) {
	var id int64
	if p := c.Param("id"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			s.notFound(c, "Không tìm thấy camera")
			return
		}
		id = n
	}
	b := content.CameraBody{Name: c.PostForm("name"), AreaCode: c.PostForm("area_code"), HLSURL: strings.TrimSpace(c.PostForm("hls_url")),
		RTSPURL: strings.TrimSpace(c.PostForm("rtsp_url")), Status: c.PostForm("status"), Visibility: c.PostForm("visibility")}
	v := s.cameraForm(c, id, b)
	v.Lat, v.Lng = strings.TrimSpace(c.PostForm("lat")), strings.TrimSpace(c.PostForm("lng"))
	title := "Thêm camera"
	if id != 0 {
		title = "Sửa camera"
	}
	render := func(errs []fieldError) {
		s.renderConsole(c, http.StatusBadRequest, "camera_form", consolePage{Title: title, Nav: "cameras", Data: v, Errors: errs})
	}
	if v.Lat != "" || v.Lng != "" {
		lat, err1 := strconv.ParseFloat(strings.ReplaceAll(v.Lat, ",", "."), 64)
		lng, err2 := strconv.ParseFloat(strings.ReplaceAll(v.Lng, ",", "."), 64)
		if err1 != nil || err2 != nil {
			render([]fieldError{{"lat", "Nhập vĩ độ và kinh độ dạng số, ví dụ 22.6657 và 106.2577. / Enter latitude and longitude as numbers."}})
			return
		}
		b.Lat, b.Lng = &lat, &lng
	}
	a, ctx := api.Actor(c), c.Request.Context()
	var cam postgres.Camera
	var err error
	if id == 0 {
		cam, err = s.Content.CreateCamera(ctx, a, b, c.PostForm(idemField))
	} else {
		cam, err = s.Content.UpdateCamera(ctx, a, id, b)
	}
	if err != nil {
		s.formError(c, err, "name", render)
		return
	}
	setFlash(c, "Đã lưu camera \""+cam.Name+"\". / Camera saved.")
	c.Redirect(http.StatusSeeOther, "/console/cameras")
}
