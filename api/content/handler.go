// Package content serves the public content: news (with its Atom feed) and
// traffic cameras.
package content

import (
	"time"

	"github.com/caobang/congdanso/api"
)

// Config holds the camera stream-link settings.
type Config struct {
	// CameraStreamTTL is how long a signed stream link works (default 5 min).
	CameraStreamTTL time.Duration
	// CameraStreamKey signs stream links (default: derived from the token secret).
	CameraStreamKey []byte
}

// Handler serves the news, feed and camera routes.
type Handler struct {
	api.Deps
	Content Config
}

// Register adds the content routes.
func (s *Handler) Register(r *api.Server) {
	s.registerNews(r)
	s.registerFeeds(r)
	s.registerCameras(r)
}
