package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Camera statuses and visibilities.
const (
	CameraOnline      = "online"
	CameraOffline     = "offline"
	CameraMaintenance = "maintenance"

	VisibilityPublic   = "public"    // anyone, signed in or not
	VisibilitySignedIn = "signed_in" // any signed-in account
	VisibilityStaff    = "staff"     // staff accounts only
)

// Camera is a public camera. HLSURL and RTSPURL are secrets of the operator:
// the API hands out only signed, expiring links to the HLS stream.
type Camera struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	AreaCode      string     `json:"area_code"`
	AreaName      string     `json:"area_name"`
	Lat           *float64   `json:"lat"`
	Lng           *float64   `json:"lng"`
	HLSURL        string     `json:"-"`
	RTSPURL       string     `json:"-"`
	Status        string     `json:"status"`
	Visibility    string     `json:"visibility"`
	LastCheckedAt *time.Time `json:"last_checked_at"`
	LastError     string     `json:"-"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

const cameraCols = `c.id, c.name, c.area_code, a.name, c.lat, c.lng, c.hls_url, c.rtsp_url, c.status, c.visibility, c.last_checked_at, c.last_error, c.updated_at`

func scanCamera(r pgx.Row) (Camera, error) {
	var c Camera
	err := r.Scan(&c.ID, &c.Name, &c.AreaCode, &c.AreaName, &c.Lat, &c.Lng, &c.HLSURL, &c.RTSPURL, &c.Status, &c.Visibility,
		&c.LastCheckedAt, &c.LastError, &c.UpdatedAt)
	return c, err
}

// Cameras lists cameras, optionally of one area (commune code), among the
// given visibilities.
func (db *DB) Cameras(ctx context.Context, area string, visibilities []string) ([]Camera, error) {
	sql := `SELECT ` + cameraCols + ` FROM cameras c JOIN agencies a ON a.code = c.area_code WHERE c.visibility = ANY($1)`
	args := []any{visibilities}
	if area != "" {
		args = append(args, area)
		sql += " AND c.area_code = $" + strconv.Itoa(len(args))
	}
	rows, err := db.Pool.Query(ctx, sql+" ORDER BY a.name, c.name, c.id", args...)
	if err != nil {
		return nil, mapErr(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Camera, error) { return scanCamera(r) })
	return list, mapErr(err)
}

// CameraByID returns one camera.
func (db *DB) CameraByID(ctx context.Context, id int64) (Camera, error) {
	c, err := scanCamera(db.Pool.QueryRow(ctx, `SELECT `+cameraCols+` FROM cameras c JOIN agencies a ON a.code = c.area_code WHERE c.id = $1`, id))
	return c, mapErr(err)
}

// CreateCamera inserts a camera.
func (db *DB) CreateCamera(ctx context.Context, c Camera) (Camera, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO cameras (name, area_code, lat, lng, hls_url, rtsp_url, status, visibility)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.Name, c.AreaCode, c.Lat, c.Lng, c.HLSURL, c.RTSPURL, c.Status, c.Visibility).Scan(&id)
	if err != nil {
		return Camera{}, mapErr(err)
	}
	return db.CameraByID(ctx, id)
}

// UpdateCamera replaces a camera's fields.
func (db *DB) UpdateCamera(ctx context.Context, c Camera) (Camera, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE cameras SET name=$2, area_code=$3, lat=$4, lng=$5, hls_url=$6, rtsp_url=$7,
		status=$8, visibility=$9, updated_at=now() WHERE id=$1`,
		c.ID, c.Name, c.AreaCode, c.Lat, c.Lng, c.HLSURL, c.RTSPURL, c.Status, c.Visibility)
	if err != nil {
		return Camera{}, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return Camera{}, mapErr(pgx.ErrNoRows)
	}
	return db.CameraByID(ctx, c.ID)
}

// DeleteCamera removes a camera.
func (db *DB) DeleteCamera(ctx context.Context, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM cameras WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		return mapErr(pgx.ErrNoRows)
	}
	return mapErr(err)
}

// CameraProbe is a camera the health check looks at.
type CameraProbe struct {
	ID     int64
	HLSURL string
}

// CamerasToProbe lists cameras with a stream URL that are not in maintenance
// (an operator's maintenance flag is never overwritten by the check).
func (db *DB) CamerasToProbe(ctx context.Context) ([]CameraProbe, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, hls_url FROM cameras WHERE status <> 'maintenance' AND hls_url <> '' ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CameraProbe, error) {
		var p CameraProbe
		return p, r.Scan(&p.ID, &p.HLSURL)
	})
	return list, mapErr(err)
}

// SetCameraHealth records a check result. A camera put in maintenance in the
// meantime stays in maintenance.
func (db *DB) SetCameraHealth(ctx context.Context, id int64, online bool, errText string) error {
	status := CameraOffline
	if online {
		status = CameraOnline
	}
	_, err := db.Pool.Exec(ctx, `UPDATE cameras SET status = CASE WHEN status = 'maintenance' THEN status ELSE $2 END,
		last_checked_at = now(), last_error = $3 WHERE id = $1`, id, status, errText)
	return mapErr(err)
}
