package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// formField is one input of an action form.
type formField struct {
	Name, Label, Hint string
	Type              string // textarea, text, select
	Required          bool
	Options           []option
	Value             string
}

// actionForm is one action the user may take now, with its inputs.
type actionForm struct {
	Action, Label string
	Primary       bool
	Fields        []formField
}

// actionFields are the inputs of each action (JSON field names of the action API).
func (s *Handler) actionFields(c *gin.Context, action string, cs postgres.CaseSummary) []formField {
	text := func(name, label, hint string, req bool) formField {
		return formField{Name: name, Label: label, Hint: hint, Type: "textarea", Required: req}
	}
	if cs.Kind == string(cds.KindApplication) {
		return s.dossierFields(c, action, cs)
	}
	switch action {
	case "accept", "start", "approve_answer", "close", "return_draft":
		return []formField{text("note", "Ghi chú (không bắt buộc)", "", false)}
	case "request_info":
		return []formField{text("note", "Nội dung cần công dân bổ sung", "", true)}
	case "draft_answer":
		return []formField{text("answer", "Nội dung trả lời công dân", "Nội dung này được công khai sau khi lãnh đạo phê duyệt.", true)}
	case "reject", "not_ours":
		return []formField{text("note", "Lý do", "", true)}
	case "close_unanswered":
		return []formField{text("note", "Lý do đóng phản ánh / reason", "Lý do được công khai cho công dân. / Shown to the citizen.", true)}
	case "mark_duplicate":
		return []formField{{Name: "original_code", Label: "Mã phản ánh gốc", Hint: "Ví dụ: PA-2026-000123", Type: "text", Required: true}}
	case "transfer":
		opts := []option{{"", "Chọn đơn vị"}}
		if ags, err := s.DB.Agencies(c.Request.Context()); err == nil {
			for _, a := range ags {
				if a.Code != cs.AgencyCode && a.Type != cds.AgencyProvince {
					opts = append(opts, option{a.Code, a.Name})
				}
			}
		}
		return []formField{{Name: "agency_code", Label: "Chuyển đến đơn vị", Type: "select", Required: true, Options: opts},
			text("note", "Lý do chuyển", "", false)}
	case "assign":
		opts := []option{{"", "Chọn cán bộ"}}
		if staff, err := s.DB.AgencyStaff(c.Request.Context(), cs.AgencyCode); err == nil {
			for _, st := range staff {
				opts = append(opts, option{strconv.FormatInt(st.ID, 10), st.Name})
			}
		}
		return []formField{{Name: "assignee_id", Label: "Cán bộ xử lý", Type: "select", Required: true, Options: opts}}
	}
	return []formField{text("note", "Ghi chú (không bắt buộc)", "", false)}
}

type caseView struct {
	Case      postgres.CaseSummary
	Content   string
	Answer    string
	AnswerBy  string
	Address   string
	MapURL    string
	Photos    []string
	Notes     []map[string]any
	Timeline  []postgres.CaseEvent
	Tasks     []postgres.Task
	Actions   []actionForm
	HeldBy    string
	Claimable []postgres.Task
	Me        int64
	Back      string
	Dossier   *dossierView
	Media     []mediaItem // the report's photos, for moderation
	Moderate  bool        // the user may moderate the report (photos, visibility, public text)
	Public    publicText  // what the public view shows of the report
	ModLog    []postgres.ModerationEntry
	ModForm   map[string]string // values of a refused moderation form
	// Duplicates are the reports marked as duplicates of this one.
	Duplicates []postgres.FeedbackDuplicate

	// Deliveries are the notifications each timeline step sent, by seq
	// (deliveries.go, issue 20).
	Deliveries map[int][]deliveryLine
}

