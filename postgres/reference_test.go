package postgres

import (
	"context"
	"strings"
	"testing"
)

// communeUnits2025 is typed by hand from Nghị quyết 1657/NQ-UBTVQH15 ngày
// 16/6/2025 (the 56 commune-level units of Cao Bằng from 1 July 2025) with the
// codes of the national list of administrative units (Quyết định
// 19/2025/QĐ-TTg); docs/reference-data.md cites both. It is not read from the
// migration under test.
var communeUnits2025 = [][2]string{
	{"01273", "Phường Thục Phán"},
	{"01279", "Phường Nùng Trí Cao"},
	{"01288", "Phường Tân Giang"},
	{"01290", "Xã Bảo Lâm"},
	{"01294", "Xã Lý Bôn"},
	{"01297", "Xã Nam Quang"},
	{"01304", "Xã Quảng Lâm"},
	{"01318", "Xã Yên Thổ"},
	{"01321", "Xã Bảo Lạc"},
	{"01324", "Xã Cốc Pàng"},
	{"01327", "Xã Cô Ba"},
	{"01336", "Xã Khánh Xuân"},
	{"01339", "Xã Xuân Trường"},
	{"01351", "Xã Hưng Đạo"},
	{"01354", "Xã Huy Giáp"},
	{"01360", "Xã Sơn Lộ"},
	{"01363", "Xã Thông Nông"},
	{"01366", "Xã Cần Yên"},
	{"01387", "Xã Thanh Long"},
	{"01392", "Xã Trường Hà"},
	{"01393", "Xã Lũng Nặm"},
	{"01414", "Xã Tổng Cọt"},
	{"01438", "Xã Hà Quảng"},
	{"01447", "Xã Trà Lĩnh"},
	{"01456", "Xã Quang Hán"},
	{"01465", "Xã Quang Trung"},
	{"01477", "Xã Trùng Khánh"},
	{"01489", "Xã Đình Phong"},
	{"01501", "Xã Đàm Thủy"},
	{"01525", "Xã Đoài Dương"},
	{"01537", "Xã Lý Quốc"},
	{"01552", "Xã Quang Long"},
	{"01558", "Xã Hạ Lang"},
	{"01561", "Xã Vinh Quý"},
	{"01576", "Xã Quảng Uyên"},
	{"01594", "Xã Độc Lập"},
	{"01618", "Xã Hạnh Phúc"},
	{"01636", "Xã Bế Văn Đàn"},
	{"01648", "Xã Phục Hòa"},
	{"01654", "Xã Hòa An"},
	{"01660", "Xã Nam Tuấn"},
	{"01699", "Xã Nguyễn Huệ"},
	{"01708", "Xã Bạch Đằng"},
	{"01726", "Xã Nguyên Bình"},
	{"01729", "Xã Tĩnh Túc"},
	{"01738", "Xã Ca Thành"},
	{"01747", "Xã Minh Tâm"},
	{"01768", "Xã Phan Thanh"},
	{"01774", "Xã Tam Kim"},
	{"01777", "Xã Thành Công"},
	{"01786", "Xã Đông Khê"},
	{"01789", "Xã Canh Tân"},
	{"01792", "Xã Kim Đồng"},
	{"01795", "Xã Minh Khai"},
	{"01807", "Xã Thạch An"},
	{"01822", "Xã Đức Long"},
}

// TestReferenceCommunes checks that the migration loads exactly the 56 units
// in force, 3 wards and 53 communes, with their official codes and names.
func TestReferenceCommunes(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	rows, err := db.Pool.Query(ctx, `SELECT COALESCE(admin_code, ''), name FROM agencies
		WHERE type = 'commune' AND in_force_to IS NULL ORDER BY admin_code`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var code, n string
		if err := rows.Scan(&code, &n); err != nil {
			t.Fatal(err)
		}
		got[code] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 56 || len(communeUnits2025) != 56 {
		t.Fatalf("commune-level units in force: %d in the database, %d in the resolution; want 56", len(got), len(communeUnits2025))
	}
	wards := 0
	for _, u := range communeUnits2025 {
		if got[u[0]] != u[1] {
			t.Errorf("unit %s: database has %q, resolution says %q", u[0], got[u[0]], u[1])
		}
		if strings.HasPrefix(u[1], "Phường ") {
			wards++
		}
	}
	if wards != 3 {
		t.Errorf("wards: %d, want 3", wards)
	}
	// The demo's invented "Xã Quảng Hòa" is gone; the district of that name
	// is kept as a unit that ceased on 30/6/2025.
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM agencies WHERE code = 'X-QUANGHOA'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("X-QUANGHOA still exists")
	}
	var to string
	if err := db.Pool.QueryRow(ctx, `SELECT in_force_to::text FROM agencies WHERE admin_code = '049'`).Scan(&to); err != nil {
		t.Fatal(err)
	}
	if to != "2025-06-30" {
		t.Errorf("Huyện Quảng Hòa in force to %s, want 2025-06-30", to)
	}
}

// TestReferenceHierarchy checks the groups the deployment letter addresses
// and the parent–child links of the reference data.
func TestReferenceHierarchy(t *testing.T) {
	ctx := context.Background()
	db := freshDB(t)
	want := map[string]string{ // code → parent, from docs/reference-data.md
		"MTTQ": "UBND-CB", "LDLD": "MTTQ", "HLHPN": "MTTQ", "HND": "MTTQ", "TDTN": "MTTQ", "HCCB": "MTTQ",
		"CAT": "UBND-CB", "PCCB": "UBND-CB", "VNPT-CB": "UBND-CB", "VNPT-CB-TTKD": "VNPT-CB", "BD-CB": "UBND-CB",
		"BHXH": "UBND-CB", "KBNN": "UBND-CB", "THUE": "UBND-CB", "TT-CNSTT": "SKHCN", "SXD": "UBND-CB",
	}
	for code, parent := range want {
		var p string
		if err := db.Pool.QueryRow(ctx, `SELECT COALESCE(parent_code, '') FROM agencies WHERE code = $1`, code).Scan(&p); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if p != parent {
			t.Errorf("%s: parent %s, want %s", code, p, parent)
		}
	}
	var leaders string
	if err := db.Pool.QueryRow(ctx, `SELECT leaders::text FROM agencies WHERE code = 'TT-CNSTT'`).Scan(&leaders); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Nông Văn Thịnh", "0915.260.483"} { // seed 000, section 4
		if !strings.Contains(leaders, s) {
			t.Errorf("support contact %q missing: %s", s, leaders)
		}
	}
}
