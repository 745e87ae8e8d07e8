package content

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The camera stream is proxied: a signed link serves the camera's HLS
// playlist with every URI in it (variant playlists, segments, keys, init
// sections) rewritten to a link of this same route that carries the
// upstream URL sealed (AES-GCM under a key derived from the stream key, the
// camera ID and the link's expiry as associated data). Each request opens
// its seal or checks the link's HMAC, so a segment link works only for its
// camera and only until the link expires, and no answer ever names the
// upstream host (RFC 8216 §4.1 URI lines, §4.3 URI attributes).

const (
	maxPlaylistBytes = 1 << 20
	maxSegmentBytes  = 64 << 20
)

// cameraClient fetches from the cameras' HLS servers.
var cameraClient = &http.Client{Timeout: 20 * time.Second}

// uriAttr is a quoted URI attribute of a playlist tag (EXT-X-KEY, EXT-X-MAP,
// EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF…).
var uriAttr = regexp.MustCompile(`URI="([^"]*)"`)

func (s *Handler) sealKey() cipher.AEAD {
	m := hmac.New(sha256.New, s.cameraKey())
	m.Write([]byte("congdanso/camera-proxy/v1"))
	block, _ := aes.NewCipher(m.Sum(nil)) // 32 bytes: AES-256, never fails
	gcm, _ := cipher.NewGCM(block)
	return gcm
}

func proxyAAD(id, exp int64) []byte {
	return []byte("camera:" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(exp, 10))
}

// sealURL hides an upstream URL in a link bound to camera id and exp.
func (s *Handler) sealURL(id, exp int64, u string) string {
	g := s.sealKey()
	nonce := make([]byte, g.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(u), proxyAAD(id, exp)))
}

// openURL returns the upstream URL of a sealed link, or false when the seal
// is not this server's, or was made for another camera or expiry.
func (s *Handler) openURL(id, exp int64, sealed string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	g := s.sealKey()
	if err != nil || len(b) < g.NonceSize()+g.Overhead() {
		return "", false
	}
	u, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], proxyAAD(id, exp))
	return string(u), err == nil
}

func badCameraLink() *cds.Error {
	return cds.Errorf(cds.EFORBIDDEN, "Liên kết xem camera không hợp lệ.", "Invalid camera link.")
}

func cameraDown() *cds.Error {
	return cds.Errorf(cds.EUNAVAILABLE, "Camera tạm thời không xem được, vui lòng thử lại sau.", "The camera stream is unavailable; retry later.")
}

// cameraStream serves the playlist of a signed link (exp, sig) or a
// resource of it (exp, r).
func (s *Handler) cameraStream(c *gin.Context) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return
	}
	exp, err := strconv.ParseInt(c.Query("exp"), 10, 64)
	if err != nil {
		api.WriteError(c, badCameraLink())
		return
	}
	target := ""
	if sealed := c.Query("r"); sealed != "" {
		if target, ok = s.openURL(id, exp, sealed); !ok {
			api.WriteError(c, badCameraLink())
			return
		}
	} else if sig := c.Query("sig"); sig == "" || !hmac.Equal([]byte(sig), []byte(SignCameraStream(s.cameraKey(), id, exp))) {
		api.WriteError(c, badCameraLink())
		return
	}
	if time.Now().Unix() > exp {
		api.WriteError(c, cds.Errorf(cds.EFORBIDDEN, "Liên kết xem camera đã hết hạn, vui lòng mở lại camera.", "The camera link has expired; open the camera again."))
		return
	}
	cam, err := s.DB.CameraByID(c.Request.Context(), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if cam.Status == postgres.CameraMaintenance || cam.HLSURL == "" {
		api.WriteError(c, cds.Errorf(cds.EUNAVAILABLE, "Camera đang bảo trì.", "The camera is under maintenance."))
		return
	}
	if target == "" {
		target = cam.HLSURL
	}
	s.relay(c, id, exp, target)
}

// relay fetches target and answers with it: a playlist rewritten, anything
// else as is. Upstream headers are not passed on.
func (s *Handler) relay(c *gin.Context, id, exp int64, target string) {
	req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, target, nil)
	if err != nil {
		api.WriteError(c, badCameraLink())
		return
	}
	resp, err := cameraClient.Do(req)
	if err != nil {
		api.WriteError(c, cameraDown())
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		api.WriteError(c, cameraDown())
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	ctype := resp.Header.Get("Content-Type")
	head := bufio.NewReader(io.LimitReader(resp.Body, maxSegmentBytes))
	if peek, _ := head.Peek(7); string(peek) == "#EXTM3U" {
		body, err := io.ReadAll(io.LimitReader(head, maxPlaylistBytes+1))
		if err != nil || len(body) > maxPlaylistBytes {
			api.WriteError(c, cameraDown())
			return
		}
		out, err := s.rewritePlaylist(body, resp.Request.URL, id, exp)
		if err != nil {
			api.WriteError(c, cameraDown())
			return
		}
		c.Data(http.StatusOK, "application/vnd.apple.mpegurl", out)
		return
	}
	if ctype == "" || strings.Contains(strings.ToLower(ctype), "html") {
		ctype = "application/octet-stream"
	}
	c.DataFromReader(http.StatusOK, -1, ctype, head, nil)
}

// rewritePlaylist points every URI of an HLS playlist at this route.
func (s *Handler) rewritePlaylist(body []byte, base *url.URL, id, exp int64) ([]byte, error) {
	var bad error
	link := func(ref string) string {
		u, err := base.Parse(strings.TrimSpace(ref))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			bad = errors.New("camera: unusable URI in playlist")
			return ""
		}
		return "/api/v1/cameras/" + strconv.FormatInt(id, 10) + "/stream?exp=" + strconv.FormatInt(exp, 10) +
			"&r=" + s.sealURL(id, exp, u.String())
	}
	var out bytes.Buffer
	for _, line := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "#"):
			line = uriAttr.ReplaceAllStringFunc(line, func(m string) string {
				return `URI="` + link(uriAttr.FindStringSubmatch(m)[1]) + `"`
			})
		default:
			line = link(line)
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return append(bytes.TrimRight(out.Bytes(), "\n"), '\n'), bad
}
