package integration

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/reports"
)

// The print test needs LibreOffice (soffice) and poppler (pdftoppm,
// pdftotext): scripts/print-setup.sh installs them (make print-setup). A
// missing tool fails the test rather than skipping it.
func printTool(t *testing.T, name, env string) string {
	t.Helper()
	if p := os.Getenv(env); env != "" && p != "" {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: run scripts/print-setup.sh (make print-setup) or set %s", name, env)
	}
	return p
}

// toPDF converts an xlsx to PDF with LibreOffice, headless, in its own profile.
func toPDF(t *testing.T, xlsx []byte, name string) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, name+".xlsx")
	if err := os.WriteFile(in, xlsx, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, printTool(t, "soffice", "SOFFICE_PATH"), "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, name+".pdf")
	if _, err := os.Stat(pdf); err != nil {
		t.Fatalf("soffice wrote no PDF: %v", err)
	}
	return pdf
}

// pdfLine is one text line pdftotext found, with its box in points.
type pdfLine struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var (
	pageRE = regexp.MustCompile(`<page `)
	lineRE = regexp.MustCompile(`(?s)<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>`)
	wordRE = regexp.MustCompile(`<word [^>]*>([^<]*)</word>`)
)

// pdfLines reads every text line of the PDF with pdftotext -bbox-layout.
func pdfLines(t *testing.T, pdf string) ([]pdfLine, int) {
	t.Helper()
	out, err := exec.Command(printTool(t, "pdftotext", ""), "-bbox-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var lines []pdfLine
	pages := pageRE.FindAllIndex(out, -1)
	for i, p := range pages {
		end := len(out)
		if i+1 < len(pages) {
			end = pages[i+1][0]
		}
		for _, m := range lineRE.FindAllSubmatch(out[p[0]:end], -1) {
			l := pdfLine{page: i + 1}
			l.xMin, _ = strconv.ParseFloat(string(m[1]), 64)
			l.yMin, _ = strconv.ParseFloat(string(m[2]), 64)
			l.xMax, _ = strconv.ParseFloat(string(m[3]), 64)
			l.yMax, _ = strconv.ParseFloat(string(m[4]), 64)
			var words []string
			for _, w := range wordRE.FindAllSubmatch(m[5], -1) {
				words = append(words, html.UnescapeString(string(w[1])))
			}
			l.text = strings.Join(words, " ")
			lines = append(lines, l)
		}
	}
	return lines, len(pages)
}

// runeCounts counts the letters and digits of s (NFC), ignoring case-less
// punctuation and spaces that layout may add or drop.
func runeCounts(s string, into map[rune]int) {
	for _, r := range norm.NFC.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			into[r]++
		}
	}
}

// printProblems compares a workbook with its PDF: (1) every letter and digit
// of every cell must be printed — a wrapped text taller than its row is cut
// off; (2) no two printed lines may overlap — a text that spills over its
// row runs into the row below.
func printProblems(t *testing.T, xlsx []byte, pdf string) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	want := map[rune]int{}
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, c := range r {
				runeCounts(c, want)
			}
		}
	}
	lines, _ := pdfLines(t, pdf)
	got := map[rune]int{}
	for _, l := range lines {
		runeCounts(l.text, got)
	}
	var problems []string
	for r, n := range want {
		if got[r] < n {
			problems = append(problems, fmt.Sprintf("%d × %q in the cells, %d printed (text cut off)", n, r, got[r]))
		}
	}
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			a, b := lines[i], lines[j]
			if a.page != b.page {
				continue
			}
			dx := min(a.xMax, b.xMax) - max(a.xMin, b.xMin)
			dy := min(a.yMax, b.yMax) - max(a.yMin, b.yMin)
			if dx > 1 && dy > 0.25*min(a.yMax-a.yMin, b.yMax-b.yMin) {
				problems = append(problems, fmt.Sprintf("page %d: %q overlaps %q", a.page, a.text, b.text))
			}
		}
	}
	return problems
}

// TestPhuLucIPrintsOnA4 prints the demo campaign's Phụ lục I workbook to PDF
// with LibreOffice and checks that every cell's text is printed whole and
// that no text runs into another. A control copy with one row forced back to
// a fixed single-line height must fail the same check, so the check can fail.
// With CONGDANSO_WRITE_DOCS=1 the pages are written to docs/phu-luc-1/ as PNG.
func TestPhuLucIPrintsOnA4(t *testing.T) {
	env := apptest.New(t)
	if err := env.App.SeedDemo(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	_, steering := env.Staff("BCĐ", "BCD-CDS", cds.RoleSteering)
	r := env.Do(http.MethodGet, "/api/v1/reports/appendix-1.xlsx?campaign=BC-CDS-CB-2025", steering, nil)
	wantStatus(t, "workbook", r, http.StatusOK)
	xlsx := r.Body
	pdf := toPDF(t, xlsx, "phu-luc-1")
	if p := printProblems(t, xlsx, pdf); len(p) > 0 {
		t.Fatalf("the workbook does not print cleanly:\n%s", strings.Join(p, "\n"))
	}
	_, pages := pdfLines(t, pdf)
	if pages < 3 {
		t.Fatalf("%d pages: want the summary, a unit sheet and the missing list at least", pages)
	}

	// Control: the materials line (3 lines of text) squeezed into one line.
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetRowHeight("SXD", reports.UnitRowTotal+4, 15); err != nil {
		t.Fatal(err)
	}
	var bad bytes.Buffer
	if err := f.Write(&bad); err != nil {
		t.Fatal(err)
	}
	p := printProblems(t, bad.Bytes(), toPDF(t, bad.Bytes(), "control"))
	if len(p) == 0 {
		t.Fatal("a row too short for its text was not detected")
	}
	t.Logf("control copy, as expected: %s", strings.Join(p, "; "))

	if os.Getenv("CONGDANSO_WRITE_DOCS") == "1" {
		dir := filepath.Join("..", "docs", "phu-luc-1")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "trang-*.png"))
		for _, o := range old {
			_ = os.Remove(o)
		}
		if out, err := exec.Command(printTool(t, "pdftoppm", ""), "-png", "-r", "60", pdf, filepath.Join(dir, "trang")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
