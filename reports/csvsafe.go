package reports

import (
	"encoding/csv"
	"io"
)

// NeutralizeCell defuses CSV (formula) injection as OWASP recommends: a cell
// that begins with '=', '+', '-', '@', a tab or a carriage return would be
// read by Excel, LibreOffice or Google Sheets as a formula, so it gets a
// leading apostrophe and is shown as text. Citizen-typed text (titles, names)
// goes through this before it reaches any CSV this product writes.
// https://owasp.org/www-community/attacks/CSV_Injection
func NeutralizeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVWriter is csv.Writer with every cell passed through NeutralizeCell.
// Every CSV the product serves is written with it.
type CSVWriter struct {
	cw  *csv.Writer
	buf []string
}

// NewCSVWriter writes safe CSV records to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{cw: csv.NewWriter(w)} }

// Write writes one record, neutralising each cell.
func (c *CSVWriter) Write(rec []string) error {
	c.buf = c.buf[:0]
	for _, s := range rec {
		c.buf = append(c.buf, NeutralizeCell(s))
	}
	return c.cw.Write(c.buf)
}

// Flush writes buffered data to the underlying writer.
func (c *CSVWriter) Flush() { c.cw.Flush() }

// Error reports any error of a previous Write or Flush.
func (c *CSVWriter) Error() error { return c.cw.Error() }
