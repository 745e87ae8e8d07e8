package console

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
)

// Error pages and form errors of the content screens: an operation's error
// becomes the console's error page (status from the API's table) or the
// form's error summary (one line per field).

func (s *Handler) notFound(c *gin.Context, title string) {
	s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: title, Message: "Không tìm thấy. / Not found."})
}

// consoleError shows err as a page with the API's status for it.
func (s *Handler) consoleError(c *gin.Context, err error) {
	e := api.ErrorOf(c, err)
	status := api.StatusOf(e.Code)
	if status == 0 || status >= 500 {
		s.Logger.Error("console", "path", c.Request.URL.Path, "err", err)
		status = http.StatusInternalServerError
	}
	title := "Không thực hiện được"
	switch status {
	case http.StatusNotFound:
		title = "Không tìm thấy"
	case http.StatusForbidden:
		title = "Không có quyền truy cập"
	}
	s.renderConsole(c, status, "error", consolePage{Title: title, Message: e.Message + " / " + e.MessageEN})
}

// formError turns a validation error into the form's error summary (field
// IDs are the form's input IDs), or any other error into the error page.
func (s *Handler) formError(c *gin.Context, err error, first string, render func([]fieldError)) {
	e := api.ErrorOf(c, err)
	if st := api.StatusOf(e.Code); st != http.StatusBadRequest && st != http.StatusConflict && st != http.StatusUnprocessableEntity {
		s.consoleError(c, err)
		return
	}
	var errs []fieldError
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		errs = append(errs, fieldError{f, e.Fields[f]})
	}
	if len(errs) == 0 {
		errs = []fieldError{{first, e.Message + " / " + e.MessageEN}}
	}
	render(errs)
}
