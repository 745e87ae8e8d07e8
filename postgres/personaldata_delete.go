package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// DeletedName is the display name of a deleted account.
const DeletedName = "Người dùng đã xóa tài khoản"

// pseudonym replaces a person's name in a kept dossier form.
const pseudonym = "[đã ẩn danh]"

// personNameFields are the form fields of the seeded procedures that hold a
// person's name (hand-written from postgres/migrations/00031_procedures_seed.sql);
// ID-number and phone fields are found by their type.
var personNameFields = []string{"full_name", "child_full_name", "mother_name", "father_name", "owner_name", "husband_name", "wife_name"}

// DeleteAccount ends every session and anonymises a citizen's account in one
// transaction. Cases stay as public-service records: they keep pointing at
// the anonymised account (a pseudonym), reports show no name, ID-number and
// phone fields leave dossier forms, names in forms are pseudonymised, and the
// citizen's uploads are withheld and hidden from the public view. It returns
// ENOTFOUND when the account is already deleted (so a retry is harmless for
// the caller that treats that as done).
func (db *DB) DeleteAccount(ctx context.Context, userID int64) error {
	return db.anonymise(ctx, userID, "account-deleted", `SELECT kind FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`)
}

// anonymise is the one anonymisation of an account (DeleteAccount, expired
// pending registrations): lock is the query that locks the row and returns
// its kind ($1 the user, then lockArgs), or no row when the account is not
// (or no longer) to anonymise.
func (db *DB) anonymise(ctx context.Context, userID int64, auditAction, lock string, lockArgs ...any) error {
	return mapErr(pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var kind string
		err := tx.QueryRow(ctx, lock, append([]any{userID}, lockArgs...)...).Scan(&kind)
		if err == pgx.ErrNoRows {
			return cds.Errorf(cds.ENOTFOUND, "Tài khoản không còn tồn tại.", "The account no longer exists.")
		} else if err != nil {
			return err
		}
		stmts := []string{
			`UPDATE sessions SET revoked_at = now(), revoke_reason = 'account-deleted' WHERE user_id = $1 AND revoked_at IS NULL`,
			`DELETE FROM password_resets WHERE user_id = $1`,
			`DELETE FROM oidc_states WHERE link_user_id = $1`,
			`DELETE FROM user_identities WHERE user_id = $1`,
			`DELETE FROM idempotency_keys WHERE user_id = $1`,
			`DELETE FROM notifications WHERE user_id = $1`,
			`DELETE FROM feedback_followers WHERE user_id = $1`,
			`UPDATE users SET full_name = '` + DeletedName + `', phone = NULL, username = NULL, email = '', address = '',
				commune_code = NULL, password_hash = '', status = 'deleted', deleted_at = now(), updated_at = now() WHERE id = $1`,
			`UPDATE feedback_reports r SET hide_name = true FROM cases c WHERE c.workflow_id = r.workflow_id AND c.citizen_id = $1`,
			`UPDATE media SET withheld_at = now() WHERE owner_id = $1 AND withheld_at IS NULL`,
			`UPDATE feedback_media fm SET redacted = true FROM media m WHERE m.id = fm.media_id AND m.owner_id = $1`,
			// ID-number and phone fields leave the form (by the type the
			// procedure version gave them); person names are pseudonymised.
			`UPDATE applications a SET form = a.form - COALESCE((SELECT array_agg(f->>'name') FROM procedure_versions v,
				jsonb_array_elements(v.spec->'fields') f WHERE v.procedure_code = a.procedure_code AND v.version = a.submitted_version
				AND f->>'type' IN ('id_number', 'phone')), '{}'::text[]), updated_at = now() WHERE a.citizen_id = $1`,
			`UPDATE consents SET withdrawn_at = now() WHERE user_id = $1 AND withdrawn_at IS NULL`,
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		for _, f := range personNameFields {
			if _, err := tx.Exec(ctx, `UPDATE applications SET form = jsonb_set(form, ARRAY[$2::text], to_jsonb($3::text))
				WHERE citizen_id = $1 AND form ? $2`, userID, f, pseudonym); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, object_type, object_id, detail) VALUES ($1, $3, 'user', $2, '{}')`, userID, strconv.FormatInt(userID, 10), auditAction)
		return err
	}))
}
