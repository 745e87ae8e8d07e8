package cases

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// Idempotency scopes of feedback submissions, one per interface: a key is
// its client's, and the stored answer is in that interface's shape.
const (
	ScopeFeedback = "feedback"
	ScopeOpen311  = "open311"
)

// FeedbackSubmission is a new feedback report whose fields its interface
// has validated.
type FeedbackSubmission struct {
	Scope    string // ScopeFeedback or ScopeOpen311
	KeyOwner int64  // the account the Idempotency-Key belongs to
	Key      string // Idempotency-Key ("" : no retry protection)
	Category postgres.FeedbackCategory
	// Input is the workflow's input; Code and SLA are set here.
	Input workflows.FeedbackInput
	// RouteWait bounds the wait for routing (0: as long as ctx allows). A
	// case that started but is not routed in time answers Routed false.
	RouteWait time.Duration
	// Prepare runs once the code is drawn, before the workflow starts (Open311
	// records its request). A retry that takes the key over runs it again
	// with the same code, so it must be idempotent.
	Prepare func(ctx context.Context, code string) error
	// Abandon undoes Prepare when the workflow did not start.
	Abandon func(ctx context.Context, code string)
	// Answer renders the outcome; the answer is stored with the key, so a
	// retry gets it back byte for byte.
	Answer func(ctx context.Context, o FeedbackOutcome) (int, any)
}

// FeedbackOutcome is what a submission produced.
type FeedbackOutcome struct {
	Code   string
	View   workflows.FeedbackView // valid when Routed
	Routed bool
}

// SubmitFeedback files a feedback report: the one implementation behind the
// app's POST /api/v1/feedback and Open311's POST requests. The key is
// resumable: if the instance handling a first attempt dies, the retry takes
// the key over, reuses the reserved code and joins the workflow that attempt
// may have started (update-with-start, USE_EXISTING), so a case is never
// filed twice. It returns the stored answer (status and JSON body).
func (s *Service) SubmitFeedback(ctx context.Context, sub FeedbackSubmission) (int, []byte, error) {
	status, body, _, err := s.DB.IdempotentResumable(ctx, sub.Scope, sub.KeyOwner, sub.Key, func() (int, any, error) {
		code, err := s.DB.IdempotencyReserve(ctx, sub.Scope, sub.KeyOwner, sub.Key, "code", func() (string, error) {
			year := time.Now().In(cds.VietnamTZ).Year()
			n, err := s.DB.NextCode(ctx, fmt.Sprintf("PA-%d", year))
			return fmt.Sprintf("PA-%d-%06d", year, n), err
		})
		if err != nil {
			return 0, nil, err
		}
		if sub.Prepare != nil {
			if err := sub.Prepare(ctx, code); err != nil {
				return 0, nil, err
			}
		}
		in := sub.Input
		in.Code = code
		cat := sub.Category
		in.SLA = workflows.FeedbackSLA{AcceptHours: cat.AcceptHours, AnswerHours: cat.AnswerHours, Reminder: float64(cat.ReminderPct) / 100, Scale: s.SLA(),
			InfoDays: cat.InfoDays, InfoGraceDays: cat.InfoGraceDays, ComplaintDays: cat.ComplaintDays, ClockFrom: cat.ClockFrom}
		if in.Urgent {
			in.SLA.AcceptHours, in.SLA.AnswerHours = cat.UrgentAcceptHours, cat.UrgentAnswerHours
		}
		v, started, err := s.startFeedback(ctx, in, sub.RouteWait)
		switch {
		case err == nil:
		case started:
			// The case runs but was not routed in time.
			v = workflows.FeedbackView{}
		default:
			if sub.Abandon != nil {
				sub.Abandon(context.WithoutCancel(ctx), code)
			}
			return 0, nil, err
		}
		st, out := sub.Answer(ctx, FeedbackOutcome{Code: code, View: v, Routed: err == nil})
		return st, out, nil
	})
	return status, body, err
}

