package integration

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// TestCameraStreamProxied: the signed link serves the playlist itself, every
// URI in it (variant, segments, key, init section; relative or absolute)
// points back at the API, each of those links works only with its seal,
// for its camera, and no answer names the upstream host.
func TestCameraStreamProxied(t *testing.T) {
	env := apptest.New(t)
	var upstreamHost string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "hikvision-nvr")
		switch r.URL.Path {
		case "/cam1/master.m3u8":
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n")
		case "/cam1/low/index.m3u8":
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprintf(w, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1.bin\"\n"+
				"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.0,\nseg0.m4s\n#EXTINF:2.0,\nhttp://%s/cam1/low/seg1.m4s?token=abc\n", upstreamHost)
		case "/cam1/low/seg0.m4s", "/cam1/low/seg1.m4s", "/cam1/low/init.mp4", "/cam1/keys/k1.bin":
			w.Header().Set("Content-Type", "video/iso.segment")
			fmt.Fprint(w, "BYTES-OF"+r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	defer upstream.Close()
	upstreamHost = strings.TrimPrefix(upstream.URL, "http://")

	_, adminTok := env.Staff("Quản trị", postgres.ProvinceCode, cds.RoleAdmin)
	mk := func(name string) int64 {
		r := env.Do(http.MethodPost, "/api/v1/cameras", adminTok, map[string]any{"name": name, "area_code": "P-THUCPHAN", "visibility": "public",
			"hls_url": upstream.URL + "/cam1/master.m3u8"})
		wantStatus(t, "create camera", r, http.StatusCreated)
		return int64(r.Map(t)["id"].(float64))
	}
	camA, camB := mk("Cầu Sông Hiến"), mk("Chợ Xanh")
	r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/cameras/%d", camA), "", nil)
	wantStatus(t, "camera", r, http.StatusOK)
	link := r.Map(t)["stream_url"].(string)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, http.Header, string) {
		t.Helper()
		resp, err := noFollow.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for k, vs := range resp.Header {
			if strings.Contains(strings.Join(vs, " "), upstreamHost) || strings.Contains(strings.Join(vs, " "), "hikvision") {
				t.Errorf("%s: header %s reveals the upstream: %v", path, k, vs)
			}
		}
		if strings.Contains(string(b), upstreamHost) {
			t.Errorf("%s: the body names the upstream host", path)
		}
		return resp.StatusCode, resp.Header, string(b)
	}
	uris := func(playlist string) []string {
		var out []string
		sc := bufio.NewScanner(strings.NewReader(playlist))
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, `URI="`); i >= 0 {
				out = append(out, strings.SplitN(line[i+5:], `"`, 2)[0])
			} else if line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
		return out
	}

	st, hdr, master := get(strings.TrimPrefix(link, env.URL))
	if st != http.StatusOK || !strings.HasPrefix(master, "#EXTM3U") || hdr.Get("Location") != "" {
		t.Fatalf("signed link: %d %q %s", st, hdr.Get("Location"), master)
	}
	variants := uris(master)
	if len(variants) != 1 {
		t.Fatalf("master playlist URIs %v", variants)
	}
	st, _, media := get(variants[0])
	if st != http.StatusOK {
		t.Fatalf("variant: %d %s", st, media)
	}
	res := uris(media)
	want := []string{"/cam1/keys/k1.bin", "/cam1/low/init.mp4", "/cam1/low/seg0.m4s", "/cam1/low/seg1.m4s"}
	if len(res) != len(want) {
		t.Fatalf("media playlist URIs %v", res)
	}
	for i, u := range res {
		if !strings.HasPrefix(u, fmt.Sprintf("/api/v1/cameras/%d/stream?", camA)) {
			t.Fatalf("URI %q does not point at the proxy", u)
		}
		st, _, body := get(u)
		if st != http.StatusOK || body != "BYTES-OF"+want[i] {
			t.Errorf("%s: %d %q, want the bytes of %s", u, st, body, want[i])
		}
	}

	// A segment link moved to another camera, altered, or without its seal is refused.
	pu, _ := url.Parse(res[2])
	q := pu.Query()
	if st, _, _ := get(fmt.Sprintf("/api/v1/cameras/%d/stream?%s", camB, pu.RawQuery)); st != http.StatusForbidden {
		t.Errorf("segment link on another camera: %d", st)
	}
	seal := q.Get("r")
	q.Set("r", seal[:len(seal)-2]+"AA")
	if st, _, _ := get(pu.Path + "?" + q.Encode()); st != http.StatusForbidden {
		t.Errorf("altered seal: %d", st)
	}
	q.Set("r", seal)
	q.Set("exp", fmt.Sprint(mustInt(t, q.Get("exp"))+3600))
	if st, _, _ := get(pu.Path + "?" + q.Encode()); st != http.StatusForbidden {
		t.Errorf("seal with a longer expiry: %d", st)
	}
}
