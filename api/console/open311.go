package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// Open311 client applications: list, create (the api_key shown once on the
// page that answers the form, never again), revoke — the open311 package's
// operations, audited.

type open311View struct {
	Items   []postgres.Open311Client
	Form    struct{ Name, Rate string }
	Created *postgres.Open311Client
	Key     string // the new api_key, shown once
	Replay  bool   // the form was sent again: the client exists, its key was shown the first time
}

func (s adminPages) open311View(c *gin.Context) (open311View, error) {
	var v open311View
	var err error
	v.Items, err = s.Open311.Clients(c.Request.Context())
	v.Form.Rate = "60"
	return v, err
}

func (s adminPages) consoleOpen311(c *gin.Context) {
	v, err := s.open311View(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	s.renderConsole(c, http.StatusOK, "open311", consolePage{Title: "Ứng dụng kết nối Open311", Nav: "open311", Data: v})
}

func (s adminPages) consoleOpen311Create(c *gin.Context) {
	name, rateText := strings.TrimSpace(c.PostForm("name")), strings.TrimSpace(c.PostForm("rate"))
	rate, convErr := strconv.Atoi(rateText)
	var cl postgres.Open311Client
	var key string
	err := error(nil)
	if convErr != nil {
		err = cds.Errorf(cds.EINVALID, "Thông tin ứng dụng chưa hợp lệ, chưa tạo gì.", "Invalid client application; nothing was created.").
			WithField("rate_limit_per_minute", "Nhập một số nguyên / enter a whole number")
	} else {
		cl, key, err = s.Open311.CreateClient(c.Request.Context(), api.Actor(c), name, rate, c.PostForm(idemField))
	}
	v, verr := s.open311View(c)
	if verr != nil {
		api.WriteError(c, verr)
		return
	}
	if err != nil {
		errs, status := formErrors(c, err, "name")
		v.Form.Name, v.Form.Rate = name, rateText
		s.renderConsole(c, status, "open311", consolePage{Title: "Ứng dụng kết nối Open311", Nav: "open311", Errors: errs, Data: v})
		return
	}
	v.Created, v.Key, v.Replay = &cl, key, key == ""
	flash := "Đã tạo ứng dụng " + cl.Name + ". Khóa API chỉ hiện một lần. / Created; the API key is shown once."
	if v.Replay {
		flash = "Ứng dụng " + cl.Name + " đã được tạo trước đó; khóa API chỉ hiện ở lần tạo đầu. / Already created; the key was shown then."
	}
	s.renderConsole(c, http.StatusCreated, "open311", consolePage{Title: "Ứng dụng kết nối Open311", Nav: "open311", Flash: flash, Data: v})
}

func (s adminPages) consoleOpen311Revoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy ứng dụng"})
		return
	}
	cl, err := s.Open311.RevokeClient(c.Request.Context(), api.Actor(c), id)
	if err != nil {
		setFlash(c, "Không thu hồi được: "+api.ErrorOf(c, err).Message+" / "+api.ErrorOf(c, err).MessageEN)
	} else {
		setFlash(c, "Đã thu hồi khóa của ứng dụng "+cl.Name+". / Key revoked.")
	}
	c.Redirect(http.StatusSeeOther, "/console/open311")
}