func (s *Handler) loadCase(c *gin.Context) (caseView, bool) {
	kind, code := c.Param("kind"), c.Param("code")
	notFound := func() (caseView, bool) {
		s.renderConsole(c, http.StatusNotFound, "error", consolePage{Title: "Không tìm thấy hồ sơ",
			Message: "Không tìm thấy hồ sơ hoặc hồ sơ không thuộc đơn vị của bạn. / Case not found."})
		return caseView{}, false
	}
	if kind != string(cds.KindFeedback) && kind != string(cds.KindApplication) {
		return notFound()
	}
	ctx := c.Request.Context()
	cs, err := s.DB.CaseByCode(ctx, kind, code)
	if err != nil {
		return notFound()
	}
	a := api.Actor(c)
	var app *postgres.Application
	lead := ""
	if kind == string(cds.KindApplication) {
		got, err := s.DB.ApplicationByCode(ctx, code)
		if err != nil {
			return notFound()
		}
		app, lead = &got, got.LeadAgencyCode
	}
	// The same rule as the JSON API's reads, and every task in the
	// actor's queues opens (cases.StaffCanReadCase).
	if ok, err := s.Cases.StaffCanReadCase(ctx, a, kind, cs.AgencyCode, lead); err != nil {
		api.WriteError(c, err)
		return caseView{}, false
	} else if !ok {
		return notFound()
	}
	v := caseView{Case: cs, Me: a.UserID, Back: "/console/cases/" + url.PathEscape(kind) + "/" + url.PathEscape(code)}
	if v.Timeline, err = s.DB.CaseEvents(ctx, cs.WorkflowID, true); err != nil {
		api.WriteError(c, err)
		return v, false
	}
	if v.Deliveries, err = s.stepDeliveries(ctx, cs.WorkflowID); err != nil {
		api.WriteError(c, err)
		return v, false
	}
	if v.Tasks, err = s.DB.OpenTasksOfCase(ctx, cs.WorkflowID); err != nil {
		api.WriteError(c, err)
		return v, false
	}
	if kind == string(cds.KindFeedback) {
		// Citizen content, answer, location and photos, as staff see them.
		f, err := s.DB.FeedbackByCode(ctx, code)
		if err != nil {
			api.WriteError(c, err)
			return v, false
		}
		media, err := s.DB.FeedbackMediaOf(ctx, cs.WorkflowID)
		if err != nil {
			api.WriteError(c, err)
			return v, false
		}
		v.fillFeedback(f, media)
		if v.Duplicates, err = s.DB.DuplicatesOf(ctx, code); err != nil {
			api.WriteError(c, err)
			return v, false
		}
		v.Public = publicText{Hidden: f.Hidden, Title: f.Title, Content: f.Content}
		if f.PublicTitle != nil {
			v.Public.Title, v.Public.Edited = *f.PublicTitle, true
		}
		if f.PublicContent != nil {
			v.Public.Content, v.Public.Edited = *f.PublicContent, true
		}
	}
	if kind == string(cds.KindApplication) {
		if v.Dossier, err = s.loadDossier(c, *app); err != nil {
			api.WriteError(c, err)
			return v, false
		}
	}
	v.fillNotes()
	return v, true
}

// fillFeedback picks what the page shows of a feedback report.
func (v *caseView) fillFeedback(f postgres.Feedback, media []postgres.FeedbackMedia) {
	v.Content, v.Answer, v.AnswerBy, v.Address = f.Content, f.Answer, f.AnswerBy, f.Address
	if f.Lat != 0 || f.Lng != 0 {
		v.MapURL = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", f.Lat, f.Lng, f.Lat, f.Lng)
	}
	for _, m := range media {
		v.Photos = append(v.Photos, photoURL(m.MediaID))
		v.Media = append(v.Media, mediaItem{ID: m.MediaID, URL: photoURL(m.MediaID), Redacted: m.Redacted})
	}
}

// fillNotes lists the internal notes of the timeline.
func (v *caseView) fillNotes() {
	for _, e := range v.Timeline {
		if !e.Public && e.Note != "" {
			v.Notes = append(v.Notes, map[string]any{"note": e.Note, "author": e.ActorName + " · " + e.At.In(cds.VietnamTZ).Format("15:04 02/01/2006")})
		}
	}
}

func photoURL(id string) string {
	if strings.HasPrefix(id, "/") {
		return id
	}
	return "/api/v1/media/" + url.PathEscape(id)
}

// allowedActions are the actions offered now: possible in the case's state
// (or listed by the API as allowed) AND permitted by policy for this user in
// the case's agency; and, when the step is a task, only to its holder.
func (s *Handler) allowedActions(c *gin.Context, v *caseView) {
	a := api.Actor(c)
	ctx := c.Request.Context()
	var candidates []string
	if v.Case.Kind == string(cds.KindFeedback) {
		// The workflow's Update validator is the final word; the state
		// table keeps the page from offering what cannot work now.
		for _, m := range workflows.FeedbackMoves(v.Case.Status, workflows.ByStaff) {
			candidates = append(candidates, m.Action)
		}
	}
	if v.Case.Kind == string(cds.KindApplication) {
		candidates = dossierCandidates(v.Case.Status)
	}
	if v.Case.Closed {
		candidates = nil
	}
	// Open tasks decide who acts: an unheld task must be claimed first; a task
	// held by someone else means this user has nothing to do here.
	taskActions := map[string]bool{}
	for _, t := range v.Tasks {
		switch {
		case t.AssigneeID == nil:
			if slices.Contains(cases.RoleNames(a), t.CandidateRole) {
				v.Claimable = append(v.Claimable, t)
			}
		case *t.AssigneeID == a.UserID && v.Case.Kind == string(cds.KindApplication):
			// A dossier task's action is the workflow action that completes it.
			taskActions[t.Action] = true
		case *t.AssigneeID == a.UserID:
			for _, act := range workflows.FeedbackTaskActions(t.Action) {
				taskActions[act] = true
			}
		default:
			v.HeldBy = t.AssigneeName
		}
	}
	if len(v.Tasks) > 0 && len(taskActions) == 0 {
		candidates = nil
	}
	obj := v.Case.Kind
	for _, act := range candidates {
		ok, err := s.Authz.Allowed(ctx, a, v.Case.AgencyCode, obj, act)
		if err != nil || !ok {
			continue
		}
		v.Actions = append(v.Actions, actionForm{Action: act, Label: caseActionLabel(v.Case.Kind, act), Primary: taskActions[act],
			Fields: s.actionFields(c, act, v.Case)})
	}
	sort.SliceStable(v.Actions, func(i, j int) bool { return v.Actions[i].Primary && !v.Actions[j].Primary })
}

