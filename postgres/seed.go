package postgres

import (
	"context"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/worktime"
)

// ProvinceCode is the root of the agency hierarchy.
const ProvinceCode = "UBND-CB"

// DemoAgencies are Cao Bằng's units after the 07/2025 reorganisation: the
// province, its departments and the steering committee, central agencies in
// the province, and communes/wards directly under the province (no district level).
var DemoAgencies = []cds.Agency{
	{Code: ProvinceCode, Name: "Ủy ban nhân dân tỉnh Cao Bằng", Type: cds.AgencyProvince},
	{Code: "BCD-CDS", Name: "Ban Chỉ đạo chuyển đổi số tỉnh Cao Bằng", Type: cds.AgencyProvince, ParentCode: ProvinceCode},
	{Code: "TTPVHCC", Name: "Trung tâm Phục vụ hành chính công tỉnh (điều phối)", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "VP-UBND", Name: "Văn phòng Ủy ban nhân dân tỉnh", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SXD", Name: "Sở Xây dựng", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SNNMT", Name: "Sở Nông nghiệp và Môi trường", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SCT", Name: "Sở Công Thương", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SYT", Name: "Sở Y tế", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SGDDT", Name: "Sở Giáo dục và Đào tạo", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "STP", Name: "Sở Tư pháp", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SNV", Name: "Sở Nội vụ", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "STC", Name: "Sở Tài chính", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "SVHTTDL", Name: "Sở Văn hóa, Thể thao và Du lịch", Type: cds.AgencyDepartment, ParentCode: ProvinceCode},
	{Code: "CAT", Name: "Công an tỉnh Cao Bằng", Type: cds.AgencyCentral, ParentCode: ProvinceCode},
	{Code: "PCCB", Name: "Công ty Điện lực Cao Bằng", Type: cds.AgencyCentral, ParentCode: ProvinceCode},
	{Code: "VNPT-CB", Name: "VNPT Cao Bằng", Type: cds.AgencyCentral, ParentCode: ProvinceCode},
	{Code: "HND", Name: "Hội Nông dân tỉnh", Type: cds.AgencyAssociation, ParentCode: ProvinceCode},
	{Code: "TDTN", Name: "Tỉnh Đoàn Cao Bằng", Type: cds.AgencyAssociation, ParentCode: ProvinceCode},
	{Code: "P-THUCPHAN", Name: "Phường Thục Phán", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "P-NUNGTRICAO", Name: "Phường Nùng Trí Cao", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "P-TANGIANG", Name: "Phường Tân Giang", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-HOAAN", Name: "Xã Hòa An", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-TRUNGKHANH", Name: "Xã Trùng Khánh", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-BAOLAC", Name: "Xã Bảo Lạc", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-QUANGHOA", Name: "Xã Quảng Hòa", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-HAQUANG", Name: "Xã Hà Quảng", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-NGUYENBINH", Name: "Xã Nguyên Bình", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
	{Code: "X-DONGKHE", Name: "Xã Đông Khê", Type: cds.AgencyCommune, ParentCode: ProvinceCode},
}

// SeedBase loads the agencies and the official calendar. It is idempotent and
// runs at every start, so tests and fresh installs share one baseline.
func (db *DB) SeedBase(ctx context.Context) error {
	for _, a := range DemoAgencies {
		if err := db.UpsertAgency(ctx, a); err != nil {
			return err
		}
	}
	for _, d := range worktime.DefaultDays() {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO work_calendar_days (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING`, d.Date, d.Kind, d.Name); err != nil {
			return mapErr(err)
		}
	}
	return nil
}
