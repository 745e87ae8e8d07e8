package congdanso

import (
	"encoding/json"
	"testing"
)

// fuzzProcedure has one field of every type.
func fuzzProcedure() Procedure {
	lo, hi := 0.0, 100.0
	return Procedure{Code: "FUZZ", Fields: []FormField{
		{Name: "name", Type: FieldText, Required: true, MaxLen: 50},
		{Name: "count", Type: FieldNumber, Min: &lo, Max: &hi},
		{Name: "born", Type: FieldDate, Required: true},
		{Name: "gender", Type: FieldSelect, Options: []string{"Nam", "Nữ"}},
		{Name: "phone", Type: FieldPhone},
		{Name: "id", Type: FieldID},
		{Name: "commune_code", Type: FieldAgency},
	}}
}

// FuzzValidateForm decodes any JSON object as an application form and
// validates it: no panic, and an accepted form holds only declared fields
// and every required one.
func FuzzValidateForm(f *testing.F) {
	f.Add([]byte(`{"name":"Nông Văn Dân","born":"1990-01-02","gender":"Nam","count":3,"phone":"0912345678","id":"004190001234","commune_code":"P-THUCPHAN"}`))
	f.Add([]byte(`{"name":"<script>alert(1)</script>","born":"2026-02-30","count":1e308,"extra":1}`))
	f.Add([]byte(`{"name":["x"],"born":{"y":1},"count":"NaN","gender":null}`))
	p := fuzzProcedure()
	f.Fuzz(func(t *testing.T, b []byte) {
		var form map[string]any
		if json.Unmarshal(b, &form) != nil {
			return
		}
		out, err := p.ValidateForm(form)
		if err != nil && len(err.Fields) > 0 {
			return
		}
		known := map[string]bool{}
		for _, fd := range p.Fields {
			known[fd.Name] = true
			if fd.Required && out[fd.Name] == nil {
				t.Fatalf("accepted without required %s: %s", fd.Name, b)
			}
		}
		for k := range out {
			if !known[k] {
				t.Fatalf("accepted an undeclared field %q", k)
			}
		}
	})
}
