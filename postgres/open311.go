package postgres

import (
	"context"
	"crypto/sha256"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// Open311Client is a client application allowed to write through Open311.
type Open311Client struct {
	ID            int64      `json:"id"`
	UserID        int64      `json:"user_id"`
	Name          string     `json:"name"`
	KeyPrefix     string     `json:"key_prefix"`
	RatePerMinute int        `json:"rate_limit_per_minute"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
}

// Open311KeyHash is how keys are stored: SHA-256 (the keys are 256-bit random
// values, so a slow password hash adds nothing).
func Open311KeyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Open311CreateClient creates the client's submitter account (kind
// client_app, role client_app) and its key, in one transaction.
func (db *DB) Open311CreateClient(ctx context.Context, name, key string, ratePerMinute int, createdBy int64) (Open311Client, error) {
	var c Open311Client
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return c, mapErr(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if err := tx.QueryRow(ctx, `INSERT INTO users (kind, full_name) VALUES ('client_app', $1) RETURNING id`, name).Scan(&c.UserID); err != nil {
		return c, mapErr(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, $2, '*')`, c.UserID, string(cds.RoleClientApp)); err != nil {
		return c, mapErr(err)
	}
	var by *int64
	if createdBy != 0 {
		by = &createdBy
	}
	err = tx.QueryRow(ctx, `INSERT INTO open311_clients (user_id, name, key_hash, key_prefix, rate_per_minute, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`, c.UserID, name, Open311KeyHash(key), key[:10], ratePerMinute, by).
		Scan(&c.ID, &c.CreatedAt)
	if err != nil {
		return c, mapErr(err)
	}
	c.Name, c.KeyPrefix, c.RatePerMinute = name, key[:10], ratePerMinute
	if createdBy != 0 {
		if err := auditTx(ctx, tx, AuditEntry{ActorID: createdBy, Action: "open311.client.create", ObjType: "open311_client",
			ObjID: strconv.FormatInt(c.ID, 10), Detail: map[string]any{"name": c.Name, "key_prefix": c.KeyPrefix}}); err != nil {
			return c, err
		}
	}
	return c, mapErr(tx.Commit(ctx))
}

// Open311Client returns one client (keys are never returned).
func (db *DB) Open311Client(ctx context.Context, id int64) (Open311Client, error) {
	c, err := scanOpen311Client(db.Pool.QueryRow(ctx, `SELECT `+open311ClientCols+` FROM open311_clients WHERE id = $1`, id))
	return c, mapErr(err)
}

const open311ClientCols = `id, user_id, name, key_prefix, rate_per_minute, created_at, revoked_at`

func scanOpen311Client(r pgx.Row) (Open311Client, error) {
	var c Open311Client
	err := r.Scan(&c.ID, &c.UserID, &c.Name, &c.KeyPrefix, &c.RatePerMinute, &c.CreatedAt, &c.RevokedAt)
	return c, err
}

// Open311ClientByKey finds the active client holding key (ENOTFOUND if none).
func (db *DB) Open311ClientByKey(ctx context.Context, key string) (Open311Client, error) {
	c, err := scanOpen311Client(db.Pool.QueryRow(ctx, `SELECT `+open311ClientCols+` FROM open311_clients
		WHERE key_hash = $1 AND revoked_at IS NULL`, Open311KeyHash(key)))
	return c, mapErr(err)
}

// Open311Clients lists every client, newest first (keys are never returned).
func (db *DB) Open311Clients(ctx context.Context) ([]Open311Client, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+open311ClientCols+` FROM open311_clients ORDER BY id DESC`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Open311Client, error) { return scanOpen311Client(r) })
}

// Open311RevokeClient disables a key (idempotent; ENOTFOUND for unknown
// ids) and writes the audit line of by in the same transaction.
func (db *DB) Open311RevokeClient(ctx context.Context, id, by int64) (Open311Client, error) {
	var c Open311Client
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		c, err = scanOpen311Client(tx.QueryRow(ctx, `UPDATE open311_clients SET revoked_at = COALESCE(revoked_at, now())
		WHERE id = $1 RETURNING `+open311ClientCols, id))
		if err != nil {
			return mapErr(err)
		}
		return auditTx(ctx, tx, AuditEntry{ActorID: by, Action: "open311.client.revoke", ObjType: "open311_client", ObjID: strconv.FormatInt(id, 10)})
	})
	return c, err
}

