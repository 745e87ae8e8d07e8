package workflows

import (
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// FeedbackWorkflowName is the pinned registered name of the feedback workflow.
const FeedbackWorkflowName = "FeedbackCase"

// CoordinatorAgency is the province coordinator: routing falls back to it and
// "not ours" sends a case back to it for re-routing.
const CoordinatorAgency = "TTPVHCC"

// Feedback statuses (FixMyStreet-like, plus the Vietnamese PAKN steps).
const (
	FBSubmitted      = "submitted"
	FBRouted         = "routed"
	FBAccepted       = "accepted"
	FBAssigned       = "assigned"
	FBInProgress     = "in_progress"
	FBAwaitingInfo   = "awaiting_info"
	FBAnswerDrafted  = "answer_drafted"
	FBAnswerApproved = "answer_approved"
	FBPublished      = "published"
	FBRated          = "rated"
	FBClosed         = "closed"
	FBRejected       = "rejected"
	FBDuplicate      = "duplicate"
	FBTransferred    = "transferred"
	FBWithdrawn      = "withdrawn"
	FBReopened       = "reopened" // the citizen complained about the published answer
)

// Message names of FeedbackCase. Every action is an Update with a validator,
// so an action that does not fit the state is refused synchronously (HTTP 409)
// and never enters history; the citizen's reply is an Update too so that the
// app learns at once whether the case was still waiting for it.
const (
	FeedbackQueryState      = "state"
	FeedbackUpdateSubmitted = "submitted" // update-with-start: returns once routed

	FBActAccept        = "accept"
	FBActAssign        = "assign"
	FBActStart         = "start"
	FBActRequestInfo   = "request_info"
	FBActReplyInfo     = "reply_info" // citizen
	FBActDraftAnswer   = "draft_answer"
	FBActApproveAnswer = "approve_answer"
	FBActReturnDraft   = "return_draft"
	FBActTransfer      = "transfer"
	FBActNotOurs       = "not_ours"
	FBActReject        = "reject"
	FBActMarkDuplicate = "mark_duplicate"
	FBActClose         = "close"
	FBActRate          = "rate"     // citizen
	FBActWithdraw      = "withdraw" // citizen
	// FBActCloseUnanswered: staff close a case whose citizen never sent the
	// information asked for (fbInfoDeadline).
	FBActCloseUnanswered = "close_unanswered"
	FBActComplain        = "complain" // citizen: the published answer does not settle it (fbComplaint)
)

// FeedbackStaffActions are the actions staff call through
// POST /api/v1/feedback/{id}/actions/{action} (from FeedbackStates).
var FeedbackStaffActions = func() []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range FeedbackStates {
		for _, m := range st.Moves {
			if m.By == ByStaff && !seen[m.Action] {
				seen[m.Action] = true
				out = append(out, m.Action)
			}
		}
	}
	return out
}()

// FeedbackSLA are the deadlines of one case, set from its category and priority.
type FeedbackSLA struct {
	AcceptHours    float64 `json:"accept_hours"`     // working hours to accept
	AnswerHours    float64 `json:"answer_hours"`     // working hours to publish an answer
	Reminder       float64 `json:"reminder"`         // share of the answer budget at which the assignee is reminded
	AutoCloseHours float64 `json:"auto_close_hours"` // calendar hours after publication without rating
	// Scale > 1 divides every SLA and counts it in wall-clock time instead of
	// working time (process-level tests only: working time stands still at night).
	Scale float64 `json:"scale,omitempty"`

	// From fbInfoDeadline: working days the citizen has to send the
	// information asked for (0: 5), then further working days after the
	// reminder before the case is closed (0: 2).
	InfoDays      float64 `json:"info_days,omitempty"`
	InfoGraceDays float64 `json:"info_grace_days,omitempty"`
	// From fbComplaint: calendar days after publication in which a 1–2 star
	// rating or a complaint reopens the case (0: 7).
	ComplaintDays float64 `json:"complaint_days,omitempty"`
	// From fbClockStart: when the answer clock starts, ClockFromSubmission
	// ("" too) or ClockFromAcceptance.
	ClockFrom string `json:"clock_from,omitempty"`
}

// When the answer clock of a category starts (FeedbackSLA.ClockFrom).
const (
	ClockFromSubmission = "submission"
	ClockFromAcceptance = "acceptance"
)

// FeedbackInput starts a FeedbackCase.
type FeedbackInput struct {
	activities.FeedbackReport
	CitizenName string      `json:"citizen_name"`
	SLA         FeedbackSLA `json:"sla"`
}

// FeedbackAction is the payload of every action update. Actor is resolved at
// the API edge (after Casbin) and recorded for the audit trail.
type FeedbackAction struct {
	Actor          cds.Actor `json:"actor"`
	Note           string    `json:"note,omitempty"`
	AgencyCode     string    `json:"agency_code,omitempty"`     // transfer target
	AssigneeID     int64     `json:"assignee_id,omitempty"`     // assign
	AssigneeName   string    `json:"assignee_name,omitempty"`   // assign
	AssigneeAgency string    `json:"assignee_agency,omitempty"` // assign: checked against the case's agency
	Answer         string    `json:"answer,omitempty"`          // draft_answer
	MediaIDs       []string  `json:"media_ids,omitempty"`       // answer attachments
	OriginalCode   string    `json:"original_code,omitempty"`   // mark_duplicate
	Score          int       `json:"score,omitempty"`           // rate
}

// FeedbackView is the live state returned by the query and by every update.
type FeedbackView struct {
	Code        string    `json:"code"`
	Status      string    `json:"status"`
	AgencyCode  string    `json:"agency_code"`
	AssigneeID  int64     `json:"assignee_id,omitempty"`
	DueAt       time.Time `json:"due_at"`
	AcceptDueAt time.Time `json:"accept_due_at"`
	RemindAt    time.Time `json:"remind_at"`
	ClockPaused bool      `json:"clock_paused"`
	Overdue     bool      `json:"overdue"`
	Reminded    bool      `json:"reminded"`
	Seq         int       `json:"seq"`
	DuplicateOf string    `json:"duplicate_of,omitempty"`
	InfoDueAt   time.Time `json:"info_due_at,omitempty"` // the citizen's deadline while awaiting_info
	Reopened    int       `json:"reopened,omitempty"`    // times the case was reopened
	// Notices an Update's answer carries (fbAnswerNotices: outbox.go);
	// cases enqueues them and clears the field, so no interface shows it.
	Notices []activities.Notice `json:"notices,omitempty"`
}
