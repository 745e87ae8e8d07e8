package open311

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	cds "github.com/caobang/congdanso"
)

// open311Limits bound the free-text fields of Open311 POST bodies that the
// GeoReport v2 spec leaves unbounded (rune counts). description (4000),
// address_string (300), email (254) and attribute values (1000) are checked
// where they are read.
var open311Limits = []struct {
	field string
	max   int
}{
	{"first_name", 100},
	{"last_name", 100},
	{"device_id", 100},
	{"account_id", 100},
	{"address_id", 100},
	{"update_id", 100},
	{"media_url", 2000},
}

// open311Person checks the bounded fields and the phone (Vietnamese, read by
// cds.NormalizePhone like every phone in the system) and returns the phone
// normalised, "" when none was given.
func open311Person(get func(string) string) (string, []open311Error) {
	var errs []open311Error
	for _, l := range open311Limits {
		if utf8.RuneCountInString(get(l.field)) > l.max {
			errs = append(errs, open311Err(http.StatusBadRequest,
				fmt.Sprintf("%s tối đa %d ký tự.", l.field, l.max), fmt.Sprintf("%s is limited to %d characters.", l.field, l.max)))
		}
	}
	raw := get("phone")
	if raw == "" {
		return "", errs
	}
	phone, ok := cds.NormalizePhone(raw)
	if !ok {
		errs = append(errs, open311Err(http.StatusBadRequest, "phone phải là số điện thoại Việt Nam, ví dụ 0912 345 678 hoặc 0206 3852 169.",
			"phone must be a Vietnamese phone number, e.g. 0912 345 678 or 0206 3852 169."))
	}
	return phone, errs
}
