package content

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The camera operations, called by the JSON routes (/api/v1/cameras…) and
// the staff console; each checks cameras/manage itself.

func (s *Handler) mayManageCameras(ctx context.Context, a cds.Actor) error {
	ok, err := s.Authz.Allowed(ctx, a, "", "cameras", "manage")
	if err != nil {
		return err
	}
	if !ok {
		return api.Forbidden()
	}
	return nil
}

// CreateCamera validates and stores a camera, audited; a retry with the
// same Idempotency-Key returns the first camera.
func (s *Handler) CreateCamera(ctx context.Context, a cds.Actor, b CameraBody, key string) (postgres.Camera, error) {
	if err := s.mayManageCameras(ctx, a); err != nil {
		return postgres.Camera{}, err
	}
	_, body, _, err := s.DB.Idempotent(ctx, "camera.create", a.UserID, key, func() (int, any, error) {
		cam, err := s.cameraFromBody(ctx, b)
		if err != nil {
			return 0, nil, err
		}
		if cam, err = s.DB.CreateCamera(ctx, cam); err != nil {
			return 0, nil, err
		}
		if err := s.DB.Audit(ctx, a.UserID, "camera.create", "camera", strconv.FormatInt(cam.ID, 10), map[string]any{"name": cam.Name, "area": cam.AreaCode}); err != nil {
			return 0, nil, err
		}
		// The stored answer is the operator's view: a replay needs the URLs.
		return http.StatusCreated, s.viewCamera(cam, true, time.Now()), nil
	})
	if err != nil {
		return postgres.Camera{}, err
	}
	var v cameraView
	if err := json.Unmarshal(body, &v); err != nil {
		return postgres.Camera{}, err
	}
	cam := v.Camera
	cam.HLSURL, cam.RTSPURL, cam.LastError = v.HLSURL, v.RTSPURL, v.LastError
	return cam, nil
}

// UpdateCamera replaces camera id, audited.
func (s *Handler) UpdateCamera(ctx context.Context, a cds.Actor, id int64, b CameraBody) (postgres.Camera, error) {
	if err := s.mayManageCameras(ctx, a); err != nil {
		return postgres.Camera{}, err
	}
	cam, err := s.cameraFromBody(ctx, b)
	if err != nil {
		return cam, err
	}
	cam.ID = id
	if cam, err = s.DB.UpdateCamera(ctx, cam); err != nil {
		return cam, err
	}
	_ = s.DB.Audit(ctx, a.UserID, "camera.update", "camera", strconv.FormatInt(id, 10),
		map[string]any{"status": cam.Status, "visibility": cam.Visibility})
	return cam, nil
}
