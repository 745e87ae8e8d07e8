-- +goose Up
-- Reference data of Cao Bằng as product data (docs/reference-data.md cites
-- every source). Internal codes (agencies.code) stay the keys every other
-- table and the Casbin domains use; the official administrative-unit code of
-- the national list goes into admin_code. Units that no longer exist keep
-- their row with in_force_to, so old campaigns and cases still name them.
ALTER TABLE agencies DROP CONSTRAINT IF EXISTS agencies_type_check;
ALTER TABLE agencies ADD CONSTRAINT agencies_type_check
    CHECK (type IN ('province','department','commune','central','association','district'));
ALTER TABLE agencies
    ADD COLUMN admin_code    text UNIQUE,          -- mã đơn vị hành chính (Quyết định 19/2025/QĐ-TTg)
    ADD COLUMN in_force_from date,                  -- NULL: before any date we track
    ADD COLUMN in_force_to   date,                  -- NULL: in force today
    ADD COLUMN verified      boolean NOT NULL DEFAULT true, -- false: name or parent not confirmed by a cited source
    ADD COLUMN ref_note      text NOT NULL DEFAULT '';      -- what is not confirmed, or the source

CREATE TEMP TABLE ref_units (
    code text, name text, type text, parent_code text, admin_code text,
    in_force_from date, in_force_to date, verified boolean, ref_note text
) ON COMMIT DROP;

