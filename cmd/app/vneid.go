package app

import (
	"os"
	"strings"

	"github.com/caobang/congdanso/api/accounts"
)

// vneidFromEnv fills the VNeID settings left empty (tests set them directly):
//
//	CONGDANSO_VNEID_CLAIMS         name=HoVaTen,phone=SoDienThoai,phone_verified=…,id_number=SoDinhDanh
//	CONGDANSO_VNEID_ACR_VALUES     the level of assurance to ask for (acr_values)
//	CONGDANSO_VNEID_APP_REDIRECTS  the app's redirect URIs, comma-separated (exact match)
func vneidFromEnv(c *accounts.VNeIDConfig) {
	for _, kv := range strings.Split(os.Getenv("CONGDANSO_VNEID_CLAIMS"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "name":
			setIfEmpty(&c.Claims.Name, v)
		case "phone":
			setIfEmpty(&c.Claims.Phone, v)
		case "phone_verified":
			setIfEmpty(&c.Claims.PhoneVerified, v)
		case "id_number":
			setIfEmpty(&c.Claims.IDNumber, v)
		}
	}
	setIfEmpty(&c.ACRValues, os.Getenv("CONGDANSO_VNEID_ACR_VALUES"))
	if len(c.AppRedirects) == 0 {
		for _, r := range strings.Split(os.Getenv("CONGDANSO_VNEID_APP_REDIRECTS"), ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.AppRedirects = append(c.AppRedirects, r)
			}
		}
	}
}

func setIfEmpty(p *string, v string) {
	if *p == "" {
		*p = v
	}
}
