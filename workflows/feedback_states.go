package workflows

//go:generate go run ../cmd/statedocs -out ../docs

import (
	cds "github.com/caobang/congdanso"
)

// Who takes a move of a case's state machine.
const (
	ByStaff   = "staff"
	ByCitizen = "citizen"
	BySystem  = "system" // the workflow itself (routing, publication, timers)
)

// Move is one way out of a state: an action, who takes it and the state it
// leads to. Primary moves complete the state's open task.
type Move struct {
	Action  string
	By      string
	To      string
	Primary bool
}

// FeedbackState is one row of the feedback state machine.
type FeedbackState struct {
	Status   string
	Name     string // Vietnamese, as staff see it
	NameEN   string
	Notice   string   // what the citizen is told on entering (%s: the code); "" : not public
	Task     string   // the staff task open in this state ("" : none)
	TaskRole cds.Role // the role that may claim it
	Held     bool     // the task goes to the case's assignee
	Clock    bool     // the answer clock runs (unless paused)
	Terminal bool
	Open311  string // FixMyStreet extended status
	Moves    []Move
}

// The staff moves open while a case is with an agency (before an answer is
// drafted), in the order the console offers them.
var (
	mvTransfer  = Move{Action: FBActTransfer, By: ByStaff, To: FBRouted}
	mvNotOurs   = Move{Action: FBActNotOurs, By: ByStaff, To: FBTransferred}
	mvDuplicate = Move{Action: FBActMarkDuplicate, By: ByStaff, To: FBDuplicate}
	mvReject    = Move{Action: FBActReject, By: ByStaff, To: FBRejected}
	mvWithdraw  = Move{Action: FBActWithdraw, By: ByCitizen, To: FBWithdrawn}
	mvAssign    = Move{Action: FBActAssign, By: ByStaff, To: FBAssigned}
)