// Open311Hit counts one request of a client in the current minute and
// returns the count so far and when the window ends. The upsert is atomic, so
// concurrent API instances share one counter.
func (db *DB) Open311Hit(ctx context.Context, clientID int64) (int, time.Time, error) {
	var hits int
	var start time.Time
	err := db.Pool.QueryRow(ctx, `INSERT INTO open311_rate_windows (client_id, window_start, hits)
		VALUES ($1, date_trunc('minute', now()), 1)
		ON CONFLICT (client_id, window_start) DO UPDATE SET hits = open311_rate_windows.hits + 1
		RETURNING hits, window_start`, clientID).Scan(&hits, &start)
	if err != nil {
		return 0, time.Time{}, mapErr(err)
	}
	if hits == 1 {
		_, _ = db.Pool.Exec(ctx, `DELETE FROM open311_rate_windows WHERE client_id = $1 AND window_start < $2`, clientID, start)
	}
	return hits, start.Add(time.Minute), nil
}

// Open311Service is a feedback category seen as an Open311 service.
type Open311Service struct {
	Code        string
	Name        string
	NameEN      string
	Group       string
	Keywords    string
	Description string
	Attributes  int // how many attribute definitions it has
}

const open311ServiceSelect = `SELECT k.code, k.name_vi, k.name_en, COALESCE(s.grp, 'Khác / Other'), COALESCE(s.keywords, ''),
	COALESCE(NULLIF(s.description, ''), k.name_vi || ' / ' || k.name_en),
	(SELECT count(*) FROM open311_attributes a WHERE a.category_code = k.code)
	FROM feedback_categories k LEFT JOIN open311_services s ON s.category_code = k.code WHERE k.active `

func scanOpen311Service(r pgx.Row) (Open311Service, error) {
	var s Open311Service
	err := r.Scan(&s.Code, &s.Name, &s.NameEN, &s.Group, &s.Keywords, &s.Description, &s.Attributes)
	return s, err
}

// Open311Services lists the active feedback categories as services.
func (db *DB) Open311Services(ctx context.Context) ([]Open311Service, error) {
	rows, err := db.Pool.Query(ctx, open311ServiceSelect+`ORDER BY k.sort, k.code`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Open311Service, error) { return scanOpen311Service(r) })
}

// Open311ServiceByCode returns one service (ENOTFOUND if unknown or inactive).
func (db *DB) Open311ServiceByCode(ctx context.Context, code string) (Open311Service, error) {
	s, err := scanOpen311Service(db.Pool.QueryRow(ctx, open311ServiceSelect+`AND k.code = $1`, code))
	return s, mapErr(err)
}

// Open311Value is one choice of a list attribute.
type Open311Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// Open311Attribute is one attribute definition of a service.
type Open311Attribute struct {
	Variable            bool
	Code                string
	Datatype            string
	Required            bool
	DatatypeDescription string
	Order               int
	Description         string
	Values              []Open311Value
}

// Open311Attributes returns the attribute definitions of a service in order.
func (db *DB) Open311Attributes(ctx context.Context, category string) ([]Open311Attribute, error) {
	rows, err := db.Pool.Query(ctx, `SELECT variable, code, datatype, required, datatype_description, ord, description, vals
		FROM open311_attributes WHERE category_code = $1 ORDER BY ord`, category)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Open311Attribute, error) {
		var a Open311Attribute
		err := r.Scan(&a.Variable, &a.Code, &a.Datatype, &a.Required, &a.DatatypeDescription, &a.Order, &a.Description, &a.Values)
		return a, err
	})
}

// Open311NearestCommune returns the commune or ward whose office is nearest
// to the point, within maxKm (equirectangular distance), or "".
func (db *DB) Open311NearestCommune(ctx context.Context, lat, lng, maxKm float64) (string, error) {
	var code string
	err := db.Pool.QueryRow(ctx, `SELECT code FROM (
		SELECT code, 6371 * sqrt(power(radians(lat - $1), 2) + power(cos(radians($1)) * radians(lng - $2), 2)) AS km
		FROM agencies WHERE type = 'commune' AND lat IS NOT NULL AND lng IS NOT NULL) x
		WHERE km <= $3 ORDER BY km LIMIT 1`, lat, lng, maxKm).Scan(&code)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return code, mapErr(err)
}

// Open311AgencyPoint returns an agency's office coordinates, if known.
func (db *DB) Open311AgencyPoint(ctx context.Context, code string) (float64, float64, bool, error) {
	var lat, lng *float64
	err := db.Pool.QueryRow(ctx, `SELECT lat, lng FROM agencies WHERE code = $1`, code).Scan(&lat, &lng)
	if err == pgx.ErrNoRows || (err == nil && (lat == nil || lng == nil)) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, mapErr(err)
	}
	return *lat, *lng, true, nil
}

