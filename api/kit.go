package api

// Exported kit for handler sub-packages (api/notifications, issue 20):
// route registration with a permission, the actor, error writing and strict
// JSON binding. The api/ split gives every sub-package the same kit; these
// are thin wrappers over the unexported helpers so both can meet.

import (
	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
)

// Handle registers a route behind its permission check (see handle).
func (s *Server) Handle(method, path string, perm Perm, h ...gin.HandlerFunc) {
	s.handle(method, path, perm, h...)
}

// Actor returns the signed-in actor of a request.
func Actor(c *gin.Context) cds.Actor { return actor(c) }

// WriteError writes the JSON error envelope for err.
func WriteError(c *gin.Context, err error) { writeError(c, err) }

// BindJSON decodes the body into v, writing a 400 when it cannot.
func BindJSON(c *gin.Context, v any) bool { return bindJSON(c, v) }

// RateCheck counts a hit on each named limit/key pair (see rateCheck).
func (s *Server) RateCheck(c *gin.Context, pairs ...string) bool { return s.rateCheck(c, pairs...) }

// ClientIP is the caller's address as the rate limits see it.
func (s *Server) ClientIP(c *gin.Context) string { return s.clientIP(c) }

// StaffCanReadFeedback reports whether the caller is staff who may read
// feedback cases of agency (or all of them).
func (s *Server) StaffCanReadFeedback(c *gin.Context, agency string) bool {
	return s.staffCanRead(c, agency)
}
