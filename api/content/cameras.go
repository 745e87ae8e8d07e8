package content

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

func (s *Handler) registerCameras(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/cameras", api.Public, s.listCameras)
	r.Handle(http.MethodGet, "/api/v1/cameras/:id", api.Public, s.getCamera)
	// The signature in the query is the authorisation: the link works for
	// whoever holds it, but only until exp. The stream is proxied
	// (cameras_proxy.go): the upstream URL is never shown.
	r.Handle(http.MethodGet, "/api/v1/cameras/:id/stream", api.Public, s.cameraStream)
	r.Handle(http.MethodPost, "/api/v1/cameras", api.Can("cameras", "manage"), s.createCamera)
	r.Handle(http.MethodPut, "/api/v1/cameras/:id", api.Can("cameras", "manage"), s.updateCamera)
	r.Handle(http.MethodDelete, "/api/v1/cameras/:id", api.Can("cameras", "manage"), s.deleteCamera)
}

// cameraStreamTTL is how long a signed stream link works. Short, so a link
// copied out of the app stops working; the app asks for a fresh one by
// listing again. Config.CameraStreamTTL overrides it.
const cameraStreamTTL = 5 * time.Minute

func (s *Handler) cameraTTL() time.Duration {
	if d := s.Content.CameraStreamTTL; d > 0 {
		return d
	}
	return cameraStreamTTL
}

// cameraKey derives the stream-signing key from the token secret, so the
// same bytes never sign two kinds of things.
func (s *Handler) cameraKey() []byte {
	if len(s.Content.CameraStreamKey) > 0 {
		return s.Content.CameraStreamKey
	}
	m := hmac.New(sha256.New, s.Config.TokenSecret)
	m.Write([]byte("congdanso/camera-stream/v1"))
	return m.Sum(nil)
}

