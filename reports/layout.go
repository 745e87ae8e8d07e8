package reports

import (
	"math"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Row heights are computed, not fixed: a wrapped text that does not fit its
// row would spill over the rows below it when printed (LibreOffice and Excel
// both keep a set height). The estimate is deliberately generous.

// linePoints is the height of one line of Times New Roman at size pt, with
// LibreOffice's leading.
func linePoints(pt float64) float64 { return pt*1.32 + 0.5 }

// textLines estimates how many lines text takes in a cell widthChars wide
// (Excel column-width units, about one digit of the default font) at size pt.
func textLines(text string, widthChars, pt float64) int {
	// A digit of 11 pt Times New Roman is about 5.5 pt wide; an average
	// Vietnamese letter at size pt is about 0.5·pt wide, capitals wider.
	capacity := widthChars * 5.5 / (0.52 * pt)
	if capacity < 1 {
		capacity = 1
	}
	n := 0
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			n++
			continue
		}
		lines, cur := 1, 0.0
		for _, w := range words {
			wl := runeWidth(w)
			switch {
			case cur == 0:
				cur = wl
			case cur+1+wl <= capacity:
				cur += 1 + wl
			default:
				lines++
				cur = wl
			}
			for cur > capacity { // a word longer than the line breaks anywhere
				lines++
				cur -= capacity
			}
		}
		n += lines
	}
	return n
}

// runeWidth weighs capitals as 1.3 letters.
func runeWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || strings.ContainsRune("ĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ", r) {
			w += 1.3
		} else {
			w++
		}
	}
	return w
}

// fitRow raises row's height so that text fits a cell widthChars wide at
// size pt; it never lowers a height already set higher on the row.
func fitRow(f *excelize.File, sheet string, row int, text string, widthChars, pt float64) error {
	h := float64(textLines(text, widthChars, pt))*linePoints(pt) + 4
	cur, err := f.GetRowHeight(sheet, row)
	if err != nil {
		return err
	}
	if cur >= h {
		return nil
	}
	return f.SetRowHeight(sheet, row, math.Min(h, 409))
}

// widthOf sums the widths of columns c1..c2.
func widthOf(widths []float64, c1, c2 int) float64 {
	w := 0.0
	for c := c1; c <= c2 && c <= len(widths); c++ {
		w += widths[c-1]
	}
	return w
}
