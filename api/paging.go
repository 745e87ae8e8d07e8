package api

import (
	"strconv"

	"github.com/gin-gonic/gin"
)

// PageParams reads the cursor and the page size (1–100, default 20) of a
// list request.
func PageParams(c *gin.Context) (string, int) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return c.Query("cursor"), limit
}
