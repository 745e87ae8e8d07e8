package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// The steering committee's dashboard: charts drawn on the server as SVG (no
// script), each with its figures as a table and a link to the workbook it
// summarises.

const dashWeeks = 12

// bar is one drawn rectangle with its label.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgChart struct {
	Width, Height float64
	Bars          []bar
	Labels        []svgText
}

type svgText struct {
	X, Y   float64
	Anchor string
	Text   string
}

type weekRow struct {
	Week                        string
	Received, Resolved, Overdue int64
}

type agencyRow struct {
	Name             string
	Finished, OnTime int64
	Rate             string
}

type unitRow struct {
	Name, Status      string
	Late              bool
	Declared, Counted int64
	Target            int64
}

type dashboardView struct {
	Weeks       []weekRow
	WeeksChart  svgChart
	Agencies    []agencyRow
	OnTimeChart svgChart
	Campaign    *postgres.ReportCampaign
	Units       []unitRow
	Reported    int
	LateCount   int
	UnitsChart  svgChart
	StatsURL    string
}

func (s reportPages) consoleDashboard(c *gin.Context) {
	ctx := c.Request.Context()
	v := dashboardView{}
	weeks, err := s.DB.CasesPerWeek(ctx, dashWeeks)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var max int64 = 1
	for _, w := range weeks {
		v.Weeks = append(v.Weeks, weekRow{vnDate(w.Week), w.Received, w.Resolved, w.Overdue})
		max = max64(max, w.Received, w.Resolved, w.Overdue)
	}
	v.WeeksChart = weeksChart(v.Weeks, max)
	from := time.Now().AddDate(0, 0, -7*dashWeeks)
	v.StatsURL = "/console/reports/case-stats.xlsx?from=" + isoDate(from) + "&to=" + isoDate(time.Now())
	ontime, err := s.DB.OnTimeByAgency(ctx, from)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	for _, a := range ontime {
		v.Agencies = append(v.Agencies, agencyRow{a.Name, a.Finished, a.OnTime, fmt.Sprintf("%.0f%%", 100*float64(a.OnTime)/float64(a.Finished))})
	}
	v.OnTimeChart = hbarChart(v.Agencies)
	camps, err := s.DB.ReportCampaigns(ctx, "")
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if len(camps) > 0 {
		v.Campaign = &camps[0]
		figs, err := s.DB.CampaignFigures(ctx, camps[0].Code, time.Now())
		if err != nil {
			api.WriteError(c, err)
			return
		}
		units := figs.Units
		for _, u := range units {
			r := unitRow{Name: u.Agency.Name, Late: u.Late, Counted: u.Counts.OfficialsRegistered}
			switch {
			case u.Version > 0:
				r.Status = "Đã báo cáo"
				v.Reported++
				var d reports.DeploymentData
				if json.Unmarshal(u.Data, &d) == nil {
					if d.OfficialsInstalled != nil {
						r.Declared = *d.OfficialsInstalled
					}
					if d.TotalOfficials != nil {
						r.Target = *d.TotalOfficials
					}
				}
			case time.Now().After(camps[0].Deadline):
				r.Status, r.Late = "Chưa báo cáo – quá hạn", true
			default:
				r.Status = "Chưa báo cáo"
			}
			if r.Late {
				v.LateCount++
			}
			v.Units = append(v.Units, r)
		}
		v.UnitsChart = unitsChart(v.Units)
	}
	s.renderConsole(c, http.StatusOK, "dashboard", consolePage{Title: "Tổng quan Ban Chỉ đạo", Nav: "dashboard", Data: v})
}

func max64(m int64, xs ...int64) int64 {
	for _, x := range xs {
		if x > m {
			m = x
		}
	}
	return m
}

// weeksChart: three bars a week (received, resolved, overdue).
func weeksChart(rows []weekRow, max int64) svgChart {
	const h, top, bottom, group = 200.0, 10.0, 30.0, 60.0
	ch := svgChart{Width: group*float64(len(rows)) + 20, Height: h + top + bottom}
	for i, r := range rows {
		x0 := 10 + group*float64(i)
		for j, kv := range []struct {
			n     int64
			class string
			name  string
		}{{r.Received, "bar-received", "tiếp nhận"}, {r.Resolved, "bar-resolved", "giải quyết"}, {r.Overdue, "bar-overdue", "quá hạn"}} {
			bh := h * float64(kv.n) / float64(max)
			ch.Bars = append(ch.Bars, bar{X: x0 + float64(j)*16, Y: top + h - bh, W: 14, H: bh, Class: kv.class,
				Title: fmt.Sprintf("Tuần %s: %d %s", r.Week, kv.n, kv.name)})
		}
		ch.Labels = append(ch.Labels, svgText{x0 + 24, top + h + 18, "middle", r.Week[:5]})
	}
	return ch
}

// hbarChart: one horizontal bar per agency, its on-time rate.
func hbarChart(rows []agencyRow) svgChart {
	const w, left, row = 400.0, 260.0, 24.0
	ch := svgChart{Width: left + w + 60, Height: row*float64(len(rows)) + 10}
	for i, r := range rows {
		y := 5 + row*float64(i)
		bw := w * float64(r.OnTime) / float64(r.Finished)
		ch.Bars = append(ch.Bars, bar{X: left, Y: y, W: bw, H: row - 6, Class: "bar-resolved", Title: r.Name + ": " + r.Rate})
		ch.Labels = append(ch.Labels, svgText{left - 6, y + 13, "end", r.Name}, svgText{left + bw + 6, y + 13, "start", r.Rate})
	}
	return ch
}

// unitsChart: per unit, officials installed (counted by the platform)
// against the unit's declared total; grey when not reported, red when late.
func unitsChart(rows []unitRow) svgChart {
	const w, left, row = 400.0, 260.0, 24.0
	ch := svgChart{Width: left + w + 120, Height: row*float64(len(rows)) + 10}
	for i, r := range rows {
		y := 5 + row*float64(i)
		class, bw, label := "bar-missing", w, r.Status
		if r.Late {
			class = "bar-late"
		}
		if r.Target > 0 {
			class = "bar-received"
			bw = w * float64(min(r.Counted, r.Target)) / float64(r.Target)
			label = fmt.Sprintf("%d/%d", r.Counted, r.Target)
		}
		ch.Bars = append(ch.Bars, bar{X: left, Y: y, W: bw, H: row - 6, Class: class, Title: r.Name + ": " + label})
		ch.Labels = append(ch.Labels, svgText{left - 6, y + 13, "end", r.Name}, svgText{left + bw + 6, y + 13, "start", label})
	}
	return ch
}
