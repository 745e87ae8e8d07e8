package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// ConflictError is the error type of a refused action (HTTP 409). Its message
// is English; the Vietnamese text travels as the first detail.
const ConflictError = "ECONFLICT"

// validate refuses an action that does not fit the state or lacks its data.
func (w *feedbackCase) validate(action string, a FeedbackAction) error {
	ok := false
	for _, s := range feedbackTransitions[action] {
		if s == w.status {
			ok = true
		}
	}
	if !ok {
		return conflict("Không thể thực hiện thao tác %q khi phản ánh đang ở trạng thái %q.",
			"Action %q is not allowed while the case is %q.", action, w.status)
	}
	switch action {
	case FBActReplyInfo, FBActRate, FBActWithdraw, FBActComplain:
		if a.Actor.UserID != w.in.CitizenID {
			return conflict("Chỉ người gửi phản ánh mới được thực hiện thao tác này.", "Only the reporter may do this.")
		}
	}
	if (action == FBActCloseUnanswered && w.infoV < fbInfoDeadline) || (action == FBActComplain && w.complaintV < fbComplaint) {
		// Cases started before the change do not know the action.
		return conflict("Không thể thực hiện thao tác %q với phản ánh này.", "Action %q is not available for this case.", action)
	}
	switch action {
	case FBActAssign:
		if a.AssigneeID == 0 || a.AssigneeAgency != w.agency {
			return invalid("Người được phân công phải là cán bộ của cơ quan xử lý.", "The assignee must be an officer of the handling agency.")
		}
	case FBActRequestInfo, FBActReject, FBActNotOurs, FBActCloseUnanswered:
		if a.Note == "" {
			return invalid("Vui lòng nhập nội dung.", "A note is required.")
		}
	case FBActComplain:
		if a.Note == "" {
			return invalid("Vui lòng nêu lý do chưa hài lòng.", "Give the reason of the complaint.")
		}
	case FBActReplyInfo:
		if a.Note == "" {
			return invalid("Vui lòng nhập nội dung bổ sung.", "The reply is required.")
		}
	case FBActDraftAnswer:
		if a.Answer == "" {
			return invalid("Vui lòng nhập nội dung trả lời.", "The answer is required.")
		}
	case FBActTransfer:
		if a.AgencyCode == "" || (a.AgencyCode == w.agency && w.status != FBTransferred) {
			return invalid("Vui lòng chọn cơ quan khác để chuyển.", "Choose another agency to transfer to.")
		}
	case FBActMarkDuplicate:
		if a.OriginalCode == "" || a.OriginalCode == w.in.Code {
			return invalid("Vui lòng chọn phản ánh gốc khác phản ánh này.", "Choose an original report other than this one.")
		}
	case FBActRate:
		if a.Score < 1 || a.Score > 5 {
			return invalid("Điểm đánh giá từ 1 đến 5.", "The score must be 1 to 5.")
		}
	}
	return nil
}

// act runs one validated action, under the case's mutex from fbHandlerLock on.
func (w *feedbackCase) act(ctx workflow.Context, action string, a FeedbackAction) (FeedbackView, error) {
	var out FeedbackView
	err := w.serially(ctx, func() error {
		var err error
		out, err = w.act1(ctx, action, a)
		return err
	})
	return out, err
}

