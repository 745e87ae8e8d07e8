package congdanso

import (
	"strings"
	"testing"
)

func TestAppStatusesAreTheNationalTen(t *testing.T) {
	list := AppStatuses()
	want := "receiving new denied processing waiting paying cancelled unresolved releasing done"
	var got []string
	for i, s := range list {
		if s.Number != i+1 || s.Name == "" || s.Sync.Info().Number != s.Number {
			t.Errorf("status %d: %+v", i+1, s)
		}
		got = append(got, string(s.Sync))
	}
	if strings.Join(got, " ") != want {
		t.Errorf("sync codes %v", got)
	}
	if !AppDone.Final() || AppReleasing.Final() || !AppWaiting.Open() || AppReceiving.Open() {
		t.Error("Final/Open classification")
	}
}

func testProc() Procedure {
	min, max := 1.0, 7.0
	return Procedure{Code: "X", Name: "Thử", Field: "F", Level: "commune", AgencyType: AgencyCommune, Duration: 3, Unit: "working_days",
		Fields: []FormField{
			{Name: "full_name", Type: FieldText, Required: true, MaxLen: 10},
			{Name: "dob", Type: FieldDate, Required: true},
			{Name: "gender", Type: FieldSelect, Options: []string{"Nam", "Nữ"}},
			{Name: "phone", Type: FieldPhone},
			{Name: "cccd", Type: FieldID},
			{Name: "floors", Type: FieldNumber, Min: &min, Max: &max},
			{Name: "commune_code", Type: FieldAgency, Required: true},
		},
		Steps: []ProcStep{{Key: "r", Kind: StepReception, Role: RoleOfficer, Share: 0.1}, {Key: "s", Kind: StepProcess, Role: RoleOfficer, Share: 0.6},
			{Key: "l", Kind: StepApprove, Role: RoleLeader, Share: 0.2}, {Key: "z", Kind: StepResult, Role: RoleOfficer, Share: 0.1}},
	}
}

func TestValidateForm(t *testing.T) {
	p := testProc()
	out, err := p.ValidateForm(map[string]any{"full_name": " An ", "dob": "2020-02-29", "gender": "Nữ", "phone": "0912345678",
		"cccd": "004190001234", "floors": "3", "commune_code": "X-HOAAN"})
	if err != nil {
		t.Fatalf("valid form refused: %v %v", err, err.Fields)
	}
	if out["full_name"] != "An" || out["floors"] != 3.0 {
		t.Errorf("normalised %v", out)
	}
	_, err = p.ValidateForm(map[string]any{"full_name": "Nguyễn Văn Anh Tuấn", "dob": "2021-02-29", "gender": "X", "phone": "12",
		"cccd": "1234", "floors": 9, "other": 1})
	want := []string{"form.full_name", "form.dob", "form.gender", "form.phone", "form.cccd", "form.floors", "form.other", "form.commune_code"}
	if err == nil || err.Code != EINVALID || len(err.Fields) != len(want) {
		t.Fatalf("errors %v", err)
	}
	for _, f := range want {
		if err.Fields[f] == "" {
			t.Errorf("no error for %s: %v", f, err.Fields)
		}
	}
}

func TestProcedureValidate(t *testing.T) {
	if e := testProc().Validate(); e != nil {
		t.Fatalf("valid procedure refused: %v", e.Fields)
	}
	p := testProc()
	p.Steps[1].Share = 0.9
	p.Unit = "weeks"
	p.Fields = p.Fields[:6] // no commune_code for a commune procedure
	e := p.Validate()
	if e == nil || e.Fields["unit"] == "" || e.Fields["steps"] == "" || e.Fields["fields"] == "" {
		t.Errorf("errors %v", e)
	}
}
