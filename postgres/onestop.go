package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// TrackingRow is a dossier as the tracking book lists it.
type TrackingRow struct {
	Code, ProcedureName, Applicant, PhoneMasked, AgencyName string
	ReceivedAt                                              time.Time
	DueAt, Accepted, Approved, Returned                     *time.Time
	Status                                                  cds.AppStatus
}

// TrackingBook lists the dossiers an agency received in [from, to) as rows
// of the tracking book (sổ theo dõi hồ sơ): the dates come from the
// dossier's own events (accepted = sent to processing, approved = result
// back from processing, returned = handed to the citizen). Phones are masked.
func (db *DB) TrackingBook(ctx context.Context, agency string, from, to time.Time) ([]TrackingRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT c.code, COALESCE(pv.spec->>'name', a.procedure_code), COALESCE(u.full_name, ''), COALESCE(u.phone, ''),
		COALESCE(ag.name, c.agency_code, ''), c.received_at, c.due_at,
		(SELECT min(e.at) FROM case_events e WHERE e.workflow_id = c.workflow_id AND e.action = 'accept'),
		(SELECT min(e.at) FROM case_events e WHERE e.workflow_id = c.workflow_id AND e.action = 'approve'),
		(SELECT min(e.at) FROM case_events e WHERE e.workflow_id = c.workflow_id AND e.action = 'return_result'),
		c.status
		FROM cases c JOIN applications a ON a.workflow_id = c.workflow_id
		LEFT JOIN procedure_versions pv ON pv.procedure_code = a.procedure_code AND pv.version = a.submitted_version
		LEFT JOIN users u ON u.id = c.citizen_id LEFT JOIN agencies ag ON ag.code = c.agency_code
		WHERE c.kind = 'application' AND c.agency_code = $1 AND c.received_at >= $2 AND c.received_at < $3
		ORDER BY c.received_at, c.code`, agency, from, to)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrackingRow, error) {
		var e TrackingRow
		var phone string
		err := r.Scan(&e.Code, &e.ProcedureName, &e.Applicant, &phone, &e.AgencyName, &e.ReceivedAt, &e.DueAt,
			&e.Accepted, &e.Approved, &e.Returned, &e.Status)
		e.PhoneMasked = cds.MaskPhone(phone)
		return e, err
	})
	return out, mapErr(err)
}
