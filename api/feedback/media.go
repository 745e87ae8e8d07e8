package feedback

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"golang.org/x/image/webp"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// MaxMediaBytes is the largest accepted photo.
const MaxMediaBytes = 10 << 20

// maxPixels bounds decoding work (a small file can claim a huge canvas).
const maxPixels = 50_000_000

const mediaPath = "/api/v1/media"

func (s *Handler) registerMedia(r *api.Server) {
	r.HandleUpload(http.MethodPost, mediaPath, api.SignedIn, s.uploadMedia)
	r.Handle(http.MethodGet, mediaPath+"/:id", api.Public, s.getMedia)
}

func unsupportedImage() *cds.Error {
	return cds.Errorf(cds.EUNSUPPORTED, "Chỉ nhận ảnh JPEG, PNG hoặc WebP hợp lệ.", "Only valid JPEG, PNG or WebP images are accepted.")
}

// sniffImage decides the type by content: the magic bytes, a full decode, and
// the container's own end marker, so a file with a fake extension, a
// truncated image or a polyglot (an image with an archive or script appended)
// is refused.
func sniffImage(b []byte) (contentType, ext string, err error) {
	var decode func(io.Reader) (image.Image, error)
	var config func(io.Reader) (image.Config, error)
	switch {
	case len(b) > 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		contentType, ext, decode, config = "image/jpeg", ".jpg", jpeg.Decode, jpeg.DecodeConfig
		end := bytes.TrimRight(b, "\x00\r\n")
		if len(end) < 2 || end[len(end)-2] != 0xFF || end[len(end)-1] != 0xD9 {
			return "", "", unsupportedImage()
		}
	case len(b) > 8 && bytes.Equal(b[:8], []byte("\x89PNG\r\n\x1a\n")):
		contentType, ext, decode, config = "image/png", ".png", png.Decode, png.DecodeConfig
		if !bytes.HasSuffix(b, []byte("\x00\x00\x00\x00IEND\xaeB`\x82")) {
			return "", "", unsupportedImage()
		}
	case len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		contentType, ext, decode, config = "image/webp", ".webp", webp.Decode, webp.DecodeConfig
		if int(binary.LittleEndian.Uint32(b[4:8])) != len(b)-8 {
			return "", "", unsupportedImage()
		}
	default:
		return "", "", unsupportedImage()
	}
	cfg, err := config(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return "", "", unsupportedImage()
	}
	if _, err := decode(bytes.NewReader(b)); err != nil {
		return "", "", unsupportedImage()
	}
	lower := bytes.ToLower(b)
	for _, bad := range []string{"<script", "<?php", "<html", "<svg"} {
		if bytes.Contains(lower, []byte(bad)) {
			return "", "", unsupportedImage()
		}
	}
	return contentType, ext, nil
}

func (s *Handler) uploadMedia(c *gin.Context) {
	// The multipart envelope adds a little to the file itself.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxMediaBytes+64<<10)
	fh, err := c.FormFile("file")
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			api.WriteError(c, cds.Errorf(cds.ETOOLARGE, "Ảnh vượt quá 10 MB.", "The image is larger than 10 MB."))
			return
		}
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Thiếu tệp ảnh (trường file).", "The multipart field \"file\" is missing.").WithField("file", "required"))
		return
	}
	if fh.Size > MaxMediaBytes {
		api.WriteError(c, cds.Errorf(cds.ETOOLARGE, "Ảnh vượt quá 10 MB.", "The image is larger than 10 MB."))
		return
	}
	f, err := fh.Open()
	if err != nil {
		api.WriteError(c, err)
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxMediaBytes+1))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if len(b) > MaxMediaBytes {
		api.WriteError(c, cds.Errorf(cds.ETOOLARGE, "Ảnh vượt quá 10 MB.", "The image is larger than 10 MB."))
		return
	}
	ctype, ext, err := sniffUpload(b)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if ctype != "application/pdf" {
		// Only the re-encoded pixels are stored: no EXIF/GPS (media_strip.go).
		// A PDF is kept as uploaded (media_pdf.go): a signed result must stay verifiable.
		b, ctype, ext, err = cleanImage(b, ctype)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	rnd := make([]byte, 16)
	if _, err := rand.Read(rnd); err != nil {
		api.WriteError(c, err)
		return
	}
	key := hex.EncodeToString(rnd) + ext
	sum := sha256.Sum256(b)
	if err := s.Blob.Put(c.Request.Context(), key, bytes.NewReader(b), int64(len(b)), ctype); err != nil {
		api.WriteError(c, err)
		return
	}
	m := postgres.Media{ID: key, OwnerID: api.ActorID(c), ContentType: ctype, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	if err := s.DB.InsertMedia(c.Request.Context(), m); err != nil {
		_ = s.Blob.Delete(c.Request.Context(), key)
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": m.ID, "content_type": m.ContentType, "size": m.Size})
}

// getMedia serves a file to its owner, to staff of a case it belongs to, and
// to anyone when it is shown publicly (not redacted, answer published).
// Everyone else gets 404.
func (s *Handler) getMedia(c *gin.Context) {
	ctx := c.Request.Context()
	m, err := s.DB.MediaByID(ctx, c.Param("id"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	a := api.Actor(c)
	ok := a.UserID != 0 && a.UserID == m.OwnerID
	if !ok && a.IsStaff() {
		agencies, err := s.DB.MediaCaseAgencies(ctx, m.ID)
		if err != nil {
			api.WriteError(c, err)
			return
		}
		for _, ag := range agencies {
			if s.Cases.StaffCanReadFeedback(c.Request.Context(), api.Actor(c), ag) {
				ok = true
				break
			}
		}
	}
	withheld := false
	if ok && a.UserID != m.OwnerID {
		var served bool
		if withheld, served = s.withheldGate(c, m); !served {
			return
		}
	}
	if !ok {
		if ok, err = s.DB.MediaIsPublic(ctx, m.ID); err != nil {
			api.WriteError(c, err)
			return
		}
	}
	if !ok {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp.", "File not found."))
		return
	}
	rc, err := s.Blob.Get(ctx, m.ID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	defer rc.Close()
	if withheld {
		c.Header("Cache-Control", "no-store")
	} else {
		c.Header("Cache-Control", "private, max-age=300")
	}
	c.DataFromReader(http.StatusOK, m.Size, m.ContentType, rc, nil)
}
