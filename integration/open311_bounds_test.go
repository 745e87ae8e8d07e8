package integration

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/postgres"
)

// TestOpen311InputBounds: the reporter fields the spec leaves open are
// bounded (400, Vietnamese then English, nothing written) and the phone is
// read as every phone in the system is (stored +84…).
func TestOpen311InputBounds(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	_, adminTok := env.Staff("Quản trị hệ thống", postgres.ProvinceCode, cds.RoleAdmin)
	r := env.Do(http.MethodPost, "/api/v1/admin/open311/clients", adminTok, map[string]any{"name": "FixMyStreet Cao Bằng"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create client %d %s", r.Status, r.Body)
	}
	key := r.Map(t)["api_key"].(string)
	base := func() url.Values {
		return url.Values{"api_key": {key}, "service_code": {"traffic"}, "lat": {"22.6660"}, "long": {"106.2580"},
			"attribute[danger]": {"high"}, "description": {"Ổ gà sâu giữa đường."}}
	}
	post := func(v url.Values) apptest.Response {
		return env.Do(http.MethodPost, "/open311/v2/requests.json", "", v.Encode())
	}
	for field, value := range map[string]string{
		"first_name": strings.Repeat("Lan", 34), "last_name": strings.Repeat("Ng", 51), "device_id": strings.Repeat("d", 101),
		"account_id": strings.Repeat("a", 101), "address_id": strings.Repeat("9", 101), "media_url": "https://x.example/" + strings.Repeat("p", 2000),
		"phone": "0912 345 67", "email": strings.Repeat("e", 250) + "@x.vn",
	} {
		v := base()
		v.Set(field, value)
		r := post(v)
		open311Fails(t, r, http.StatusBadRequest, field)
		if !strings.Contains(string(r.Body), field) {
			t.Errorf("%s: the error does not name the field: %s", field, r.Body)
		}
	}
	// Vietnamese first, English beside it.
	v := base()
	v.Set("phone", "12345")
	if r := post(v); !strings.Contains(string(r.Body), "phone phải là số điện thoại Việt Nam") || !strings.Contains(string(r.Body), "phone must be a Vietnamese phone number") {
		t.Errorf("phone error: %s", r.Body)
	}
	var n int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("refused requests wrote %d cases", n)
	}

	// At the bounds, accepted; the phone is stored normalised.
	v = base()
	v.Set("first_name", strings.Repeat("L", 100))
	v.Set("device_id", strings.Repeat("d", 100))
	v.Set("phone", "0206.3852.169")
	if r := post(v); r.Status != http.StatusOK {
		t.Fatalf("at the bounds: %d %s", r.Status, r.Body)
	}
	var phone string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT phone FROM open311_requests`).Scan(&phone); err != nil {
		t.Fatal(err)
	}
	if phone != "+842063852169" {
		t.Fatalf("stored phone %q, want +842063852169", phone)
	}
}
