package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// The directory for editors: the contacts of an agency (address, phone
// numbers, e-mail, website, hours, police numbers), saved through
// admin.SaveAgency, the operation of PUT /api/v1/agencies/{code}. The
// console leaves the code, name, type and parent alone: those move the
// routing and permission hierarchy and are the provincial admin's job.

type directoryView struct {
	Items []postgres.DirectoryEntry
	Query string
}

type directoryFormView struct {
	Entry                     postgres.DirectoryEntry
	Switchboard, Hotline, Fax string
	PolicePhones              string // one "Name: number" per line
}

// phoneKeys are the phone numbers the form edits; other keys are kept.
var phoneKeys = [...]string{"switchboard", "hotline", "fax"}

func (s contentPages) consoleDirectory(c *gin.Context) {
	v := directoryView{Query: strings.TrimSpace(c.Query("q"))}
	if len([]rune(v.Query)) > 100 {
		v.Query = string([]rune(v.Query)[:100])
	}
	items, err := s.DB.Directory(c.Request.Context(), postgres.DirectoryFilter{Query: v.Query})
	if err != nil {
		s.consoleError(c, err)
		return
	}
	v.Items = items
	s.renderConsole(c, http.StatusOK, "directory", consolePage{Title: "Danh bạ cơ quan", Nav: "directory", Data: v})
}

func directoryForm(e postgres.DirectoryEntry) directoryFormView {
	v := directoryFormView{Entry: e, Switchboard: e.Phones["switchboard"], Hotline: e.Phones["hotline"], Fax: e.Phones["fax"]}
	var lines []string
	for _, p := range e.PolicePhones {
		lines = append(lines, p.Name+": "+p.Phone)
	}
	v.PolicePhones = strings.Join(lines, "\n")
	return v
}

func (s contentPages) consoleDirectoryEdit(c *gin.Context) {
	e, err := s.DB.DirectoryEntryByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.consoleError(c, err)
		return
	}
	s.renderConsole(c, http.StatusOK, "directory_form", consolePage{Title: e.Name, Nav: "directory", Data: directoryForm(e)})
}

func (s contentPages) consoleDirectorySave(c *gin.Context) {
	ctx := c.Request.Context()
	cur, err := s.DB.DirectoryEntryByCode(ctx, c.Param("code"))
	if err != nil {
		s.consoleError(c, err)
		return
	}
	e := cur
	e.Address, e.Email, e.Website = strings.TrimSpace(c.PostForm("address")), strings.TrimSpace(c.PostForm("email")), strings.TrimSpace(c.PostForm("website"))
	e.WorkingHours = strings.TrimSpace(c.PostForm("working_hours"))
	e.Phones = map[string]string{}
	for k, p := range cur.Phones {
		e.Phones[k] = p
	}
	for _, k := range phoneKeys {
		if p := strings.TrimSpace(c.PostForm(k)); p != "" {
			e.Phones[k] = p
		} else {
			delete(e.Phones, k)
		}
	}
	e.PolicePhones = nil
	var errs []fieldError
	for _, line := range strings.Split(c.PostForm("police_phones"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		name, phone, ok := strings.Cut(line, ":")
		if !ok {
			errs = append(errs, fieldError{"police_phones", "Mỗi dòng: Tên: số điện thoại. / One \"Name: number\" per line."})
			break
		}
		e.PolicePhones = append(e.PolicePhones, postgres.Contact{Name: strings.TrimSpace(name), Phone: strings.TrimSpace(phone)})
	}
	v := directoryForm(e)
	v.PolicePhones = c.PostForm("police_phones")
	render := func(errs []fieldError) {
		s.renderConsole(c, http.StatusBadRequest, "directory_form", consolePage{Title: cur.Name, Nav: "directory", Data: v, Errors: errs})
	}
	if len(errs) > 0 {
		render(errs)
		return
	}
	if _, err := s.Admin.SaveAgency(ctx, api.Actor(c), e, &cur); err != nil {
		s.formError(c, err, "address", func(errs []fieldError) {
			for i := range errs {
				if errs[i].Field == "phones" {
					errs[i].Field = "switchboard"
				}
			}
			render(errs)
		})
		return
	}
	setFlash(c, "Đã lưu thông tin liên hệ của "+cur.Name+". / Contacts saved.")
	c.Redirect(http.StatusSeeOther, "/console/directory/"+cur.Code)
}
