// Package reportstest holds what the tests of the workbooks share: the
// lines of Phụ lục I as the deployment letter (seed 000) writes them, and a
// sheet's cells in reading order. The reports package's own tests and the
// integration tests check the same template against the same seed.
package reportstest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// seedPath is the copy of seed 000 in testdata/seeds, found from this
// file's place, so every package's test reads the same file.
func seedPath(t testing.TB) string {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("reportstest: no source path")
	}
	return filepath.Join(filepath.Dir(here), "..", "..", "testdata", "seeds", "000_deployment_letter.txt")
}

// PhuLucILines reads Phụ lục I from the deployment letter: every non-empty
// line from "Phụ lục I" to "Phụ lục II", markdown bold and headings'
// markers removed, the title that the seed breaks over two upper-case lines
// joined again.
func PhuLucILines(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(seedPath(t))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "**Phụ lục I**")
	end := -1
	if start >= 0 {
		end = strings.Index(text[start:], "Phụ lục II")
	}
	if start < 0 || end < 0 {
		t.Fatal("seed 000 has no Phụ lục I")
	}
	var out []string
	upper := func(s string) bool { return s == strings.ToUpper(s) && strings.ToLower(s) != s }
	for _, l := range strings.Split(text[start:start+end], "\n") {
		l = strings.Join(strings.Fields(strings.ReplaceAll(l, "**", "")), " ")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if n := len(out); n > 0 && upper(out[n-1]) && upper(l) {
			out[n-1] += " " + l
			continue
		}
		out = append(out, l)
	}
	return out
}

// SheetCells lists a sheet's non-empty cells in reading order (rows, then
// columns), white space folded.
func SheetCells(t testing.TB, f *excelize.File, sh string) []string {
	t.Helper()
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		for _, c := range r {
			if c = strings.Join(strings.Fields(c), " "); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// AssertLinesInOrder fails unless every line of want is a cell of the
// sheet, in order (other cells may stand between them).
func AssertLinesInOrder(t testing.TB, f *excelize.File, sh string, want []string) {
	t.Helper()
	cells := SheetCells(t, f, sh)
	i := 0
	for _, w := range want {
		for i < len(cells) && cells[i] != w {
			i++
		}
		if i == len(cells) {
			t.Fatalf("sheet %s: template line %q missing or out of order", sh, w)
		}
		i++
	}
}
