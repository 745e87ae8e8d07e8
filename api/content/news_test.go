package content

import (
	"strings"
	"testing"
)

func TestSlugifyVietnamese(t *testing.T) {
	cases := map[string]string{
		"Công bố nền tảng Công dân số Cao Bằng": "cong-bo-nen-tang-cong-dan-so-cao-bang",
		"Đường Hoàng Đình Giong – Kim Đồng!":    "duong-hoang-dinh-giong-kim-dong",
		"  Xã Đông Khê, Trùng Khánh (2025)  ":   "xa-dong-khe-trung-khanh-2025",
		"!!!": "bai-viet",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if !slugRE.MatchString(Slugify(in)) {
			t.Errorf("Slugify(%q) is not a valid slug", in)
		}
	}
	long := Slugify(strings.Repeat("Cao Bằng ", 30))
	if len(long) > 80 || strings.HasSuffix(long, "-") {
		t.Errorf("long slug %q", long)
	}
}

func TestRenderMarkdownIsSafe(t *testing.T) {
	html, err := RenderMarkdown("# Tiêu đề\n\n**đậm** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n- một\n- hai")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("rendered HTML keeps %q: %s", bad, html)
		}
	}
	for _, good := range []string{"<h1", "Tiêu đề", "<strong>đậm</strong>", "<li>một</li>"} {
		if !strings.Contains(html, good) {
			t.Errorf("rendered HTML lacks %q: %s", good, html)
		}
	}
}