// act1 validates again (validation happened before the handler ran) and
// performs the action. The state changes before the first write; before
// fbHandlerLock that was all that kept a concurrent update from acting on a
// stale state.
func (w *feedbackCase) act1(ctx workflow.Context, action string, a FeedbackAction) (FeedbackView, error) {
	if err := w.validate(action, a); err != nil {
		return w.view(), err
	}
	w.pending++
	defer func() { w.pending-- }()
	t := transition{actor: a.Actor, action: action, to: feedbackTarget(action), note: a.Note, public: true, notify: true}
	var pre, before, after func() error // pre: before the state change; before/after: around the write
	switch action {
	case FBActAccept:
		if w.clockWaiting {
			pre = func() error { return w.startAnswerClock(ctx) } // the task it opens carries the real due time
		}
	case FBActAssign:
		w.assignee = a.AssigneeID
		t.public, t.notify = false, false
		t.detail = map[string]any{"assignee_id": a.AssigneeID, "assignee_name": a.AssigneeName}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.AssigneeID = a.AssigneeID }
	case FBActStart:
	case FBActRequestInfo:
		t.mutate = func(ev *activities.FeedbackEvent) { ev.InfoRequest = &a.Note }
		before = func() error { return w.pauseClock(ctx) }
		if w.infoV >= fbInfoDeadline {
			before = func() error {
				if err := w.pauseClock(ctx); err != nil {
					return err
				}
				return w.startInfoDeadline(ctx)
			}
		}
	case FBActCloseUnanswered:
		t.finish, t.closeIt = true, true
	case FBActComplain:
		if !w.inComplaintWindow(ctx) {
			return w.view(), conflict("Đã hết thời hạn khiếu nại câu trả lời của phản ánh này.", "The complaint period of this answer is over.")
		}
		return w.locked(func() error { return w.reopen(ctx, a.Actor, FBActComplain, a.Note) })
	case FBActReplyInfo:
		t.notify = false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.InfoReply = &a.Note }
		before = func() error { return w.resumeClock(ctx) }
	case FBActDraftAnswer:
		t.public, t.notify = false, false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.Answer = &a.Answer; ev.AnswerMedia = a.MediaIDs }
	case FBActReturnDraft:
		t.public, t.notify = false, false
	case FBActApproveAnswer:
		t.public, t.notify = false, false
		t.mutate = func(ev *activities.FeedbackEvent) { ev.AnswerBy = a.Actor.Name }
		after = func() error {
			w.published(ctx, a.Actor.UserID)
			return w.step(ctx, transition{actor: a.Actor, action: "publish", to: FBPublished, public: true, notify: true, finish: true,
				mutate: func(ev *activities.FeedbackEvent) { ev.Published = true }})
		}
	case FBActTransfer:
		return w.locked(func() error { return w.routeTo(ctx, a.AgencyCode, a.Actor, FBActTransfer, a.Note) })
	case FBActNotOurs:
		w.agency, w.assignee = CoordinatorAgency, 0
		t.mutate = func(ev *activities.FeedbackEvent) { ev.ClearAssignee = true }
	case FBActReject:
		t.finish, t.closeIt = true, true
	case FBActMarkDuplicate:
		w.dupOf = a.OriginalCode
		t.finish, t.closeIt = true, true
		t.detail = map[string]any{"original_code": a.OriginalCode}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.DuplicateOf = a.OriginalCode }
	case FBActClose:
		t.closeIt = true
	case FBActRate:
		t.notify = false
		t.detail = map[string]any{"score": a.Score}
		t.mutate = func(ev *activities.FeedbackEvent) { ev.Rating = a.Score; ev.RatingComment = a.Note }
		after = func() error {
			if a.Score <= 2 && w.inComplaintWindow(ctx) {
				return w.reopen(ctx, system, "reopen", "Công dân đánh giá chưa hài lòng (1–2 sao), phản ánh được mở lại. / Rated 1–2 stars: reopened.")
			}
			return w.step(ctx, transition{actor: system, action: "close", to: FBClosed, public: true, notify: true, closeIt: true})
		}
	case FBActWithdraw:
		t.finish, t.closeIt = true, true
	default:
		return w.view(), errors.New("unknown action " + action)
	}
	if pre != nil {
		if err := pre(); err != nil {
			return w.view(), err
		}
	}
	ev := w.apply(ctx, t)
	if before != nil {
		if err := before(); err != nil {
			return w.view(), err
		}
		w.version++ // the clock moved: recompute the deadlines
	}
	if err := w.write(ctx, ev, t.notify); err != nil {
		return w.view(), err
	}
	if after != nil {
		if err := after(); err != nil {
			return w.view(), err
		}
	}
	return w.view(), nil
}

func (w *feedbackCase) locked(f func() error) (FeedbackView, error) {
	err := f()
	return w.view(), err
}

// fbOpts are the feedback activities' options: short writes, so a try cut by a
// crash is retried after 10 s instead of the default 30 s.
func fbOpts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
}

// fbLocalWritesChange guards the switch of the read-model writes, the routing
// lookup and the outbox enqueues from regular to local activities: a
// submission then completes in one workflow task instead of ~5 workflow tasks
// and 4 activity round trips through the server (BENCHMARKS.md, T2).
//
// Version 2 (fbDurableNotices) sends the outbox enqueues (Notify,
// NotifyAgencyStaff) as regular activities again, from the durable history
// (outbox.go); the read-model writes stay local.
//
// Version 3 (fbAnswerNotices) hands the notices an Update makes back in its
// answer, for cases to enqueue (outbox.go); the others stay regular
// activities.
//
// Version 4 (fbIntakePlan) is the only GetVersion a new case calls: the
// changes that had change ids of their own (feedback-handler-lock,
// feedback-info-deadline, feedback-complaint-reopen, feedback-clock-start)
// are implied at their newest versions, so a new case's first workflow task
// records one version marker and one TemporalChangeVersion upsert instead of
// five of each. Its intake is two local activities instead of four or five:
// PlanFeedbackIntake (route, answer clock, accept deadline, provisional
// due) and RecordFeedbackEvents (the submit and route events). New changes
// bump this id's version.
//
// Version 5 (fbKeepTimer) keeps the deadline timer across the steps that do
// not move the next deadline (deadline_timer.go) instead of cancelling it
// and starting a new one at every step.
const (
	fbLocalWritesChange = "feedback-local-writes"
	fbLocalWrites       = workflow.Version(1)
	fbDurableNotices    = workflow.Version(2)
	fbAnswerNotices     = workflow.Version(3)
	fbIntakePlan        = workflow.Version(4)
	fbKeepTimer         = workflow.Version(5)
)

// exec runs one short, idempotent write or lookup (keyed by workflow_id+seq or
// a dedupe key, so a retried try writes nothing twice): a local activity from
// fbLocalWrites on, a regular activity in cases started before.
func (w *feedbackCase) exec(ctx workflow.Context, fn, arg, result any) error {
	if w.v >= fbLocalWrites {
		return workflow.ExecuteLocalActivity(localOpts(ctx), fn, arg).Get(ctx, result)
	}
	return workflow.ExecuteActivity(fbOpts(ctx), fn, arg).Get(ctx, result)
}

// send enqueues a notice: from fbDurableNotices through the outbox (a
// regular activity scheduled by the completed task: outbox.go), before it as
// a write like the others.
func (w *feedbackCase) send(ctx workflow.Context, fn, arg any) error {
	if w.v >= fbDurableNotices {
		w.out.send(ctx, fn, arg)
		return nil
	}
	return w.exec(ctx, fn, arg, nil)
}
