package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caobang/congdanso/postgres"
)

// testDB creates a migrated, base-seeded database on the test server (the
// same as apptest.NewDB, without linking the Temporal server here).
func testDB(t *testing.T) *postgres.DB {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "cds_test_cam_" + hex.EncodeToString(buf)
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	ctx := context.Background()
	db, err := postgres.Open(ctx, u.String(), 4)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		if conn, err := pgx.Connect(context.Background(), admin); err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SeedBase(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestCheckCamerasMarksHangingAndFailingStreamsOffline(t *testing.T) {
	db := testDB(t)
	ctx := context.Background()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		_, _ = w.Write([]byte("#EXTM3U\n"))
	}))
	defer ok.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answers nothing until the test ends
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no stream", http.StatusNotFound)
	}))
	defer broken.Close()

	mk := func(name, hls, status string) int64 {
		c, err := db.CreateCamera(ctx, postgres.Camera{Name: name, AreaCode: "P-THUCPHAN", HLSURL: hls, Status: status, Visibility: "public"})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	idOK := mk("ok", ok.URL+"/index.m3u8", "offline") // was offline, comes back
	idHang := mk("hang", hang.URL+"/index.m3u8", "online")
	idBroken := mk("broken", broken.URL+"/index.m3u8", "online")
	idMaint := mk("maint", hang.URL+"/x.m3u8", "maintenance")

	a := &Activities{DB: db}
	start := time.Now()
	res, err := a.CheckCameras(ctx, CheckCamerasInput{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the check is not bounded: took %s", took)
	}
	if res.Checked != 3 || res.Online != 1 || res.Offline != 2 {
		t.Fatalf("result = %+v, want 3 checked, 1 online, 2 offline", res)
	}
	want := map[int64]string{idOK: "online", idHang: "offline", idBroken: "offline", idMaint: "maintenance"}
	for id, st := range want {
		c, err := db.CameraByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != st {
			t.Errorf("camera %s: status %s, want %s", c.Name, c.Status, st)
		}
		if st != "maintenance" && c.LastCheckedAt == nil {
			t.Errorf("camera %s: last_checked_at not set", c.Name)
		}
	}
	if c, _ := db.CameraByID(ctx, idHang); c.LastError == "" {
		t.Error("the hanging camera has no error recorded")
	}
}
