package content

import (
	"context"
	"strconv"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The camera operations, called by the JSON routes (/api/v1/cameras…) and
// the staff console; each checks cameras/manage itself.

func (s *Handler) mayManageCameras(ctx context.Context, a cds.Actor) error {
	return api.Require(ctx, s.Authz, a, "", "cameras", "manage")
}

// CreateCamera validates and stores a camera, audited; a retry with the
// same Idempotency-Key returns the first camera.
func (s *Handler) CreateCamera(ctx context.Context, a cds.Actor, b CameraBody, key string) (postgres.Camera, error) {
	if err := s.mayManageCameras(ctx, a); err != nil {
		return postgres.Camera{}, err
	}
	v, err := postgres.Once(ctx, s.DB, "camera.create", a.UserID, key, func() (cameraView, error) {
		cam, err := s.cameraFromBody(ctx, b)
		if err != nil {
			return cameraView{}, err
		}
		if cam, err = s.DB.CreateCamera(ctx, cam); err != nil {
			return cameraView{}, err
		}
		// The stored answer is the operator's view: a replay needs the URLs.
		return s.viewCamera(cam, true, time.Now()), s.DB.Audit(ctx, a.UserID, "camera.create", "camera", strconv.FormatInt(cam.ID, 10), map[string]any{"name": cam.Name, "area": cam.AreaCode})
	})
	if err != nil {
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
