package content

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzRenderMarkdown: any article source renders without panic into HTML
// with no script, style, frame or form element, no event-handler attribute
// and no link or source whose scheme can run code (javascript:, vbscript:,
// data:). The output is read with an HTML tokenizer, as a browser reads it.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Tiêu đề\n\n**đậm** <script>alert(1)</script> [x](javascript:alert(1))",
		"[a](JaVaScRiPt&#58;alert(1)) [b]( javascript:alert(1)) [c](java\tscript:alert(1))",
		"<img src=x onerror=alert(1)> ![i](data:text/html;base64,PHNjcmlwdD4=)",
		"<a href=\"vbscript:msgbox(1)\">v</a> <iframe src=//evil></iframe> <svg onload=alert(1)>",
		"| a | b |\n|---|---|\n| <style>*{}</style> | ~~x~~ |\n\n- [ ] việc\n\nhttps://caobang.gov.vn",
		"[ref]\n\n[ref]: javascript:alert(1) \"t\"\n\n<form action=javascript:1><button formaction=javascript:1>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := RenderMarkdown(src)
		if err != nil {
			return
		}
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "frame", "object", "embed", "form", "svg", "math", "base", "meta", "link":
				t.Fatalf("element <%s> in %q → %q", tok.Data, src, out)
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
					t.Fatalf("attribute %s in %q → %q", a.Key, src, out)
				}
				switch key {
				case "href", "src", "action", "formaction", "xlink:href", "background", "poster", "cite":
					v := strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f {
							return -1 // browsers skip these inside a scheme
						}
						return r
					}, strings.ToLower(a.Val))
					for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
						if strings.HasPrefix(v, bad) {
							t.Fatalf("%s=%q in %q → %q", a.Key, a.Val, src, out)
						}
					}
				}
			}
		}
	})
}