// startFeedback starts the FeedbackCase with update-with-start and waits
// until it is routed and its row is in the read model, so the answer
// carries the due time. Codes are never reused, so a running workflow with
// this ID can only come from an earlier attempt of this same request: it is
// joined (USE_EXISTING). started tells whether the workflow runs even if
// err != nil (the wait ran out).
func (s *Service) startFeedback(ctx context.Context, in workflows.FeedbackInput, wait time.Duration) (workflows.FeedbackView, bool, error) {
	var v workflows.FeedbackView
	op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.FeedbackWorkflowID(in.Code), TaskQueue: s.TaskQueue(),
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.FeedbackWorkflowName, in)
	wctx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	// One Update ID per case: a retry that joins the workflow gets the first
	// attempt's answer (and its notices) back.
	updID := workflows.FeedbackUpdateSubmitted + ":" + in.Code
	h, err := s.Temporal.UpdateWithStartWorkflow(wctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.FeedbackUpdateSubmitted, UpdateID: updID,
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err == nil {
		err = h.Get(wctx, &v)
	}
	if finishedBefore(err) {
		return s.filedFeedback(ctx, in.Code)
	}
	s.settle(wctx, workflows.FeedbackWorkflowID(in.Code), updID, err, &v.Notices)
	if err == nil || wait == 0 {
		return v, err == nil, err
	}
	gctx, gcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer gcancel()
	run, gerr := op.Get(gctx)
	return v, gerr == nil && run != nil, err
}

// filedFeedback answers a retry whose earlier attempt's case has already
// finished: the case as the read model holds it (started, routed), or
// notFiled if it never got there.
func (s *Service) filedFeedback(ctx context.Context, code string) (workflows.FeedbackView, bool, error) {
	f, err := s.DB.FeedbackByCode(ctx, code)
	switch {
	case cds.ErrorCode(err) == cds.ENOTFOUND:
		return workflows.FeedbackView{}, false, notFiled()
	case err != nil:
		return workflows.FeedbackView{}, false, err
	}
	v := workflows.FeedbackView{Code: f.Code, Status: f.Status, AgencyCode: f.AgencyCode}
	if f.DueAt != nil {
		v.DueAt = *f.DueAt
	}
	return v, true, nil
}

// UpdateFeedback sends the update name to case code and waits for its
// result, so the read model is written when the answer goes out. With a
// request key the Update ID is stable: Temporal applies a retried request
// once and answers the retry with the first outcome (no second timeline
// line, no 409).
func (s *Service) UpdateFeedback(ctx context.Context, code, name string, a workflows.FeedbackAction, key string) (workflows.FeedbackView, error) {
	return s.updateFeedbackID(ctx, code, name, a, updateID(name, a.Actor.UserID, key))
}

// updateFeedbackID sends an update with the given Update ID ("": a fresh one).
func (s *Service) updateFeedbackID(ctx context.Context, code, name string, a workflows.FeedbackAction, id string) (workflows.FeedbackView, error) {
	var v workflows.FeedbackView
	if id == "" {
		id = newUpdateID()
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.FeedbackWorkflowID(code), UpdateName: name, Args: []any{a},
		UpdateID: id, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &v)
	}
	s.settle(ctx, workflows.FeedbackWorkflowID(code), id, err, &v.Notices)
	return v, temporalError(err, feedbackClosed())
}

// updateID is the Update ID of a request with an Idempotency-Key: the same
// action by the same person with the same key is the same update. Without a
// key Temporal draws a fresh ID.
func updateID(action string, actorID int64, key string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%s", action, actorID, key)
}

// FeedbackLive is the live state of a running case (the workflow's query).
func (s *Service) FeedbackLive(ctx context.Context, code string) (workflows.FeedbackView, error) {
	var v workflows.FeedbackView
	val, err := s.Temporal.QueryWorkflow(ctx, workflows.FeedbackWorkflowID(code), "", workflows.FeedbackQueryState)
	if err == nil {
		err = val.Get(&v)
	}
	return v, temporalError(err, feedbackClosed())
}
