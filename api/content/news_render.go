package content

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/text/unicode/norm"
)

// markdown renders article bodies. Raw HTML in the source is not passed
// through (goldmark's default), and the output is sanitised again with
// bluemonday's UGC policy, so neither a careless editor nor a stolen editor
// account can put script into the app's web views.
var (
	markdown  = goldmark.New(goldmark.WithExtensions(extension.GFM))
	sanitiser = bluemonday.UGCPolicy()
)

// RenderMarkdown turns Markdown into safe HTML.
func RenderMarkdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return sanitiser.Sanitize(buf.String()), nil
}

// Unaccent removes Vietnamese diacritics: "Cao Bằng" → "Cao Bang",
// "Đông Khê" → "Dong Khe". Đ/đ is a separate letter, not a combining mark.
func Unaccent(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a URL slug from a Vietnamese title:
// "Lễ công bố nền tảng Công dân số Cao Bằng" → "le-cong-bo-nen-tang-cong-dan-so-cao-bang".
func Slugify(title string) string {
	s := nonSlug.ReplaceAllString(strings.ToLower(Unaccent(title)), "-")
	s = strings.Trim(s, "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		s = "bai-viet"
	}
	return s
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
