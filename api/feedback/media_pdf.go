package feedback

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"

	cds "github.com/caobang/congdanso"
)

// PDF documents (dossier documents and results) are accepted beside photos.
// The original bytes are stored unchanged (a signed result must stay
// verifiable); what is refused is what a viewer would run or unpack.
const (
	// MaxPDFPages caps the pages of one document.
	MaxPDFPages = 200
	// maxPDFInflated caps the bytes inflated while inspecting streams, so a
	// small file cannot expand without bound (a "zip bomb").
	maxPDFInflated = 64 << 20
)

var (
	pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\n?endstream`)
	pdfName   = regexp.MustCompile(`/[^\s/<>\[\]()%{}]+`)
	// Names whose presence makes a document active content: scripts, files
	// carried inside, actions that start programs (ISO 32000-1 §12.6.4.5,
	// §7.11.4, §12.6.4.16), and XFA forms, which carry scripts of their own.
	pdfForbidden = map[string]string{
		"/JavaScript": "JavaScript", "/JS": "JavaScript", "/EmbeddedFile": "tệp nhúng / embedded file",
		"/EmbeddedFiles": "tệp nhúng / embedded file", "/Launch": "lệnh khởi chạy / launch action", "/XFA": "biểu mẫu XFA / XFA form",
	}
)

func badPDF(vi, en string) *cds.Error {
	return &cds.Error{Code: cds.EUNSUPPORTED, Message: "Tệp PDF không được nhận: " + vi, MessageEN: "The PDF is refused: " + en}
}

// pdfNameDecode decodes #xx escapes in a PDF name (/J#61vaScript is /JavaScript).
func pdfNameDecode(n []byte) string {
	if !bytes.Contains(n, []byte("#")) {
		return string(n)
	}
	var out []byte
	for i := 0; i < len(n); i++ {
		if n[i] == '#' && i+2 < len(n) {
			if v, err := strconv.ParseUint(string(n[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, n[i])
	}
	return string(out)
}

// sniffPDF checks a PDF by content: header and end marker, not encrypted
// (what cannot be read cannot be checked), no JavaScript, embedded files,
// launch actions or XFA in the file or in any compressed stream (object
// streams hide dictionaries there), and 1..MaxPDFPages pages.
func sniffPDF(b []byte) error {
	head := b[:min(len(b), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return badPDF("không phải PDF.", "not a PDF.")
	}
	if !bytes.Contains(b[max(0, len(b)-2048):], []byte("%%EOF")) {
		return badPDF("tệp bị cắt cụt (thiếu %%EOF).", "truncated (no %%EOF).")
	}
	texts := [][]byte{b}
	inflated := 0
	for _, m := range pdfStream.FindAllSubmatch(b, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not Flate: images and raw streams hold no dictionaries
		}
		out, err := io.ReadAll(io.LimitReader(zr, int64(maxPDFInflated-inflated+1)))
		_ = zr.Close()
		if inflated += len(out); inflated > maxPDFInflated {
			return badPDF("nội dung nén quá lớn.", "compressed content too large.")
		}
		if err == nil || len(out) > 0 {
			texts = append(texts, out)
		}
	}
	pages := 0
	for _, t := range texts {
		prev := ""
		for _, raw := range pdfName.FindAll(t, -1) {
			n := pdfNameDecode(raw)
			if what, bad := pdfForbidden[n]; bad {
				return badPDF("chứa "+what+".", "it contains "+n[1:]+".")
			}
			if n == "/Encrypt" {
				return badPDF("tệp được mã hóa, không kiểm tra được.", "it is encrypted and cannot be checked.")
			}
			if n == "/Page" && prev == "/Type" {
				pages++
			}
			prev = n
		}
	}
	switch {
	case pages == 0:
		return badPDF("không có trang nào.", "it has no pages.")
	case pages > MaxPDFPages:
		return badPDF("quá "+strconv.Itoa(MaxPDFPages)+" trang.", "more than "+strconv.Itoa(MaxPDFPages)+" pages.")
	}
	return nil
}

// sniffUpload decides an upload's type by content: a PDF document or a photo.
func sniffUpload(b []byte) (contentType, ext string, err error) {
	if bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")) {
		if err := sniffPDF(b); err != nil {
			return "", "", err
		}
		return "application/pdf", ".pdf", nil
	}
	return sniffImage(b)
}
