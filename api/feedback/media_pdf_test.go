package feedback

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// pdfDoc writes a small PDF by hand (ISO 32000-1 §7.5): catalog, page tree,
// pages and any extra objects; the sniffer needs no cross-reference table.
func pdfDoc(pages int, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	kids := []string{}
	for i := 0; i < pages; i++ {
		kids = append(kids, fmt.Sprintf("%d 0 R", 10+i))
	}
	fmt.Fprintf(&b, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", strings.Join(kids, " "), pages)
	for i := 0; i < pages; i++ {
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n", 10+i)
	}
	for _, x := range extra {
		b.WriteString(x)
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return []byte(b.String())
}

// objStream hides a dictionary in a Flate-compressed object stream.
func objStream(dict string) string {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	_, _ = w.Write([]byte("20 0 " + dict))
	_ = w.Close()
	return fmt.Sprintf("30 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\n", z.Len(), z.Bytes())
}

func TestSniffPDF(t *testing.T) {
	ok := [][]byte{pdfDoc(1), pdfDoc(MaxPDFPages), pdfDoc(2, objStream("<< /Type /Annot /Subtype /Link >>"))}
	for i, b := range ok {
		if ct, ext, err := sniffUpload(b); err != nil || ct != "application/pdf" || ext != ".pdf" {
			t.Errorf("valid PDF %d refused: %v", i, err)
		}
	}
	bad := map[string][]byte{
		"javascript":           pdfDoc(1, "5 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"),
		"hex-escaped name":     pdfDoc(1, "5 0 obj\n<< /S /J#61vaScript >>\nendobj\n"),
		"embedded file":        pdfDoc(1, "5 0 obj\n<< /Names << /EmbeddedFiles 6 0 R >> >>\nendobj\n"),
		"launch action":        pdfDoc(1, "5 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n"),
		"script in obj stream": pdfDoc(1, objStream("<< /OpenAction << /S /JavaScript /JS (x) >> >>")),
		"encrypted":            pdfDoc(1, "trailer\n<< /Encrypt 9 0 R >>\n"),
		"too many pages":       pdfDoc(MaxPDFPages + 1),
		"no pages":             pdfDoc(0),
		"truncated":            pdfDoc(1)[:200],
	}
	for name, b := range bad {
		if _, _, err := sniffUpload(b); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "PDF") {
			t.Errorf("%s: unclear error %v", name, err)
		}
	}
}
