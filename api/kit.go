package api

import (
	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
)

// The kit that feature sub-packages (api/workplace) build on: the same names
// the api/ split exports, so those packages register with a Register method
// wired in cmd/app instead of an init() registrar.

// Handle registers one route behind its permission check.
func (s *Server) Handle(method, path string, perm Perm, h ...gin.HandlerFunc) {
	s.handle(method, path, perm, h...)
}

// MarkUpload lets a route carry a body above the general limit; its handler
// enforces its own.
func (s *Server) MarkUpload(path string) { uploadPaths[path] = true }

// AllowedOn checks a unit-level permission and writes 403 when it fails.
func (s *Server) AllowedOn(c *gin.Context, dom, obj, act string) bool {
	return s.allowedOn(c, dom, obj, act)
}

// Actor returns the signed-in actor.
func Actor(c *gin.Context) cds.Actor { return actor(c) }

// WriteError writes err as the JSON error body with its HTTP status.
func WriteError(c *gin.Context, err error) { writeError(c, err) }

// BindJSON decodes the body into v, writing 400 on failure.
func BindJSON(c *gin.Context, v any) bool { return bindJSON(c, v) }
