package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Adapter is a Casbin persist.Adapter (with auto-save, batches and filtered
// loading) on the casbin_rule table through pgx. No maintained pgx/v5 adapter
// resolves against the pinned Casbin and pgx versions, and this one is small:
// one row per rule, ptype plus up to six values.
type Adapter struct {
	Pool    *pgxpool.Pool
	Timeout time.Duration

	filtered bool
}

// Filter selects the p lines of some domains (plus the "*" domain) and all g lines.
type Filter struct {
	Domains []string
}

var (
	_ persist.Adapter         = (*Adapter)(nil)
	_ persist.BatchAdapter    = (*Adapter)(nil)
	_ persist.FilteredAdapter = (*Adapter)(nil)
)

// NewAdapter returns an adapter on pool. The table comes from the migrations.
func NewAdapter(pool *pgxpool.Pool) *Adapter { return &Adapter{Pool: pool, Timeout: 10 * time.Second} }

func (a *Adapter) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), a.Timeout)
}

// LoadPolicy loads every rule.
func (a *Adapter) LoadPolicy(m model.Model) error {
	a.filtered = false
	return a.load(m, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
}

// LoadFilteredPolicy loads the rules of the domains in filter (a Filter or *Filter).
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter any) error {
	var f Filter
	switch v := filter.(type) {
	case Filter:
		f = v
	case *Filter:
		if v != nil {
			f = *v
		}
	case nil:
		return a.LoadPolicy(m)
	default:
		return fmt.Errorf("policy: unsupported filter %T", filter)
	}
	a.filtered = true
	return a.load(m, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule
		WHERE ptype NOT LIKE 'p%' OR v1 = '*' OR v1 = ANY($1) ORDER BY id`, f.Domains)
}

// IsFiltered reports whether the last load was filtered (then SavePolicy is refused).
func (a *Adapter) IsFiltered() bool { return a.filtered }

func (a *Adapter) load(m model.Model, q string, args ...any) error {
	ctx, cancel := a.ctx()
	defer cancel()
	rows, err := a.Pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("policy: load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v [7]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return err
		}
		rule := trimRule(v[:])
		if err := persist.LoadPolicyArray(rule, m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// trimRule drops trailing empty values (a rule has as many values as its ptype defines).
func trimRule(v []string) []string {
	n := len(v)
	for n > 1 && v[n-1] == "" {
		n--
	}
	return v[:n]
}

func ruleArgs(ptype string, rule []string) ([]any, error) {
	if len(rule) > 6 {
		return nil, errors.New("policy: a rule has at most 6 values")
	}
	args := []any{ptype, "", "", "", "", "", ""}
	for i, v := range rule {
		args[i+1] = strings.TrimSpace(v)
	}
	return args, nil
}

const insertRule = `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`

// SavePolicy replaces the table with the model's rules (in one transaction).
func (a *Adapter) SavePolicy(m model.Model) error {
	if a.filtered {
		return errors.New("policy: cannot save a filtered policy")
	}
	ctx, cancel := a.ctx()
	defer cancel()
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM casbin_rule`); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, sec := range []string{"p", "g"} {
			for ptype, ast := range m[sec] {
				for _, rule := range ast.Policy {
					args, err := ruleArgs(ptype, rule)
					if err != nil {
						return err
					}
					b.Queue(insertRule, args...)
				}
			}
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// AddPolicy adds one rule (auto-save).
func (a *Adapter) AddPolicy(_ string, ptype string, rule []string) error {
	return a.AddPolicies("", ptype, [][]string{rule})
}

// AddPolicies adds rules in one transaction.
func (a *Adapter) AddPolicies(_ string, ptype string, rules [][]string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range rules {
			args, err := ruleArgs(ptype, r)
			if err != nil {
				return err
			}
			b.Queue(insertRule, args...)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// RemovePolicy removes one rule (auto-save).
func (a *Adapter) RemovePolicy(_ string, ptype string, rule []string) error {
	return a.RemovePolicies("", ptype, [][]string{rule})
}

// RemovePolicies removes rules in one transaction.
func (a *Adapter) RemovePolicies(_ string, ptype string, rules [][]string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		for _, r := range rules {
			args, err := ruleArgs(ptype, r)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype=$1 AND v0=$2 AND v1=$3 AND v2=$4 AND v3=$5 AND v4=$6 AND v5=$7`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveFilteredPolicy removes the rules whose values from fieldIndex on match
// fieldValues (an empty value matches anything).
func (a *Adapter) RemoveFilteredPolicy(_ string, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > 6 {
		return errors.New("policy: bad filter")
	}
	q := `DELETE FROM casbin_rule WHERE ptype = $1`
	args := []any{ptype}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		args = append(args, v)
		q += fmt.Sprintf(" AND v%d = $%d", fieldIndex+i, len(args))
	}
	ctx, cancel := a.ctx()
	defer cancel()
	_, err := a.Pool.Exec(ctx, q, args...)
	return err
}