func (s *Handler) consoleCase(c *gin.Context) {
	v, ok := s.loadCase(c)
	if !ok {
		return
	}
	s.allowedActions(c, &v)
	s.canModerate(c, &v)
	s.renderConsole(c, http.StatusOK, "case", consolePage{Title: v.Case.Code + " — " + v.Case.Title, Data: v})
}

// consoleCaseAction posts the form as JSON to the case's action API, then
// redirects (PRG) or shows the page again with an error summary.
func (s *Handler) consoleCaseAction(c *gin.Context) {
	v, ok := s.loadCase(c)
	if !ok {
		return
	}
	action := c.Param("action")
	s.allowedActions(c, &v)
	var form *actionForm
	for i := range v.Actions {
		if v.Actions[i].Action == action {
			form = &v.Actions[i]
		}
	}
	if form == nil {
		setFlash(c, "Thao tác \""+actionLabel(action)+"\" không còn khả dụng cho hồ sơ này.")
		c.Redirect(http.StatusSeeOther, v.Back)
		return
	}
	in := map[string]string{}
	var assignee int64
	var errs []fieldError
	for i, f := range form.Fields {
		val := strings.TrimSpace(c.PostForm(f.Name))
		form.Fields[i].Value = val
		if val == "" {
			if f.Required {
				errs = append(errs, fieldError{action + "-" + f.Name, f.Label + ": vui lòng nhập. / Required."})
			}
			continue
		}
		if f.Name == "assignee_id" {
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				errs = append(errs, fieldError{action + "-" + f.Name, f.Label + ": không hợp lệ. / Invalid."})
				continue
			}
			assignee = n
			continue
		}
		in[f.Name] = val
	}
	if len(errs) == 0 {
		err := s.act(c, v.Case, action, in, assignee)
		if err == nil {
			setFlash(c, "Đã thực hiện: "+caseActionLabel(v.Case.Kind, action)+".")
			c.Redirect(http.StatusSeeOther, v.Back)
			return
		}
		e := api.ErrorOf(c, err)
		for fname, m := range e.Fields {
			errs = append(errs, fieldError{action + "-" + fname, m})
		}
		if len(errs) == 0 {
			errs = append(errs, fieldError{action + "-" + firstField(form), e.Message + " / " + e.MessageEN})
		}
	}
	status := http.StatusBadRequest
	s.canModerate(c, &v)
	s.renderConsole(c, status, "case", consolePage{Title: v.Case.Code + " — " + v.Case.Title, Errors: errs, Data: v})
}

func firstField(f *actionForm) string {
	if len(f.Fields) > 0 {
		return f.Fields[0].Name
	}
	return "submit"
}

// act runs a staff action on the case through the operation the JSON API
// uses (with the permission of its route), keyed by the form's
// Idempotency-Key so a resubmitted form acts once.
func (s *Handler) act(c *gin.Context, cs postgres.CaseSummary, action string, in map[string]string, assignee int64) error {
	ctx, a, key := c.Request.Context(), api.Actor(c), c.PostForm(idemField)
	if err := s.allowed(c, cs.Kind, "act"); err != nil {
		return err
	}
	if cs.Kind == string(cds.KindApplication) {
		if !cases.IsApplicationStaffAction(action) {
			return cds.Errorf(cds.ENOTFOUND, "Thao tác không tồn tại.", "Unknown action.")
		}
		app, err := s.DB.ApplicationByCode(ctx, cs.Code)
		if err != nil {
			return err
		}
		act, errs := dossierAction(action, a, in)
		if len(errs) > 0 {
			e := cds.Errorf(cds.EINVALID, "Thông tin chưa hợp lệ.", "Invalid input.")
			for _, fe := range errs {
				e.WithField(strings.TrimPrefix(fe.Field, action+"-"), fe.Message)
			}
			return e
		}
		_, err = s.Cases.ActOnApplication(ctx, app, act, key)
		return err
	}
	if !cases.IsFeedbackStaffAction(action) {
		return cds.Errorf(cds.ENOTFOUND, "Không có thao tác %q.", "No action %q.", action)
	}
	_, err := s.Cases.ActOnFeedback(ctx, cases.FeedbackStaffAction{Actor: a, Code: cs.Code, Action: action, Key: key,
		Note: in["note"], AgencyCode: in["agency_code"], AssigneeID: assignee, Answer: in["answer"], OriginalCode: in["original_code"]})
	return err
}