-- Province and provincial bodies. UBND-CB, BCD-CDS, TTPVHCC and VP-UBND are
-- the units the platform already used.
INSERT INTO ref_units VALUES
('UBND-CB', 'Ủy ban nhân dân tỉnh Cao Bằng', 'province', NULL, '04', NULL, NULL, true, ''),
('BCD-CDS', 'Ban Chỉ đạo chuyển đổi số tỉnh Cao Bằng', 'province', 'UBND-CB', NULL, NULL, NULL, true, 'Ban Chỉ đạo nhận báo cáo theo công văn triển khai (seed 000).'),
('TTPVHCC', 'Trung tâm Phục vụ hành chính công tỉnh', 'department', 'UBND-CB', NULL, NULL, NULL, false, 'Đơn vị điều phối của nền tảng; tên chính thức chưa đối chiếu.'),
('VP-UBND', 'Văn phòng Ủy ban nhân dân tỉnh', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
-- Departments after the 2025 reorganisation (docs/reference-data.md §3): the
-- national names; the province's own decisions naming them were not found.
('SNV', 'Sở Nội vụ', 'department', 'UBND-CB', NULL, '2025-03-01', NULL, true, ''),
('STP', 'Sở Tư pháp', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('STC', 'Sở Tài chính', 'department', 'UBND-CB', NULL, '2025-03-01', NULL, true, ''),
('SCT', 'Sở Công Thương', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('SNNMT', 'Sở Nông nghiệp và Môi trường', 'department', 'UBND-CB', NULL, '2025-03-01', NULL, true, ''),
('SXD', 'Sở Xây dựng', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('SKHCN', 'Sở Khoa học và Công nghệ', 'department', 'UBND-CB', NULL, '2025-03-01', NULL, true, ''),
('SGDDT', 'Sở Giáo dục và Đào tạo', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('SYT', 'Sở Y tế', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('SVHTTDL', 'Sở Văn hóa, Thể thao và Du lịch', 'department', 'UBND-CB', NULL, NULL, NULL, true, ''),
('SDTTG', 'Sở Dân tộc và Tôn giáo', 'department', 'UBND-CB', NULL, '2025-03-01', NULL, false, 'Chưa đối chiếu quyết định thành lập của UBND tỉnh.'),
('SNGV', 'Sở Ngoại vụ', 'department', 'UBND-CB', NULL, NULL, NULL, false, 'Tỉnh biên giới; việc duy trì Sở sau 2025 chưa đối chiếu văn bản.'),
('TTRA', 'Thanh tra tỉnh', 'department', 'UBND-CB', NULL, NULL, NULL, false, 'Tổ chức thanh tra sau 2025 chưa đối chiếu văn bản.'),
('BQLKKT', 'Ban Quản lý Khu kinh tế tỉnh', 'department', 'UBND-CB', NULL, NULL, NULL, false, 'Chưa đối chiếu văn bản.'),
('TT-CNSTT', 'Trung tâm Công nghệ số và Truyền thông', 'department', 'SKHCN', NULL, NULL, NULL, false,
    'Đầu mối hỗ trợ theo công văn triển khai (khi đó thuộc Sở Thông tin và Truyền thông); đơn vị chủ quản sau hợp nhất vào Sở Khoa học và Công nghệ chưa đối chiếu.'),
-- The Fatherland Front and the socio-political organisations. Since the 2025
-- reorganisation these work under the Front, hence the parent.
('MTTQ', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Cao Bằng', 'association', 'UBND-CB', NULL, NULL, NULL, true, ''),
('LDLD', 'Liên đoàn Lao động tỉnh Cao Bằng', 'association', 'MTTQ', NULL, NULL, NULL, false, 'Quan hệ trực thuộc Mặt trận sau 2025 chưa đối chiếu văn bản của tỉnh.'),
('HLHPN', 'Hội Liên hiệp Phụ nữ tỉnh Cao Bằng', 'association', 'MTTQ', NULL, NULL, NULL, false, 'Quan hệ trực thuộc Mặt trận sau 2025 chưa đối chiếu văn bản của tỉnh.'),
('HND', 'Hội Nông dân tỉnh Cao Bằng', 'association', 'MTTQ', NULL, NULL, NULL, false, 'Quan hệ trực thuộc Mặt trận sau 2025 chưa đối chiếu văn bản của tỉnh.'),
('TDTN', 'Tỉnh Đoàn Cao Bằng', 'association', 'MTTQ', NULL, NULL, NULL, false, 'Quan hệ trực thuộc Mặt trận sau 2025 chưa đối chiếu văn bản của tỉnh.'),
('HCCB', 'Hội Cựu chiến binh tỉnh Cao Bằng', 'association', 'MTTQ', NULL, NULL, NULL, false, 'Quan hệ trực thuộc Mặt trận sau 2025 chưa đối chiếu văn bản của tỉnh.'),
-- Central agencies in the province the letter addresses, with their sub-units.
('CAT', 'Công an tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, true, ''),
('BCHQS', 'Bộ Chỉ huy Quân sự tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, false, 'Tên sau 2025 chưa đối chiếu.'),
('BDBP', 'Bộ Chỉ huy Bộ đội Biên phòng tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, true, ''),
('PCCB', 'Công ty Điện lực Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, true, 'Thuộc Tổng công ty Điện lực miền Bắc (EVNNPC).'),
('VNPT-CB', 'VNPT Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, true, 'Được nêu trong công văn triển khai (seed 000).'),
('VNPT-CB-TTKD', 'Trung tâm Kinh doanh VNPT Cao Bằng', 'central', 'VNPT-CB', NULL, NULL, NULL, true, 'Đầu mối hỗ trợ theo công văn triển khai (seed 000).'),
('VIETTEL-CB', 'Viettel Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, false, 'Tên chi nhánh chưa đối chiếu.'),
('BD-CB', 'Bưu điện tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, false, 'Tên chưa đối chiếu.'),
('BHXH', 'Bảo hiểm xã hội tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, false, 'Sắp xếp BHXH theo khu vực năm 2025: tên cơ quan phụ trách địa bàn chưa đối chiếu.'),
('KBNN', 'Kho bạc Nhà nước trên địa bàn tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, NULL, NULL, false, 'Sắp xếp Kho bạc theo khu vực năm 2025: tên cơ quan phụ trách địa bàn chưa đối chiếu.'),
('THUE', 'Thuế tỉnh Cao Bằng', 'central', 'UBND-CB', NULL, '2025-07-01', NULL, false, 'Tên cơ quan thuế sau sắp xếp 2025 chưa đối chiếu.'),
-- District-level units abolished on 1 July 2025 (two-level local government).
-- The 2025 campaign addressed them ("UBND các huyện, thành phố").
('H-TPCB', 'Ủy ban nhân dân thành phố Cao Bằng', 'district', 'UBND-CB', '040', NULL, '2025-06-30', true, ''),
('H-BAOLAM', 'Ủy ban nhân dân huyện Bảo Lâm', 'district', 'UBND-CB', '042', NULL, '2025-06-30', true, ''),
('H-BAOLAC', 'Ủy ban nhân dân huyện Bảo Lạc', 'district', 'UBND-CB', '043', NULL, '2025-06-30', true, ''),
('H-HAQUANG', 'Ủy ban nhân dân huyện Hà Quảng', 'district', 'UBND-CB', '045', NULL, '2025-06-30', true, ''),
('H-TRUNGKHANH', 'Ủy ban nhân dân huyện Trùng Khánh', 'district', 'UBND-CB', '047', NULL, '2025-06-30', true, ''),
('H-HALANG', 'Ủy ban nhân dân huyện Hạ Lang', 'district', 'UBND-CB', '048', NULL, '2025-06-30', true, ''),
('H-QUANGHOA', 'Ủy ban nhân dân huyện Quảng Hòa', 'district', 'UBND-CB', '049', NULL, '2025-06-30', true, ''),
('H-HOAAN', 'Ủy ban nhân dân huyện Hòa An', 'district', 'UBND-CB', '051', NULL, '2025-06-30', true, ''),
('H-NGUYENBINH', 'Ủy ban nhân dân huyện Nguyên Bình', 'district', 'UBND-CB', '052', NULL, '2025-06-30', true, ''),
('H-THACHAN', 'Ủy ban nhân dân huyện Thạch An', 'district', 'UBND-CB', '053', NULL, '2025-06-30', true, '');

-- The 56 commune-level units in force since 1 July 2025 (Nghị quyết
-- 1657/NQ-UBTVQH15 ngày 16/6/2025), with their codes from the national list.
INSERT INTO ref_units VALUES
('P-THUCPHAN', 'Phường Thục Phán', 'commune', 'UBND-CB', '01273', '2025-07-01', NULL, true, ''),
('P-NUNGTRICAO', 'Phường Nùng Trí Cao', 'commune', 'UBND-CB', '01279', '2025-07-01', NULL, true, ''),
('P-TANGIANG', 'Phường Tân Giang', 'commune', 'UBND-CB', '01288', '2025-07-01', NULL, true, ''),
('X-BAOLAM', 'Xã Bảo Lâm', 'commune', 'UBND-CB', '01290', '2025-07-01', NULL, true, ''),
('X-LYBON', 'Xã Lý Bôn', 'commune', 'UBND-CB', '01294', '2025-07-01', NULL, true, ''),
('X-NAMQUANG', 'Xã Nam Quang', 'commune', 'UBND-CB', '01297', '2025-07-01', NULL, true, ''),
('X-QUANGLAM', 'Xã Quảng Lâm', 'commune', 'UBND-CB', '01304', '2025-07-01', NULL, true, ''),
('X-YENTHO', 'Xã Yên Thổ', 'commune', 'UBND-CB', '01318', '2025-07-01', NULL, true, ''),
('X-BAOLAC', 'Xã Bảo Lạc', 'commune', 'UBND-CB', '01321', '2025-07-01', NULL, true, ''),
('X-COCPANG', 'Xã Cốc Pàng', 'commune', 'UBND-CB', '01324', '2025-07-01', NULL, true, ''),
('X-COBA', 'Xã Cô Ba', 'commune', 'UBND-CB', '01327', '2025-07-01', NULL, true, ''),
('X-KHANHXUAN', 'Xã Khánh Xuân', 'commune', 'UBND-CB', '01336', '2025-07-01', NULL, true, ''),
('X-XUANTRUONG', 'Xã Xuân Trường', 'commune', 'UBND-CB', '01339', '2025-07-01', NULL, true, ''),
('X-HUNGDAO', 'Xã Hưng Đạo', 'commune', 'UBND-CB', '01351', '2025-07-01', NULL, true, ''),
('X-HUYGIAP', 'Xã Huy Giáp', 'commune', 'UBND-CB', '01354', '2025-07-01', NULL, true, ''),
('X-SONLO', 'Xã Sơn Lộ', 'commune', 'UBND-CB', '01360', '2025-07-01', NULL, true, ''),
('X-THONGNONG', 'Xã Thông Nông', 'commune', 'UBND-CB', '01363', '2025-07-01', NULL, true, ''),
('X-CANYEN', 'Xã Cần Yên', 'commune', 'UBND-CB', '01366', '2025-07-01', NULL, true, ''),
('X-THANHLONG', 'Xã Thanh Long', 'commune', 'UBND-CB', '01387', '2025-07-01', NULL, true, ''),
('X-TRUONGHA', 'Xã Trường Hà', 'commune', 'UBND-CB', '01392', '2025-07-01', NULL, true, ''),
('X-LUNGNAM', 'Xã Lũng Nặm', 'commune', 'UBND-CB', '01393', '2025-07-01', NULL, true, ''),
('X-TONGCOT', 'Xã Tổng Cọt', 'commune', 'UBND-CB', '01414', '2025-07-01', NULL, true, ''),
('X-HAQUANG', 'Xã Hà Quảng', 'commune', 'UBND-CB', '01438', '2025-07-01', NULL, true, ''),
('X-TRALINH', 'Xã Trà Lĩnh', 'commune', 'UBND-CB', '01447', '2025-07-01', NULL, true, ''),
('X-QUANGHAN', 'Xã Quang Hán', 'commune', 'UBND-CB', '01456', '2025-07-01', NULL, true, ''),
('X-QUANGTRUNG', 'Xã Quang Trung', 'commune', 'UBND-CB', '01465', '2025-07-01', NULL, true, ''),
('X-TRUNGKHANH', 'Xã Trùng Khánh', 'commune', 'UBND-CB', '01477', '2025-07-01', NULL, true, ''),
('X-DINHPHONG', 'Xã Đình Phong', 'commune', 'UBND-CB', '01489', '2025-07-01', NULL, true, ''),
('X-DAMTHUY', 'Xã Đàm Thủy', 'commune', 'UBND-CB', '01501', '2025-07-01', NULL, true, ''),
('X-DOAIDUONG', 'Xã Đoài Dương', 'commune', 'UBND-CB', '01525', '2025-07-01', NULL, true, ''),
('X-LYQUOC', 'Xã Lý Quốc', 'commune', 'UBND-CB', '01537', '2025-07-01', NULL, true, ''),
('X-QUANGLONG', 'Xã Quang Long', 'commune', 'UBND-CB', '01552', '2025-07-01', NULL, true, ''),
('X-HALANG', 'Xã Hạ Lang', 'commune', 'UBND-CB', '01558', '2025-07-01', NULL, true, ''),
('X-VINHQUY', 'Xã Vinh Quý', 'commune', 'UBND-CB', '01561', '2025-07-01', NULL, true, ''),
('X-QUANGUYEN', 'Xã Quảng Uyên', 'commune', 'UBND-CB', '01576', '2025-07-01', NULL, true, ''),
('X-DOCLAP', 'Xã Độc Lập', 'commune', 'UBND-CB', '01594', '2025-07-01', NULL, true, ''),
('X-HANHPHUC', 'Xã Hạnh Phúc', 'commune', 'UBND-CB', '01618', '2025-07-01', NULL, true, ''),
('X-BEVANDAN', 'Xã Bế Văn Đàn', 'commune', 'UBND-CB', '01636', '2025-07-01', NULL, true, ''),
('X-PHUCHOA', 'Xã Phục Hòa', 'commune', 'UBND-CB', '01648', '2025-07-01', NULL, true, ''),
('X-HOAAN', 'Xã Hòa An', 'commune', 'UBND-CB', '01654', '2025-07-01', NULL, true, ''),
('X-NAMTUAN', 'Xã Nam Tuấn', 'commune', 'UBND-CB', '01660', '2025-07-01', NULL, true, ''),
('X-NGUYENHUE', 'Xã Nguyễn Huệ', 'commune', 'UBND-CB', '01699', '2025-07-01', NULL, true, ''),
('X-BACHDANG', 'Xã Bạch Đằng', 'commune', 'UBND-CB', '01708', '2025-07-01', NULL, true, ''),
('X-NGUYENBINH', 'Xã Nguyên Bình', 'commune', 'UBND-CB', '01726', '2025-07-01', NULL, true, ''),
('X-TINHTUC', 'Xã Tĩnh Túc', 'commune', 'UBND-CB', '01729', '2025-07-01', NULL, true, ''),
('X-CATHANH', 'Xã Ca Thành', 'commune', 'UBND-CB', '01738', '2025-07-01', NULL, true, ''),
('X-MINHTAM', 'Xã Minh Tâm', 'commune', 'UBND-CB', '01747', '2025-07-01', NULL, true, ''),
('X-PHANTHANH', 'Xã Phan Thanh', 'commune', 'UBND-CB', '01768', '2025-07-01', NULL, true, ''),
('X-TAMKIM', 'Xã Tam Kim', 'commune', 'UBND-CB', '01774', '2025-07-01', NULL, true, ''),
('X-THANHCONG', 'Xã Thành Công', 'commune', 'UBND-CB', '01777', '2025-07-01', NULL, true, ''),
('X-DONGKHE', 'Xã Đông Khê', 'commune', 'UBND-CB', '01786', '2025-07-01', NULL, true, ''),
('X-CANHTAN', 'Xã Canh Tân', 'commune', 'UBND-CB', '01789', '2025-07-01', NULL, true, ''),
('X-KIMDONG', 'Xã Kim Đồng', 'commune', 'UBND-CB', '01792', '2025-07-01', NULL, true, ''),
('X-MINHKHAI', 'Xã Minh Khai', 'commune', 'UBND-CB', '01795', '2025-07-01', NULL, true, ''),
('X-THACHAN', 'Xã Thạch An', 'commune', 'UBND-CB', '01807', '2025-07-01', NULL, true, ''),
('X-DUCLONG', 'Xã Đức Long', 'commune', 'UBND-CB', '01822', '2025-07-01', NULL, true, '')
;

-- Parents first, then children: a parent_code must exist when its row lands.
INSERT INTO agencies (code, name, type, parent_code, admin_code, in_force_from, in_force_to, verified, ref_note)
SELECT code, name, type, NULL, admin_code, in_force_from, in_force_to, verified, ref_note FROM ref_units
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, admin_code = EXCLUDED.admin_code,
    in_force_from = EXCLUDED.in_force_from, in_force_to = EXCLUDED.in_force_to, verified = EXCLUDED.verified,
    ref_note = EXCLUDED.ref_note, updated_at = now();
UPDATE agencies a SET parent_code = r.parent_code FROM ref_units r WHERE a.code = r.code;

-- The support contacts of the deployment letter (seed 000, section 4), as
-- published there: official contacts, not demo data.
UPDATE agencies SET phones = '{"switchboard": "0206.3858068"}',
    leaders = '[{"title": "Phó Giám đốc Trung tâm – đầu mối hỗ trợ triển khai Công dân số", "name": "Nông Văn Thịnh", "phone": "0915.260.483"}]'
    WHERE code = 'TT-CNSTT';
UPDATE agencies SET phones = '{"switchboard": "091.8231888"}',
    leaders = '[{"title": "Giám đốc Phòng Khách hàng doanh nghiệp – đầu mối hỗ trợ triển khai Công dân số", "name": "Hoàng Thị Bích Hạnh", "phone": "091.8231888"}]'
    WHERE code = 'VNPT-CB-TTKD';

-- The demo "Xã Quảng Hòa" never existed: Quảng Hòa was a district until
-- 30/6/2025. Whatever pointed at it moves to Xã Quảng Uyên, the commune
-- holding the former district seat (thị trấn Quảng Uyên).
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM agencies WHERE code = 'X-QUANGHOA') THEN
        UPDATE users SET commune_code = 'X-QUANGUYEN' WHERE commune_code = 'X-QUANGHOA';
        UPDATE users SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE cases SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE news_articles SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE cameras SET area_code = 'X-QUANGUYEN' WHERE area_code = 'X-QUANGHOA';
        UPDATE report_campaign_units SET unit_code = 'X-QUANGUYEN' WHERE unit_code = 'X-QUANGHOA';
        UPDATE user_roles SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE tasks SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE feedback_routes SET commune_code = 'X-QUANGUYEN' WHERE commune_code = 'X-QUANGHOA';
        UPDATE feedback_routes SET agency_code = 'X-QUANGUYEN' WHERE agency_code = 'X-QUANGHOA';
        UPDATE casbin_rule SET v1 = 'X-QUANGUYEN' WHERE v1 = 'X-QUANGHOA';
        UPDATE agencies SET parent_code = 'X-QUANGUYEN' WHERE parent_code = 'X-QUANGHOA';
        DELETE FROM agencies WHERE code = 'X-QUANGHOA';
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DELETE FROM agencies a WHERE a.code NOT IN ('UBND-CB','BCD-CDS','TTPVHCC','VP-UBND','SKHCN','SXD','SNNMT','SCT','SYT','SGDDT','STP','SNV','STC','SVHTTDL','CAT','PCCB','VNPT-CB','HND','TDTN','P-THUCPHAN','P-NUNGTRICAO','P-TANGIANG','X-HOAAN','X-TRUNGKHANH','X-BAOLAC','X-HAQUANG','X-NGUYENBINH','X-DONGKHE','X-QUANGUYEN')
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.commune_code = a.code OR u.agency_code = a.code);
ALTER TABLE agencies DROP COLUMN ref_note, DROP COLUMN verified, DROP COLUMN in_force_to, DROP COLUMN in_force_from, DROP COLUMN admin_code;
