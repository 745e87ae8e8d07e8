package feedback

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	return img
}

func TestSniffImageAcceptsByContent(t *testing.T) {
	var p, j bytes.Buffer
	_ = png.Encode(&p, testImage())
	_ = jpeg.Encode(&j, testImage(), nil)
	webp, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{"png": {p.Bytes(), "image/png"}, "jpeg": {j.Bytes(), "image/jpeg"}, "webp": {webp, "image/webp"}} {
		got, _, err := sniffImage(c.b)
		if err != nil || got != c.want {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
}

func TestSniffImageRejectsFakesAndPolyglots(t *testing.T) {
	var p, j bytes.Buffer
	_ = png.Encode(&p, testImage())
	_ = jpeg.Encode(&j, testImage(), nil)
	zip := []byte("PK\x03\x04 pretend archive")
	cases := map[string][]byte{
		"text named .jpg":     []byte("hello, I am not an image"),
		"html":                []byte("<html><script>alert(1)</script></html>"),
		"png magic only":      append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...),
		"truncated png":       p.Bytes()[:p.Len()-20],
		"png + zip polyglot":  append(append([]byte{}, p.Bytes()...), zip...),
		"jpeg + zip polyglot": append(append([]byte{}, j.Bytes()...), zip...),
		"jpeg with script": append(append(append([]byte{}, j.Bytes()[:j.Len()-2]...), []byte("<script>x</script>")...),
			0xFF, 0xD9),
		"gif": []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
	}
	for name, b := range cases {
		if ct, _, err := sniffImage(b); err == nil {
			t.Errorf("%s accepted as %s", name, ct)
		}
	}
}