// Open311RequestIn is what a client sent with a report.
type Open311RequestIn struct {
	Code, Token                    string
	ClientID                       int64
	Located                        bool
	Description, AddressID, Email  string
	DeviceID, AccountID, FirstName string
	LastName, Phone, MediaURL      string
	Attributes                     map[string]any
}

// Open311InsertRequest records a client's report before its workflow starts.
func (db *DB) Open311InsertRequest(ctx context.Context, r Open311RequestIn) error {
	attrs := r.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO open311_requests (code, token, client_id, located, description, address_id, email,
		device_id, account_id, first_name, last_name, phone, media_url, attributes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.Code, r.Token, r.ClientID, r.Located, r.Description, r.AddressID, r.Email, r.DeviceID, r.AccountID,
		r.FirstName, r.LastName, r.Phone, r.MediaURL, attrs)
	return mapErr(err)
}

// Open311DeleteRequest removes the record of a report whose workflow never
// started, so its token does not dangle.
func (db *DB) Open311DeleteRequest(ctx context.Context, code string) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM open311_requests WHERE code = $1 AND NOT EXISTS (SELECT 1 FROM cases WHERE code = $1)`, code)
	return mapErr(err)
}

// Open311Token resolves a token: the case code, and whether the case exists yet.
func (db *DB) Open311Token(ctx context.Context, token string) (string, bool, error) {
	var code string
	var exists bool
	err := db.Pool.QueryRow(ctx, `SELECT o.code, EXISTS (SELECT 1 FROM cases c WHERE c.code = o.code)
		FROM open311_requests o WHERE o.token = $1`, token).Scan(&code, &exists)
	return code, exists, mapErr(err)
}

// Open311ClosedStatuses are the feedback statuses Open311 reports as
// "closed": the answer is out (published, rated) or the case ended.
var Open311ClosedStatuses = []string{"published", "rated", "closed", "rejected", "duplicate", "withdrawn"}

// Open311Case is a feedback case as Open311 shows it.
type Open311Case struct {
	WorkflowID  string
	Code        string
	Status      string
	ServiceCode string
	ServiceName string
	Channel     string
	ClientID    *int64 // set when an Open311 client filed it
	Content     string
	Description string // what the client sent (Open311 cases)
	Agency      string
	Requested   time.Time
	Updated     time.Time
	Finished    *time.Time
	Due         *time.Time
	Address     string
	AddressID   string
	CommuneName string // of the report's place: public views show street and commune only
	Lat, Lng    float64
	Located     bool
	MediaURL    string
	Published   bool
	LastNote    string
}

// Open311Filter selects cases for GET requests. IDs, when set, override the rest.
type Open311Filter struct {
	IDs          []string
	ServiceCodes []string
	From, To     time.Time
	Status       string // "", "open" or "closed"
	Limit        int
	Offset       int
}

const open311CaseSelect = `SELECT c.workflow_id, c.code, c.status, c.field, COALESCE(k.name_vi, c.field), c.channel, o.client_id,
	COALESCE(r.public_content, r.content), COALESCE(o.description, ''), COALESCE(a.name, ''), c.received_at, c.updated_at, c.finished_at, c.due_at,
	r.address, COALESCE(o.address_id, ''), COALESCE(cm.name, ''), r.lat, r.lng, COALESCE(o.located, true), COALESCE(o.media_url, ''),
	r.published_at IS NOT NULL,
	COALESCE((SELECT e.note FROM case_events e WHERE e.workflow_id = c.workflow_id AND e.public AND e.note <> ''
		ORDER BY e.seq DESC LIMIT 1), '')
	FROM cases c JOIN feedback_reports r ON r.workflow_id = c.workflow_id
	LEFT JOIN feedback_categories k ON k.code = c.field
	LEFT JOIN agencies a ON a.code = c.agency_code
	LEFT JOIN open311_requests o ON o.code = c.code
	LEFT JOIN agencies cm ON cm.code = r.commune_code
	WHERE c.kind = 'feedback' AND r.hidden_at IS NULL `

func scanOpen311Case(r pgx.Row) (Open311Case, error) {
	var x Open311Case
	err := r.Scan(&x.WorkflowID, &x.Code, &x.Status, &x.ServiceCode, &x.ServiceName, &x.Channel, &x.ClientID, &x.Content,
		&x.Description, &x.Agency, &x.Requested, &x.Updated, &x.Finished, &x.Due, &x.Address, &x.AddressID, &x.CommuneName, &x.Lat, &x.Lng,
		&x.Located, &x.MediaURL, &x.Published, &x.LastNote)
	return x, err
}

// Open311Cases runs a GET requests search, newest first.
func (db *DB) Open311Cases(ctx context.Context, f Open311Filter) ([]Open311Case, error) {
	var rows pgx.Rows
	var err error
	if len(f.IDs) > 0 {
		rows, err = db.Pool.Query(ctx, open311CaseSelect+`AND c.code = ANY($1) ORDER BY c.received_at DESC, c.code DESC`, f.IDs)
	} else {
		rows, err = db.Pool.Query(ctx, open311CaseSelect+`AND (COALESCE(cardinality($1::text[]), 0) = 0 OR c.field = ANY($1))
			AND c.received_at >= $2 AND c.received_at <= $3
			AND ($4 = '' OR ($4 = 'closed') = (c.status = ANY($5)))
			ORDER BY c.received_at DESC, c.code DESC LIMIT $6 OFFSET $7`,
			f.ServiceCodes, f.From, f.To, f.Status, Open311ClosedStatuses, f.Limit, f.Offset)
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Open311Case, error) { return scanOpen311Case(r) })
}

// Open311CaseByCode returns one feedback case (ENOTFOUND if none).
func (db *DB) Open311CaseByCode(ctx context.Context, code string) (Open311Case, error) {
	x, err := scanOpen311Case(db.Pool.QueryRow(ctx, open311CaseSelect+`AND c.code = $1`, code))
	return x, mapErr(err)
}

// Open311Update is one entry of the servicerequestupdates feed: a public
// step of the workflow, or an update a client posted.
type Open311Update struct {
	ID          string
	CaseCode    string
	CaseStatus  string // the case's current status
	Action      string // workflow action, or "client_update"
	ToStatus    string // status after the step ("" for client updates)
	At          time.Time
	Description string
	MediaURL    string
}

// Open311Updates lists, oldest first, the public steps of the cases a client
// filed and the updates it posted itself, between from and to.
func (db *DB) Open311Updates(ctx context.Context, clientID int64, from, to time.Time, limit int) ([]Open311Update, error) {
	rows, err := db.Pool.Query(ctx, `SELECT * FROM (
		SELECT c.code || '-' || e.seq AS id, c.code, c.status, e.action, e.to_status, e.at, e.note, '' AS media_url
		FROM open311_requests o JOIN cases c ON c.code = o.code JOIN case_events e ON e.workflow_id = c.workflow_id
		WHERE o.client_id = $1 AND e.public AND e.at >= $2 AND e.at <= $3
		UNION ALL
		SELECT 'C' || u.id, u.case_code, COALESCE(c.status, ''), 'client_update', '', u.at, u.description, u.media_url
		FROM open311_updates u LEFT JOIN cases c ON c.code = u.case_code
		WHERE u.client_id = $1 AND u.at >= $2 AND u.at <= $3) x
		ORDER BY at, id LIMIT $4`, clientID, from, to, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Open311Update, error) {
		var u Open311Update
		err := r.Scan(&u.ID, &u.CaseCode, &u.CaseStatus, &u.Action, &u.ToStatus, &u.At, &u.Description, &u.MediaURL)
		return u, err
	})
}

// Open311UpdateIn is an update a client posts on one of its reports.
type Open311UpdateIn struct {
	CaseCode, ExternalID, Status, Description, MediaURL string
	FirstName, LastName, Email, Phone                   string
	ClientID                                            int64
	At                                                  time.Time
}

// Open311InsertUpdate stores a client's update once per external update_id;
// a resend returns the first row's id and created=false.
func (db *DB) Open311InsertUpdate(ctx context.Context, u Open311UpdateIn) (int64, bool, error) {
	var ext *string
	if u.ExternalID != "" {
		ext = &u.ExternalID
	}
	var id int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO open311_updates (case_code, client_id, external_id, status, description, media_url,
		first_name, last_name, email, phone, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (client_id, external_id) DO NOTHING RETURNING id`,
		u.CaseCode, u.ClientID, ext, u.Status, u.Description, u.MediaURL, u.FirstName, u.LastName, u.Email, u.Phone, u.At).Scan(&id)
	if err == pgx.ErrNoRows && ext != nil {
		err = db.Pool.QueryRow(ctx, `SELECT id FROM open311_updates WHERE client_id = $1 AND external_id = $2`, u.ClientID, *ext).Scan(&id)
		return id, false, mapErr(err)
	}
	return id, err == nil, mapErr(err)
}

// Open311MarkForwarded records which workflow action a client's update triggered.
func (db *DB) Open311MarkForwarded(ctx context.Context, id int64, action string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE open311_updates SET forwarded = $2 WHERE id = $1`, id, action)
	return mapErr(err)
}
