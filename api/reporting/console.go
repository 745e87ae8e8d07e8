package reporting

import "github.com/gin-gonic/gin"

// Appendix1XLSX and CaseStatsXLSX serve the same workbooks to the staff
// console (its cookie is scoped to /console/; its routes require the same
// permissions as the JSON API's).
func (s *Handler) Appendix1XLSX(c *gin.Context) { s.appendix1Report(c) }

// CaseStatsXLSX: see Appendix1XLSX.
func (s *Handler) CaseStatsXLSX(c *gin.Context) { s.caseStatsReport(c) }
