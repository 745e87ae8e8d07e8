package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The accounts hook reads the VNeID (OIDC) provider and the ID-number key.
// Environment: CONGDANSO_OIDC_ISSUER, CONGDANSO_OIDC_CLIENT_ID,
// CONGDANSO_OIDC_CLIENT_SECRET, CONGDANSO_OIDC_REDIRECT_URL,
// CONGDANSO_OIDC_SCOPES, CONGDANSO_ID_KEY (base64, 32 bytes; several
// instances must share it). Values already in Options.Accounts win (tests).
func init() {
	AddHook(func(ctx context.Context, a *App) error {
		x := &a.Opts.Accounts
		for _, f := range []struct {
			v   *string
			env string
		}{
			{&x.OIDCIssuer, "CONGDANSO_OIDC_ISSUER"}, {&x.OIDCClientID, "CONGDANSO_OIDC_CLIENT_ID"},
			{&x.OIDCClientSecret, "CONGDANSO_OIDC_CLIENT_SECRET"}, {&x.OIDCRedirectURL, "CONGDANSO_OIDC_REDIRECT_URL"},
			{&x.OIDCScopes, "CONGDANSO_OIDC_SCOPES"}, {&x.IDKey, "CONGDANSO_ID_KEY"},
		} {
			if *f.v == "" {
				*f.v = os.Getenv(f.env)
			}
		}
		if x.IDKey == "" {
			k, err := idKeyFile(a.Opts.DataDir)
			if err != nil {
				return fmt.Errorf("app: id key: %w", err)
			}
			x.IDKey = k
		}
		return nil
	})
	AddDemoSeed(seedDemoStaff)
}

// idKeyFile reads (or creates once, mode 0600) the AES key under the data dir.
func idKeyFile(dataDir string) (string, error) {
	if dataDir == "" {
		dataDir = "."
	}
	path := filepath.Join(dataDir, "id-number.key")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return "", err
	}
	s := base64.StdEncoding.EncodeToString(k)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	return s, os.WriteFile(path, []byte(s+"\n"), 0o600)
}

// demoStaff are the demo staff accounts: every role in a sensible agency.
var demoStaff = []struct {
	Username, Name, Agency string
	Role                   cds.Role
}{
	{"sxd.chuyenvien", "Nguyễn Văn Xây", "SXD", cds.RoleOfficer},
	{"sxd.lanhdao", "Trần Thị Dựng", "SXD", cds.RoleLeader},
	{"snnmt.chuyenvien", "Lê Văn Nông", "SNNMT", cds.RoleOfficer},
	{"snnmt.lanhdao", "Hoàng Thị Môi", "SNNMT", cds.RoleLeader},
	{"thucphan.chuyenvien", "Nông Văn Phường", "P-THUCPHAN", cds.RoleOfficer},
	{"thucphan.lanhdao", "Bế Thị Thục", "P-THUCPHAN", cds.RoleLeader},
	{"ttpvhcc.dieuphoi", "Đàm Văn Phối", "TTPVHCC", cds.RoleCoordinator},
	{"vpubnd.bientap", "Lục Thị Tin", "VP-UBND", cds.RoleEditor},
	{"skhcn.baocao", "Hà Văn Số", "SKHCN", cds.RoleReporter},
	{"hoaan.baocao", "La Thị Hòa", "X-HOAAN", cds.RoleReporter},
	// Two-level routing: local order, sanitation and land cases in Xã Hòa An
	// land in this officer's queue; its admin confirms workplaces.
	{"hoaan.chuyenvien", "Hoàng Văn An", "X-HOAAN", cds.RoleOfficer},
	{"hoaan.quantri", "Lương Thị Xã", "X-HOAAN", cds.RoleAdmin},
	// The unit admin of Sở Xây dựng manages its staff accounts and roles.
	{"sxd.quantri", "Phạm Văn Quản", "SXD", cds.RoleUnitAdmin},
	{"bcd.thanhvien", "Mã Văn Đạo", "BCD-CDS", cds.RoleSteering},
	{"quantri", "Quản trị hệ thống", postgres.ProvinceCode, cds.RoleAdmin},
}

// seedDemoStaff creates the demo staff accounts that do not exist yet, with
// random passwords printed once to out (never logged).
func seedDemoStaff(ctx context.Context, a *App, out io.Writer) error {
	created := 0
	for _, d := range demoStaff {
		if _, err := a.DB.UserByUsername(ctx, d.Username); err == nil {
			continue
		} else if cds.ErrorCode(err) != cds.ENOTFOUND {
			return err
		}
		pw := "Cb" + base64.RawURLEncoding.EncodeToString(randBytes(9)) + "7"
		hash, err := api.HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := a.DB.CreateStaff(ctx, postgres.NewStaff{Username: d.Username, FullName: d.Name, AgencyCode: d.Agency,
			PasswordHash: hash, Roles: []cds.Role{d.Role}}); err != nil {
			return fmt.Errorf("demo staff %s: %w", d.Username, err)
		}
		if created == 0 {
			fmt.Fprintln(out, "Tài khoản cán bộ demo / demo staff accounts (mật khẩu chỉ hiện một lần / passwords shown once):")
		}
		created++
		fmt.Fprintf(out, "  %-22s %-12s %-12s %s\n", d.Username, d.Role, d.Agency, pw)
	}
	return nil
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
