package integration

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"testing"

	"github.com/caobang/congdanso/cmd/app/apptest"
)

// gpsMarker is text a phone could write into EXIF; it must not survive.
const gpsMarker = "GPS 22.6657N 106.2577E Cao Bang"

// jpegWithGPS builds, by hand, a JPEG whose APP1 segment is an EXIF block
// (Exif 2.32, TIFF little-endian) with Orientation 6 (rotate 90° clockwise
// to view), an ImageDescription holding gpsMarker, and a GPS IFD
// (GPSLatitudeRef "N", GPSLatitude 22° 39' 56.78").
func jpegWithGPS(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(40 * x), uint8(20 * y), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	var tiff bytes.Buffer
	put16 := func(v uint16) { _ = binary.Write(&tiff, le, v) }
	put32 := func(v uint32) { _ = binary.Write(&tiff, le, v) }
	entry := func(tag, typ uint16, count, value uint32) { put16(tag); put16(typ); put32(count); put32(value) }
	desc := append([]byte(gpsMarker), 0)
	// Offsets: header 8, IFD0 at 8 with 3 entries (2+36+4 = 42) → 50;
	// description at 50; GPS IFD after it; the rationals after the GPS IFD.
	descOff := uint32(50)
	gpsOff := descOff + uint32(len(desc))
	ratOff := gpsOff + 2 + 2*12 + 4
	tiff.WriteString("II")
	put16(42)
	put32(8)
	put16(3)
	entry(0x010E, 2, uint32(len(desc)), descOff) // ImageDescription, ASCII
	entry(0x0112, 3, 1, 6)                       // Orientation, SHORT
	entry(0x8825, 4, 1, gpsOff)                  // GPSInfo IFD pointer
	put32(0)
	tiff.Write(desc)
	put16(2)
	entry(0x0001, 2, 2, uint32('N')) // GPSLatitudeRef "N\0" (inline)
	entry(0x0002, 5, 3, ratOff)      // GPSLatitude, 3 RATIONAL
	put32(0)
	for _, r := range [][2]uint32{{22, 1}, {39, 1}, {5678, 100}} {
		put32(r[0])
		put32(r[1])
	}
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(app1)+2))
	out := append([]byte{0xFF, 0xD8}, seg...)
	out = append(out, app1...)
	return append(out, enc.Bytes()[2:]...) // after the encoder's SOI
}

// TestPhotoMetadataStripped: an uploaded JPEG with EXIF (GPS, description)
// is served without any of it, and upright.
func TestPhotoMetadataStripped(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.Citizen("Hà Thị Mai")
	orig := jpegWithGPS(t, 8, 4)
	if !bytes.Contains(orig, []byte(gpsMarker)) {
		t.Fatal("fixture lacks the marker")
	}
	r := uploadPhoto(t, env, tok, orig)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	id := r.Map(t)["id"].(string)
	got := env.Do(http.MethodGet, "/api/v1/media/"+id, tok, nil)
	if got.Status != 200 || got.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("fetch: %d %s", got.Status, got.Header.Get("Content-Type"))
	}
	for name, needle := range map[string][]byte{"EXIF header": []byte("Exif\x00\x00"), "GPS text": []byte(gpsMarker),
		"TIFF header": []byte("II*\x00"), "APP1 marker": {0xFF, 0xE1}, "latitude seconds": {0x2e, 0x16, 0, 0, 0x64, 0, 0, 0}} {
		if bytes.Contains(got.Body, needle) {
			t.Errorf("served photo still contains the %s", name)
		}
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(got.Body))
	if err != nil || cfg.Width != 4 || cfg.Height != 8 {
		t.Fatalf("served photo %dx%d (%v), want 4x8 (turned upright)", cfg.Width, cfg.Height, err)
	}
}
