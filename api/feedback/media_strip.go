package feedback

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// Citizens' photos carry metadata (EXIF with GPS position, camera serial,
// time; PNG text chunks; XMP). Every upload is decoded and re-encoded from
// its pixels, so none of it is stored, and the stored file is the only one:
// the original bytes are never kept. Staff do not need them: a report's
// position is the location the citizen gives with it.
//
// JPEG stays JPEG (quality 90) and PNG stays PNG. WebP has no encoder in
// the Go libraries, so it is stored as PNG (lossless). The EXIF orientation
// is applied to the pixels first, so a phone's portrait photo stays upright.

// cleanImage re-encodes b (already accepted by sniffImage as ctype) without
// any metadata and returns the new bytes, content type and extension.
func cleanImage(b []byte, ctype string) ([]byte, string, string, error) {
	var decode func(io.Reader) (image.Image, error)
	switch ctype {
	case "image/jpeg":
		decode = jpeg.Decode
	case "image/png":
		decode = png.Decode
	case "image/webp":
		decode = webp.Decode
	default:
		return nil, "", "", unsupportedImage()
	}
	img, err := decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", "", unsupportedImage()
	}
	var out bytes.Buffer
	if ctype == "image/jpeg" {
		img = orient(img, jpegOrientation(b))
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
		return out.Bytes(), "image/jpeg", ".jpg", err
	}
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
	return out.Bytes(), "image/png", ".png", err
}
