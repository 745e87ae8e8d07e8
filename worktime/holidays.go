package worktime

// DefaultDays returns the public holidays and make-up working days for
// 2025–2027 (Labor Code 2019 Art. 112 plus the yearly government notices). It
// seeds the admin-editable calendar table; admins correct it when the
// government announces the exact Tết span or a day swap. Lunar dates were
// converted for Vietnam (UTC+7); 2027 entries are provisional until the notice.
func DefaultDays() []Day {
	h := func(date, name string) Day { return Day{Date: date, Kind: Holiday, Name: name} }
	w := func(date, name string) Day { return Day{Date: date, Kind: Workday, Name: name} }
	return []Day{
		// 2025
		h("2025-01-01", "Tết Dương lịch / New Year's Day"),
		h("2025-01-27", "Tết Nguyên đán Ất Tỵ / Lunar New Year"),
		h("2025-01-28", "Tết Nguyên đán Ất Tỵ / Lunar New Year"),
		h("2025-01-29", "Tết Nguyên đán Ất Tỵ / Lunar New Year"),
		h("2025-01-30", "Tết Nguyên đán Ất Tỵ / Lunar New Year"),
		h("2025-01-31", "Tết Nguyên đán Ất Tỵ / Lunar New Year"),
		h("2025-04-07", "Giỗ Tổ Hùng Vương / Hung Kings' Day"),
		w("2025-04-26", "Làm bù cho ngày 02/5 / Make-up working day for 2 May"),
		h("2025-04-30", "Ngày Chiến thắng / Reunification Day"),
		h("2025-05-01", "Quốc tế Lao động / Labour Day"),
		h("2025-05-02", "Nghỉ hoán đổi (bù bằng thứ Bảy 26/4) / Swapped day off"),
		h("2025-09-01", "Quốc khánh (ngày liền kề) / National Day (adjacent day)"),
		h("2025-09-02", "Quốc khánh / National Day"),
		// 2026
		h("2026-01-01", "Tết Dương lịch / New Year's Day"),
		h("2026-02-16", "Tết Nguyên đán Bính Ngọ / Lunar New Year"),
		h("2026-02-17", "Tết Nguyên đán Bính Ngọ / Lunar New Year"),
		h("2026-02-18", "Tết Nguyên đán Bính Ngọ / Lunar New Year"),
		h("2026-02-19", "Tết Nguyên đán Bính Ngọ / Lunar New Year"),
		h("2026-02-20", "Tết Nguyên đán Bính Ngọ / Lunar New Year"),
		h("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (26/4 là Chủ nhật) / Hung Kings' Day in lieu"),
		h("2026-04-30", "Ngày Chiến thắng / Reunification Day"),
		h("2026-05-01", "Quốc tế Lao động / Labour Day"),
		h("2026-09-01", "Quốc khánh (ngày liền kề) / National Day (adjacent day)"),
		h("2026-09-02", "Quốc khánh / National Day"),
		// 2027 (provisional)
		h("2027-01-01", "Tết Dương lịch / New Year's Day"),
		h("2027-02-04", "Tết Nguyên đán Đinh Mùi (bù ngày Thứ Bảy) / Lunar New Year"),
		h("2027-02-05", "Tết Nguyên đán Đinh Mùi / Lunar New Year"),
		h("2027-02-08", "Tết Nguyên đán Đinh Mùi / Lunar New Year"),
		h("2027-02-09", "Tết Nguyên đán Đinh Mùi / Lunar New Year"),
		h("2027-02-10", "Tết Nguyên đán Đinh Mùi (bù ngày Chủ nhật) / Lunar New Year"),
		h("2027-04-16", "Giỗ Tổ Hùng Vương / Hung Kings' Day"),
		h("2027-04-30", "Ngày Chiến thắng / Reunification Day"),
		h("2027-05-03", "Nghỉ bù Quốc tế Lao động (1/5 là Thứ Bảy) / Labour Day in lieu"),
		h("2027-09-02", "Quốc khánh / National Day"),
		h("2027-09-03", "Quốc khánh (ngày liền kề) / National Day (adjacent day)"),
	}
}