// FeedbackStates is the feedback state machine: the one table the
// workflow (validation, targets, tasks, notices, the SLA clock), the
// console, Open311 and docs/feedback-states.md read.
var FeedbackStates = []FeedbackState{
	{Status: FBSubmitted, Name: "Mới gửi", NameEN: "Submitted", Clock: true, Open311: "OPEN",
		Moves: []Move{{Action: "route", By: BySystem, To: FBRouted}}},
	{Status: FBRouted, Name: "Chờ tiếp nhận", NameEN: "Routed", Notice: "Phản ánh %s đã được chuyển đến cơ quan xử lý.",
		Task: "accept", TaskRole: cds.RoleOfficer, Clock: true, Open311: "OPEN",
		Moves: []Move{{Action: FBActAccept, By: ByStaff, To: FBAccepted, Primary: true}, mvTransfer, mvNotOurs, mvDuplicate, mvReject, mvWithdraw}},
	{Status: FBAccepted, Name: "Đã tiếp nhận", NameEN: "Accepted", Notice: "Phản ánh %s đã được cơ quan tiếp nhận.",
		Task: "assign", TaskRole: cds.RoleLeader, Clock: true, Open311: "INVESTIGATING",
		Moves: []Move{{Action: FBActAssign, By: ByStaff, To: FBAssigned, Primary: true}, mvTransfer, mvNotOurs, mvDuplicate, mvReject, mvWithdraw}},
	{Status: FBAssigned, Name: "Đã phân công", NameEN: "Assigned",
		Task: "start", TaskRole: cds.RoleOfficer, Held: true, Clock: true, Open311: "ACTION_SCHEDULED",
		Moves: []Move{{Action: FBActStart, By: ByStaff, To: FBInProgress, Primary: true},
			{Action: FBActDraftAnswer, By: ByStaff, To: FBAnswerDrafted}, mvAssign,
			{Action: FBActRequestInfo, By: ByStaff, To: FBAwaitingInfo}, mvTransfer, mvNotOurs, mvDuplicate, mvReject, mvWithdraw}},
	{Status: FBInProgress, Name: "Đang xử lý", NameEN: "In progress", Notice: "Phản ánh %s đang được xử lý.",
		Task: "draft", TaskRole: cds.RoleOfficer, Held: true, Clock: true, Open311: "IN_PROGRESS",
		Moves: []Move{{Action: FBActDraftAnswer, By: ByStaff, To: FBAnswerDrafted, Primary: true}, mvAssign,
			{Action: FBActRequestInfo, By: ByStaff, To: FBAwaitingInfo, Primary: true}, mvTransfer, mvNotOurs, mvDuplicate, mvReject, mvWithdraw}},
	{Status: FBAwaitingInfo, Name: "Chờ công dân bổ sung", NameEN: "Awaiting the citizen", Notice: "Phản ánh %s cần bổ sung thông tin.",
		Open311: "INVESTIGATING",
		Moves: []Move{{Action: FBActReplyInfo, By: ByCitizen, To: FBInProgress}, mvWithdraw,
			{Action: FBActCloseUnanswered, By: ByStaff, To: FBClosed},
			{Action: "info_expired", By: BySystem, To: FBClosed}}},
	{Status: FBAnswerDrafted, Name: "Chờ lãnh đạo phê duyệt", NameEN: "Answer drafted",
		Task: "approve", TaskRole: cds.RoleLeader, Clock: true, Open311: "IN_PROGRESS",
		Moves: []Move{{Action: FBActApproveAnswer, By: ByStaff, To: FBAnswerApproved, Primary: true},
			{Action: FBActReturnDraft, By: ByStaff, To: FBInProgress, Primary: true}}},
	{Status: FBAnswerApproved, Name: "Đã duyệt trả lời", NameEN: "Answer approved", Open311: "IN_PROGRESS",
		Moves: []Move{{Action: "publish", By: BySystem, To: FBPublished}}},
	{Status: FBPublished, Name: "Đã công khai trả lời", NameEN: "Answer published", Notice: "Phản ánh %s đã có kết quả trả lời.",
		Open311: "FIXED",
		Moves: []Move{{Action: FBActClose, By: ByStaff, To: FBClosed}, {Action: FBActRate, By: ByCitizen, To: FBRated},
			{Action: FBActComplain, By: ByCitizen, To: FBReopened},
			{Action: "auto_close", By: BySystem, To: FBClosed}}},
	{Status: FBRated, Name: "Đã đánh giá", NameEN: "Rated", Open311: "FIXED",
		Moves: []Move{{Action: "close", By: BySystem, To: FBClosed}, {Action: "reopen", By: BySystem, To: FBReopened}}},
	// A complaint or a 1–2 star rating within the complaint window: the
	// task goes to the leader who approved the answer, with a fresh answer clock.
	{Status: FBReopened, Name: "Mở lại do công dân chưa hài lòng", NameEN: "Reopened after a complaint",
		Notice: "Phản ánh %s đã được mở lại để xem xét lại câu trả lời.",
		Task:   "assign", TaskRole: cds.RoleLeader, Clock: true, Open311: "INVESTIGATING",
		Moves: []Move{{Action: FBActAssign, By: ByStaff, To: FBAssigned, Primary: true}, mvWithdraw}},
	{Status: FBClosed, Name: "Đã đóng", NameEN: "Closed", Notice: "Phản ánh %s đã kết thúc.", Terminal: true, Open311: "CLOSED"},
	{Status: FBRejected, Name: "Từ chối", NameEN: "Rejected", Notice: "Phản ánh %s không được tiếp nhận.", Terminal: true,
		Open311: "NOT_COUNCILS_RESPONSIBILITY"},
	{Status: FBDuplicate, Name: "Trùng lặp", NameEN: "Duplicate", Notice: "Phản ánh %s trùng với phản ánh đã có.", Terminal: true,
		Open311: "DUPLICATE"},
	{Status: FBTransferred, Name: "Đã chuyển", NameEN: "Transferred", Notice: "Phản ánh %s đang được chuyển cơ quan xử lý.",
		Task: "route", TaskRole: cds.RoleCoordinator, Clock: true, Open311: "INTERNAL_REFERRAL",
		Moves: []Move{{Action: FBActTransfer, By: ByStaff, To: FBRouted, Primary: true}, mvDuplicate, mvReject, mvWithdraw}},
	{Status: FBWithdrawn, Name: "Đã rút", NameEN: "Withdrawn", Notice: "Phản ánh %s đã được rút.", Terminal: true, Open311: "CANCELLED"},
}

// FeedbackStateOf returns the row of status (ok false for an unknown status).
func FeedbackStateOf(status string) (FeedbackState, bool) {
	for _, s := range FeedbackStates {
		if s.Status == status {
			return s, true
		}
	}
	return FeedbackState{}, false
}

// FeedbackMoves are the moves by who out of status, in the table's order.
func FeedbackMoves(status, by string) []Move {
	st, _ := FeedbackStateOf(status)
	var out []Move
	for _, m := range st.Moves {
		if m.By == by {
			out = append(out, m)
		}
	}
	return out
}

// FeedbackTaskActions are the actions that complete the task named task.
func FeedbackTaskActions(task string) []string {
	var out []string
	for _, s := range FeedbackStates {
		if s.Task != task || task == "" {
			continue
		}
		for _, m := range s.Moves {
			if m.Primary {
				out = append(out, m.Action)
			}
		}
	}
	return out
}

// feedbackTransitions lists, per action staff or the citizen take, the
// states it may be taken from (derived from FeedbackStates; the keys are the
// workflow's update names).
var feedbackTransitions = func() map[string][]string {
	m := map[string][]string{}
	for _, s := range FeedbackStates {
		for _, mv := range s.Moves {
			if mv.By != BySystem {
				m[mv.Action] = append(m[mv.Action], s.Status)
			}
		}
	}
	return m
}()

// feedbackTarget is the state an action leads to (the same from every state).
func feedbackTarget(action string) string {
	for _, s := range FeedbackStates {
		for _, mv := range s.Moves {
			if mv.Action == action && mv.By != BySystem {
				return mv.To
			}
		}
	}
	return ""
}
