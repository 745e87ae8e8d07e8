package reporting

import (
	"encoding/json"
	"time"

	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
)

// appendix1Input turns a campaign's figures into the workbook's input: the
// counted figures frozen at submission or closing, the as-of instant and
// the province-wide figures. now dates an open campaign's workbook.
func appendix1Input(fig postgres.CampaignFigures, now time.Time) (reports.Appendix1Input, error) {
	camp := fig.Campaign
	in := reports.Appendix1Input{CampaignCode: camp.Code, CampaignTitle: camp.Title, Deadline: camp.Deadline, GeneratedAt: now,
		AsOf: fig.AsOf, Closed: fig.Closed, PeriodFrom: camp.PeriodFrom, PeriodTo: camp.PeriodTo,
		Province: reports.ProvinceCounted{Citizens: fig.Province.Citizens, CitizensNoCommune: fig.Province.CitizensNoCommune,
			Officials: fig.Province.Officials, Businesses: fig.Province.Businesses}}
	// A closed campaign's workbook is dated the day it closed, so every later
	// download is the same document.
	if fig.Closed && camp.ClosedAt != nil {
		in.GeneratedAt = *camp.ClosedAt
	}
	for _, u := range fig.Units {
		r := reports.UnitReport{Unit: reports.Unit{Code: u.Agency.Code, Name: u.Agency.Name, Type: u.Agency.Type}, Counted: deploymentCounted(u.Counts),
			CountedAsOf: u.CountsAsOf, CountedSource: u.CountsSource,
			Submitted: u.Version > 0, HasDraft: u.HasDraft, Version: u.Version, SubmittedAt: u.SubmittedAt, Late: u.Late}
		if u.Version > 0 {
			if err := json.Unmarshal(u.Data, &r.Data); err != nil {
				return in, err
			}
		}
		in.Units = append(in.Units, r)
	}
	return in, nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