// SignCameraStream returns the signature of a stream link for camera id
// valid until exp (Unix seconds): HMAC-SHA256, base64url.
func SignCameraStream(key []byte, id, exp int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("camera:" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cameraView is a camera as one caller sees it.
type cameraView struct {
	postgres.Camera
	StreamURL       *string    `json:"stream_url"`
	StreamExpiresAt *time.Time `json:"stream_expires_at,omitempty"`
	// Operators only: the real URLs and the last check error.
	HLSURL    string `json:"hls_url,omitempty"`
	RTSPURL   string `json:"rtsp_url,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

// cameraVisibilities lists what the caller may see: anyone sees public
// cameras, signed-in accounts also signed_in ones, staff everything.
func cameraVisibilities(c *gin.Context) []string {
	v, ok := api.SignedInActor(c)
	if !ok {
		return []string{postgres.VisibilityPublic}
	}
	if v.IsStaff() {
		return []string{postgres.VisibilityPublic, postgres.VisibilitySignedIn, postgres.VisibilityStaff}
	}
	return []string{postgres.VisibilityPublic, postgres.VisibilitySignedIn}
}

func (s *Handler) isCameraOperator(c *gin.Context) bool {
	v, ok := api.SignedInActor(c)
	if !ok {
		return false
	}
	allowed, err := s.Authz.Allowed(c.Request.Context(), v, "", "cameras", "manage")
	return err == nil && allowed
}

func (s *Handler) viewCamera(cam postgres.Camera, operator bool, now time.Time) cameraView {
	v := cameraView{Camera: cam}
	if cam.HLSURL != "" && cam.Status != postgres.CameraMaintenance {
		exp := now.Add(s.cameraTTL()).Truncate(time.Second)
		u := strings.TrimRight(s.Config.PublicBaseURL, "/") + "/api/v1/cameras/" + strconv.FormatInt(cam.ID, 10) +
			"/stream?exp=" + strconv.FormatInt(exp.Unix(), 10) + "&sig=" + SignCameraStream(s.cameraKey(), cam.ID, exp.Unix())
		v.StreamURL, v.StreamExpiresAt = &u, &exp
	}
	if operator {
		v.HLSURL, v.RTSPURL, v.LastError = cam.HLSURL, cam.RTSPURL, cam.LastError
	}
	return v
}

func (s *Handler) listCameras(c *gin.Context) {
	list, err := s.DB.Cameras(c.Request.Context(), c.Query("area"), cameraVisibilities(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	op, now := s.isCameraOperator(c), time.Now()
	items := make([]cameraView, 0, len(list))
	for _, cam := range list {
		items = append(items, s.viewCamera(cam, op, now))
	}
	// Signed links inside: never cache in shared caches.
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

// visibleCamera loads :id and hides (404) a camera the caller may not see.
func (s *Handler) visibleCamera(c *gin.Context) (postgres.Camera, bool) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return postgres.Camera{}, false
	}
	cam, err := s.DB.CameraByID(c.Request.Context(), id)
	if err == nil {
		for _, v := range cameraVisibilities(c) {
			if v == cam.Visibility {
				return cam, true
			}
		}
		err = cds.Errorf(cds.ENOTFOUND, "Không tìm thấy camera.", "Camera not found.")
	}
	api.WriteError(c, err)
	return cam, false
}

func (s *Handler) getCamera(c *gin.Context) {
	cam, ok := s.visibleCamera(c)
	if !ok {
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, s.viewCamera(cam, s.isCameraOperator(c), time.Now()))
}

// CameraBody is what operators write (JSON API and console form).
type CameraBody struct {
	Name       string   `json:"name"`
	AreaCode   string   `json:"area_code"`
	Lat        *float64 `json:"lat"`
	Lng        *float64 `json:"lng"`
	HLSURL     string   `json:"hls_url"`
	RTSPURL    string   `json:"rtsp_url"`
	Status     string   `json:"status"`
	Visibility string   `json:"visibility"`
}

func (s *Handler) cameraFromBody(ctx context.Context, b CameraBody) (postgres.Camera, error) {
	v := cds.Errorf(cds.EINVALID, "Thông tin camera chưa hợp lệ.", "The camera is not valid.")
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" || utf8.RuneCountInString(b.Name) > 200 {
		v.WithField("name", "Bắt buộc, tối đa 200 ký tự / required, at most 200 characters")
	}
	if b.AreaCode == "" {
		v.WithField("area_code", "Bắt buộc / required")
	} else if _, err := s.DB.DirectoryEntryByCode(ctx, b.AreaCode); err != nil {
		if cds.ErrorCode(err) != cds.ENOTFOUND {
			return postgres.Camera{}, err
		}
		v.WithField("area_code", "Không có đơn vị này / no such area")
	}
	if (b.Lat == nil) != (b.Lng == nil) || (b.Lat != nil && (*b.Lat < -90 || *b.Lat > 90 || *b.Lng < -180 || *b.Lng > 180)) {
		v.WithField("lat", "Tọa độ không hợp lệ / invalid coordinates")
	}
	if b.HLSURL != "" && !validURL(b.HLSURL, "http", "https") {
		v.WithField("hls_url", "Phải là URL http(s) / must be an http(s) URL")
	}
	if b.RTSPURL != "" && !validURL(b.RTSPURL, "rtsp", "rtsps") {
		v.WithField("rtsp_url", "Phải là URL rtsp:// / must be an rtsp URL")
	}
	if b.Status == "" {
		b.Status = postgres.CameraOnline
	}
	switch b.Status {
	case postgres.CameraOnline, postgres.CameraOffline, postgres.CameraMaintenance:
	default:
		v.WithField("status", "online|offline|maintenance")
	}
	if b.Visibility == "" {
		b.Visibility = postgres.VisibilityPublic
	}
	switch b.Visibility {
	case postgres.VisibilityPublic, postgres.VisibilitySignedIn, postgres.VisibilityStaff:
	default:
		v.WithField("visibility", "public|signed_in|staff")
	}
	if len(v.Fields) > 0 {
		return postgres.Camera{}, v
	}
	return postgres.Camera{Name: b.Name, AreaCode: b.AreaCode, Lat: b.Lat, Lng: b.Lng, HLSURL: b.HLSURL, RTSPURL: b.RTSPURL,
		Status: b.Status, Visibility: b.Visibility}, nil
}

func validURL(raw string, schemes ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(raw) > 2000 {
		return false
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return true
		}
	}
	return false
}

func (s *Handler) createCamera(c *gin.Context) {
	var b CameraBody
	if !api.BindJSON(c, &b) {
		return
	}
	cam, err := s.CreateCamera(c.Request.Context(), api.Actor(c), b, c.GetHeader("Idempotency-Key"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.viewCamera(cam, true, time.Now()))
}

func (s *Handler) updateCamera(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	var b CameraBody
	if !api.BindJSON(c, &b) {
		return
	}
	cam, err := s.UpdateCamera(c.Request.Context(), api.Actor(c), id, b)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewCamera(cam, true, time.Now()))
}

func (s *Handler) deleteCamera(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.DB.DeleteCamera(c.Request.Context(), id); err != nil {
		api.WriteError(c, err)
		return
	}
	_ = s.DB.Audit(c.Request.Context(), api.ActorID(c), "camera.delete", "camera", strconv.FormatInt(id, 10), nil)
	c.Status(http.StatusNoContent)
}
