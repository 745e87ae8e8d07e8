package feedback

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	cds "github.com/caobang/congdanso"
)

// FuzzSniffImage: the upload sniffer never panics, and what it accepts is a
// decodable image of one of the three types without markup inside, which
// re-encodes without metadata.
func FuzzSniffImage(f *testing.F) {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	_ = png.Encode(&buf, img)
	f.Add(buf.Bytes())
	f.Add(append(append([]byte{}, buf.Bytes()...), []byte("<?php system($_GET['c']); ?>")...))
	f.Add([]byte("\xFF\xD8\xFF\xE0<script>alert(1)</script>\xFF\xD9"))
	f.Add([]byte("RIFF\x04\x00\x00\x00WEBP"))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, ext, err := sniffImage(b)
		if err != nil {
			if cds.ErrorCode(err) != cds.EUNSUPPORTED {
				t.Fatalf("error code %s", cds.ErrorCode(err))
			}
			return
		}
		want := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
		if want[ct] == "" || want[ct] != ext {
			t.Fatalf("accepted as %q %q", ct, ext)
		}
		if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil && ct != "image/webp" {
			t.Fatalf("accepted an undecodable %s: %v", ct, err)
		}
		if bytes.Contains(bytes.ToLower(b), []byte("<script")) {
			t.Fatal("accepted a file with a script")
		}
		// What is accepted re-encodes (any EXIF orientation) without metadata.
		clean, cct, _, err := cleanImage(b, ct)
		if err != nil || cct == "image/webp" || bytes.Contains(clean, []byte("Exif\x00\x00")) {
			t.Fatalf("re-encode: %s %v", cct, err)
		}
	})
}
