package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
)

// EmergencyNumber is a province-wide (national) emergency line.
type EmergencyNumber struct {
	Number string `json:"number"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// EmergencyNumbers are listed with the directory. They are free, national
// numbers answered in Cao Bằng by the province's services.
var EmergencyNumbers = []EmergencyNumber{
	{"113", "Công an – Cảnh sát phản ứng nhanh", "Police"},
	{"114", "Cứu hỏa, cứu nạn, cứu hộ", "Fire and rescue"},
	{"115", "Cấp cứu y tế", "Medical emergency (ambulance)"},
}

// agencyTypeNames label the directory's sections.
var agencyTypeNames = map[cds.AgencyType]string{
	cds.AgencyProvince:    "Tỉnh",
	cds.AgencyDepartment:  "Sở, ban, ngành",
	cds.AgencyCommune:     "Xã, phường",
	cds.AgencyCentral:     "Cơ quan trung ương trên địa bàn",
	cds.AgencyAssociation: "Hội, đoàn thể",
	cds.AgencyDistrict:    "Huyện, thành phố (đến 30/6/2025)",
}

// agencyTypeList is the type hint of a bad ?type= or body.
const agencyTypeList = "province|department|commune|central|association|district"

func (s *Handler) registerAgencies(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/agencies", api.Public, s.listAgencies)
	r.Handle(http.MethodGet, "/api/v1/agencies/:code", api.Public, s.getAgency)
	r.Handle(http.MethodPost, "/api/v1/agencies", api.Can("directory", "manage"), s.createAgency)
	r.Handle(http.MethodPut, "/api/v1/agencies/:code", api.Can("directory", "manage"), s.putAgency)
	r.Handle(http.MethodPatch, "/api/v1/agencies/:code", api.Can("directory", "manage"), s.patchAgency)
}

// directoryItem is an entry as listed, with its section label and, in the
// tree view, its sub-units.
type directoryItem struct {
	postgres.DirectoryEntry
	TypeName string           `json:"type_name"`
	Children []*directoryItem `json:"children,omitempty"`
}

func (s *Handler) listAgencies(c *gin.Context) {
	f := postgres.DirectoryFilter{Type: c.Query("type"), Query: c.Query("q")}
	if f.Type != "" && agencyTypeNames[cds.AgencyType(f.Type)] == "" {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Loại cơ quan không hợp lệ.", "Unknown agency type.").WithField("type", agencyTypeList))
		return
	}
	// The default list shows the units in force. The districts were all
	// abolished on 1 July 2025, so asking for them by type lists them as
	// former units (each with its in_force_to) for older campaigns and cases.
	f.All = f.Type == string(cds.AgencyDistrict)
	if utf8.RuneCountInString(f.Query) > 100 {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Từ khóa quá dài.", "Query too long.").WithField("q", "≤ 100"))
		return
	}
	list, err := s.DB.Directory(c.Request.Context(), f)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	items := make([]*directoryItem, len(list))
	byCode := map[string]*directoryItem{}
	for i, e := range list {
		items[i] = &directoryItem{DirectoryEntry: e, TypeName: agencyTypeNames[e.Type]}
		byCode[e.Code] = items[i]
	}
	out := items
	switch c.DefaultQuery("view", "flat") {
	case "flat":
	case "tree":
		// Entries whose parent is filtered out become roots, so a filtered
		// tree still shows every match.
		out = nil
		for _, it := range items {
			if p := byCode[it.ParentCode]; p != nil && it.ParentCode != it.Code {
				p.Children = append(p.Children, it)
			} else {
				out = append(out, it)
			}
		}
	default:
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Kiểu hiển thị không hợp lệ.", "Unknown view.").WithField("view", "flat|tree"))
		return
	}
	if out == nil {
		out = []*directoryItem{}
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, gin.H{"items": out, "next_cursor": nil, "emergency_numbers": EmergencyNumbers})
}

func (s *Handler) getAgency(c *gin.Context) {
	ctx := c.Request.Context()
	e, err := s.DB.DirectoryEntryByCode(ctx, c.Param("code"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	sub, err := s.DB.Agencies(ctx)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	children := []cds.Agency{}
	parentName := ""
	for _, a := range sub {
		if a.ParentCode == e.Code {
			children = append(children, a)
		}
		if a.Code == e.ParentCode {
			parentName = a.Name
		}
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, gin.H{"agency": directoryItem{DirectoryEntry: e, TypeName: agencyTypeNames[e.Type]},
		"parent_name": parentName, "children": children, "emergency_numbers": EmergencyNumbers})
}

var (
	agencyCodeRE = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)
	phoneRE      = regexp.MustCompile(`^[0-9+][0-9 .()-]{1,24}$`)
)

// validateAgency checks an entry against the current hierarchy (the parent
// must exist and must not be the entry itself or one of its sub-units). A
// district may be edited but not created: that level ended on 1 July 2025.
// before is the stored entry (nil on create).
func validateAgency(e postgres.DirectoryEntry, before *postgres.DirectoryEntry, all []cds.Agency) error {
	v := cds.Errorf(cds.EINVALID, "Thông tin cơ quan chưa hợp lệ.", "The agency entry is not valid.")
	if !agencyCodeRE.MatchString(e.Code) || len(e.Code) > 32 {
		v.WithField("code", "Chữ in hoa, số và dấu gạch ngang / uppercase letters, digits, hyphens")
	}
	if strings.TrimSpace(e.Name) == "" || utf8.RuneCountInString(e.Name) > 300 {
		v.WithField("name", "Bắt buộc, tối đa 300 ký tự / required, at most 300 characters")
	}
	if agencyTypeNames[e.Type] == "" {
		v.WithField("type", agencyTypeList)
	} else if e.Type == cds.AgencyDistrict && (before == nil || before.Type != cds.AgencyDistrict) {
		v.WithField("type", "Cấp huyện đã kết thúc từ 01/7/2025, không tạo thêm đơn vị cấp huyện / The district level ended on 1 July 2025; no new district units")
	}
	parents := map[string]string{}
	for _, a := range all {
		parents[a.Code] = a.ParentCode
	}
	if e.ParentCode != "" {
		if _, ok := parents[e.ParentCode]; !ok {
			v.WithField("parent_code", "Không có cơ quan này / no such agency")
		}
		for p, i := e.ParentCode, 0; p != "" && i < 64; p, i = parents[p], i+1 {
			if p == e.Code {
				v.WithField("parent_code", "Tạo vòng lặp trong cây / would create a cycle")
				break
			}
		}
	}
	if utf8.RuneCountInString(e.Address) > 500 {
		v.WithField("address", "Tối đa 500 ký tự / at most 500 characters")
	}
	for k, p := range e.Phones {
		if k == "" || len(k) > 30 || !phoneRE.MatchString(p) {
			v.WithField("phones", "Số điện thoại không hợp lệ / invalid phone number")
		}
	}
	for _, p := range e.PolicePhones {
		if strings.TrimSpace(p.Name) == "" || !phoneRE.MatchString(p.Phone) {
			v.WithField("police_phones", "Cần tên và số điện thoại hợp lệ / name and valid phone required")
		}
	}
	for _, l := range e.Leaders {
		if strings.TrimSpace(l.Title) == "" || (l.Phone != "" && !phoneRE.MatchString(l.Phone)) {
			v.WithField("leaders", "Cần chức danh; số điện thoại hợp lệ / title required; valid phone")
		}
	}
	if e.Email != "" {
		if _, err := mail.ParseAddress(e.Email); err != nil {
			v.WithField("email", "Thư điện tử không hợp lệ / invalid e-mail")
		}
	}
	if e.Website != "" && !strings.HasPrefix(e.Website, "https://") && !strings.HasPrefix(e.Website, "http://") {
		v.WithField("website", "Phải bắt đầu bằng http:// hoặc https:// / must start with http(s)://")
	}
	if (e.Lat == nil) != (e.Lng == nil) || (e.Lat != nil && (*e.Lat < -90 || *e.Lat > 90 || *e.Lng < -180 || *e.Lng > 180)) {
		v.WithField("lat", "Tọa độ không hợp lệ / invalid coordinates")
	}
	if utf8.RuneCountInString(e.WorkingHours) > 300 {
		v.WithField("working_hours", "Tối đa 300 ký tự / at most 300 characters")
	}
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// agencyBody is the writable part of an entry (updated_at is ignored).
type agencyBody struct {
	Code         string             `json:"code"`
	Name         string             `json:"name"`
	Type         cds.AgencyType     `json:"type"`
	ParentCode   string             `json:"parent_code"`
	Address      string             `json:"address"`
	Phones       map[string]string  `json:"phones"`
	Email        string             `json:"email"`
	Website      string             `json:"website"`
	WorkingHours string             `json:"working_hours"`
	Lat          *float64           `json:"lat"`
	Lng          *float64           `json:"lng"`
	Leaders      []postgres.Leader  `json:"leaders"`
	PolicePhones []postgres.Contact `json:"police_phones"`
}

func (b agencyBody) entry() postgres.DirectoryEntry {
	return postgres.DirectoryEntry{Code: b.Code, Name: strings.TrimSpace(b.Name), Type: b.Type, ParentCode: b.ParentCode,
		Address: strings.TrimSpace(b.Address), Phones: b.Phones, Email: strings.TrimSpace(b.Email), Website: strings.TrimSpace(b.Website),
		WorkingHours: b.WorkingHours, Lat: b.Lat, Lng: b.Lng, Leaders: b.Leaders, PolicePhones: b.PolicePhones}
}

func bodyOf(e postgres.DirectoryEntry) agencyBody {
	return agencyBody{Code: e.Code, Name: e.Name, Type: e.Type, ParentCode: e.ParentCode, Address: e.Address, Phones: e.Phones,
		Email: e.Email, Website: e.Website, WorkingHours: e.WorkingHours, Lat: e.Lat, Lng: e.Lng, Leaders: e.Leaders, PolicePhones: e.PolicePhones}
}

// refreshAgencies reloads the authorizer's hierarchy after a directory change,
// so a new or moved unit is routed and authorised at once (in this process;
// other API instances pick it up at restart).
func (s *Handler) refreshAgencies(ctx context.Context) error {
	r, ok := s.Authz.(interface{ SetAgencies([]cds.Agency) })
	if !ok {
		return nil
	}
	all, err := s.DB.Agencies(ctx)
	if err != nil {
		return err
	}
	r.SetAgencies(all)
	return nil
}

// SaveAgency is the one implementation of a directory write (JSON API and
// console): it checks the permission (mayWriteDirectory), validates, writes, audits and
// refreshes the hierarchy. before is nil on create.
func (s *Handler) SaveAgency(ctx context.Context, a cds.Actor, e postgres.DirectoryEntry, before *postgres.DirectoryEntry) (postgres.DirectoryEntry, error) {
	if err := s.mayWriteDirectory(ctx, a, e, before); err != nil {
		return e, err
	}
	all, err := s.DB.Agencies(ctx)
	if err != nil {
		return e, err
	}
	if err := validateAgency(e, before, all); err != nil {
		return e, err
	}
	var saved postgres.DirectoryEntry
	action := "agency.update"
	if before == nil {
		action = "agency.create"
		saved, err = s.DB.CreateDirectoryEntry(ctx, e)
	} else {
		saved, err = s.DB.UpdateDirectoryEntry(ctx, e)
	}
	if err != nil {
		return e, err
	}
	detail := map[string]any{"after": bodyOf(saved)}
	if before != nil {
		detail["before"] = bodyOf(*before)
	}
	if err := s.DB.Audit(ctx, a.UserID, action, "agency", saved.Code, detail); err != nil {
		return saved, err
	}
	return saved, s.refreshAgencies(ctx)
}

func (s *Handler) createAgency(c *gin.Context) {
	var b agencyBody
	if !api.BindJSON(c, &b) {
		return
	}
	ctx := c.Request.Context()
	status, body, _, err := s.DB.Idempotent(ctx, "agency.create", api.ActorID(c), c.GetHeader("Idempotency-Key"), func() (int, any, error) {
		saved, err := s.SaveAgency(ctx, api.Actor(c), b.entry(), nil)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, directoryItem{DirectoryEntry: saved, TypeName: agencyTypeNames[saved.Type]}, nil
	})
	if err != nil {
		if cds.ErrorCode(err) == cds.ECONFLICT {
			err = cds.Errorf(cds.ECONFLICT, "Mã cơ quan đã tồn tại.", "The agency code already exists.").WithField("code", "taken")
		}
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

func (s *Handler) putAgency(c *gin.Context) {
	cur, err := s.DB.DirectoryEntryByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var b agencyBody
	if !api.BindJSON(c, &b) {
		return
	}
	if b.Code != "" && b.Code != cur.Code {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Không được đổi mã cơ quan.", "The agency code cannot change.").WithField("code", "immutable"))
		return
	}
	b.Code = cur.Code
	s.respondAgency(c, b.entry(), &cur)
}

// patchAgency changes only the fields present in the body.
func (s *Handler) patchAgency(c *gin.Context) {
	cur, err := s.DB.DirectoryEntryByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if !api.RequireJSON(c) {
		return
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		api.WriteError(c, api.BadRequest(err))
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		api.WriteError(c, api.BadRequest(err))
		return
	}
	b := bodyOf(cur)
	if code, ok := fields["code"]; ok && string(code) != `"`+cur.Code+`"` {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Không được đổi mã cơ quan.", "The agency code cannot change.").WithField("code", "immutable"))
		return
	}
	// Maps and lists present in the patch replace the old ones entirely.
	if _, ok := fields["phones"]; ok {
		b.Phones = nil
	}
	if _, ok := fields["leaders"]; ok {
		b.Leaders = nil
	}
	if _, ok := fields["police_phones"]; ok {
		b.PolicePhones = nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Trường không hợp lệ trong dữ liệu gửi lên.", "Unknown or malformed field in the body."))
		return
	}
	b.Code = cur.Code
	s.respondAgency(c, b.entry(), &cur)
}

func (s *Handler) respondAgency(c *gin.Context, e postgres.DirectoryEntry, before *postgres.DirectoryEntry) {
	saved, err := s.SaveAgency(c.Request.Context(), api.Actor(c), e, before)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, directoryItem{DirectoryEntry: saved, TypeName: agencyTypeNames[saved.Type]})
}

// mayWriteDirectory: directory/manage may change anything; directory/
// edit_contacts (editors) only an existing entry's contacts, never its code,
// name, type, parent, position or leaders, which move routing and
// permissions or are the province's to publish.
func (s *Handler) mayWriteDirectory(ctx context.Context, a cds.Actor, e postgres.DirectoryEntry, before *postgres.DirectoryEntry) error {
	ok, err := s.Authz.Allowed(ctx, a, "", "directory", "manage")
	if err != nil || ok {
		return err
	}
	ok, err = s.Authz.Allowed(ctx, a, "", "directory", "edit_contacts")
	if err != nil {
		return err
	}
	if !ok || before == nil {
		return api.Forbidden()
	}
	b, cur := bodyOf(e), bodyOf(*before)
	b.Address, b.Phones, b.Email, b.Website, b.WorkingHours, b.PolicePhones = cur.Address, cur.Phones, cur.Email, cur.Website, cur.WorkingHours, cur.PolicePhones
	x, err1 := json.Marshal(b)
	y, err2 := json.Marshal(cur)
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		return cds.Errorf(cds.EFORBIDDEN, "Bạn chỉ được sửa thông tin liên hệ của cơ quan.", "You may only change the agency's contact details.")
	}
	return nil
}
