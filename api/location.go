package api

import (
	"math"
	"regexp"
	"strings"
)

// PublicCoord rounds a coordinate for public views to 3 decimal places:
// about 111 m of latitude and, at Cao Bằng's latitude (~22.7°N), about
// 103 m of longitude. The reporter and staff see the exact point.
func PublicCoord(f float64) float64 { return math.Round(f*1000) / 1000 }

var (
	// A part that only places a house: "Số 12", "ngõ 5", "tổ 3", "nhà 4B".
	housePart = regexp.MustCompile(`(?i)^(số|so|nhà|nha|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|tổ|to|lô|lo|thửa|thua|căn hộ|phòng|km)(\s|$)|^\d`)
	// A house number before a street name: "12 Hoàng Đình Giong", "12A/3 Kim Đồng".
	houseNumber = regexp.MustCompile(`^(?i:(số|so|nhà|nha)\s*)?\d+[\p{L}\d/\-]*\s+`)
)

// PublicPlace is the place of a report as the public sees it: the street
// (house numbers, lanes and residential groups dropped) and the commune or
// ward, e.g. "12 Hoàng Đình Giong" in Phường Thục Phán →
// "Hoàng Đình Giong, Phường Thục Phán".
func PublicPlace(address, communeName string) string {
	street, commune := "", ""
	for _, part := range strings.Split(address, ",") {
		p := strings.TrimSpace(houseNumber.ReplaceAllString(strings.TrimSpace(part), ""))
		low := strings.ToLower(p)
		switch {
		case p == "" || housePart.MatchString(p) || strings.HasPrefix(low, "tỉnh") || strings.HasPrefix(low, "thành phố"):
		case strings.HasPrefix(low, "phường") || strings.HasPrefix(low, "xã") || strings.EqualFold(p, communeName):
			if commune == "" {
				commune = p
			}
		case street == "":
			street = p
		}
	}
	if communeName != "" {
		commune = communeName // the case's own commune, as the directory names it
	}
	switch {
	case street == "":
		return commune
	case commune == "":
		return street
	}
	return street + ", " + commune
}
