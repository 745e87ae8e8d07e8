package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// ApplicationRequest is a dossier as a person files it: a citizen online,
// or one-stop desk staff in person for the citizen CitizenID.
type ApplicationRequest struct {
	CitizenID     int64
	ProcedureCode string
	Form          map[string]any
	DocumentIDs   []string
	Key           string // Idempotency-Key
}

// PrepareApplication validates a dossier strictly against the procedure in
// force (the one check both the JSON API and the console's desk use; nothing
// is written): who files for whom, the form, the documents (the citizen's,
// or scanned by the desk), and the receiving agency.
func (s *Service) PrepareApplication(ctx context.Context, me cds.Actor, r ApplicationRequest, now time.Time) (ApplicationSubmission, error) {
	owner, channel := me, "online"
	if r.CitizenID != 0 {
		if !me.IsStaff() || r.CitizenID == me.UserID {
			return ApplicationSubmission{}, cds.Errorf(cds.EINVALID, "Chỉ cán bộ tiếp nhận được nộp thay công dân.", "Only desk staff may submit for a citizen.").WithField("citizen_id", "not allowed")
		}
		cit, err := s.DB.ApplicationCitizen(ctx, r.CitizenID)
		if err != nil {
			return ApplicationSubmission{}, cds.Errorf(cds.EINVALID, "Công dân không tồn tại.", "No such citizen.").WithField("citizen_id", "unknown")
		}
		owner, channel = cit, "in_person"
	} else if !me.Has(cds.RoleCitizen) {
		return ApplicationSubmission{}, cds.Errorf(cds.EINVALID, "Cán bộ nộp thay cần citizen_id.", "Staff must name the citizen.").WithField("citizen_id", "required")
	}
	if strings.TrimSpace(r.ProcedureCode) == "" {
		return ApplicationSubmission{}, cds.Errorf(cds.EINVALID, "Chưa chọn thủ tục.", "No procedure chosen.").WithField("procedure_code", "Bắt buộc / required")
	}
	proc, err := s.DB.ProcedureAt(ctx, r.ProcedureCode, now)
	if cds.ErrorCode(err) == cds.ENOTFOUND {
		return ApplicationSubmission{}, cds.Errorf(cds.EINVALID, "Thủ tục không tồn tại.", "No such procedure.").WithField("procedure_code", "Không tồn tại / unknown")
	} else if err != nil {
		return ApplicationSubmission{}, err
	}
	form, verr := proc.ValidateForm(r.Form)
	if verr == nil {
		verr = cds.Errorf(cds.EINVALID, "Hồ sơ chưa hợp lệ.", "The dossier is invalid.")
	}
	docs := dedupe(r.DocumentIDs)
	required := 0
	for _, d := range proc.Documents {
		if d.Required {
			required++
		}
	}
	if len(docs) < required {
		verr.WithField("document_ids", fmt.Sprintf("Cần ít nhất %d giấy tờ / at least %d documents required", required, required))
	} else if len(docs) > 0 {
		owned, err := s.DB.ApplicationOwnedMedia(ctx, owner.UserID, docs)
		if err != nil {
			return ApplicationSubmission{}, err
		}
		scanned := map[string]bool{} // documents the desk scanned
		if channel == "in_person" {
			if scanned, err = s.DB.ApplicationOwnedMedia(ctx, me.UserID, docs); err != nil {
				return ApplicationSubmission{}, err
			}
		}
		for _, id := range docs {
			if !owned[id] && !scanned[id] {
				verr.WithField("document_ids", "Giấy tờ không tồn tại hoặc không thuộc về bạn / unknown document "+id)
			}
		}
	}
	agency := proc.AgencyCode
	if agency == "" {
		code, _ := form["commune_code"].(string)
		if a, err := s.DB.ApplicationAgency(ctx, code); code != "" && (err != nil || a.Type != cds.AgencyCommune) {
			verr.WithField("form.commune_code", "Không phải xã, phường của tỉnh / not a commune of the province")
		}
		agency = code
	}
	if len(verr.Fields) > 0 {
		return ApplicationSubmission{}, verr
	}
	return ApplicationSubmission{Citizen: owner, Channel: channel, Procedure: proc, Agency: agency, Form: form, DocumentIDs: docs,
		At: now, KeyOwner: me.UserID, Key: r.Key}, nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
