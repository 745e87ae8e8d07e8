package workflows

import (
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
)

// startPlanned is start from fbIntakePlan: one local activity plans the
// route and the deadlines (PlanFeedbackIntake), one writes the submit and
// route events (RecordFeedbackEvents), where earlier versions ran four or
// five local activities. The events, the notice and the state are the same.
func (w *feedbackCase) startPlanned(ctx workflow.Context) error {
	in := w.in
	now := workflow.Now(ctx)
	pin := activities.FeedbackIntakeInput{
		Route:     activities.RouteInput{Category: in.Category, CommuneCode: in.Location.CommuneCode, Fallback: CoordinatorAgency},
		WallClock: w.wallClock(), At: now, AcceptHours: w.acceptHours(),
	}
	if w.clockWaiting {
		pin.AnswerHours = in.SLA.AnswerHours
	} else {
		clock := w.clock
		pin.Clock, pin.Fraction = &clock, in.SLA.Reminder
	}
	var plan activities.FeedbackIntakePlan
	if err := workflow.ExecuteLocalActivity(localOpts(ctx), acts.PlanFeedbackIntake, pin).Get(ctx, &plan); err != nil {
		return err
	}
	switch {
	case w.wallClock():
		// refreshClock and provisionalDue run no activity on the wall clock.
		if !w.clockWaiting {
			if err := w.refreshClock(ctx); err != nil {
				return err
			}
		}
	case plan.Clock != nil:
		w.clock, w.due, w.mark = plan.Clock.Clock, plan.Clock.Due, plan.Clock.Mark
	}
	citizen := cds.Actor{UserID: in.CitizenID, Name: in.CitizenName, Roles: []cds.Role{cds.RoleCitizen}}
	submit := w.apply(ctx, transition{actor: citizen, action: "submit", to: FBSubmitted, public: true, mutate: func(ev *activities.FeedbackEvent) {
		ev.Create = &activities.FeedbackCreate{FeedbackReport: in.FeedbackReport, ReceivedAt: w.received}
	}})
	submit.DueAt = w.due

	if w.wallClock() {
		// From the routing instant, as routeTo counts it (the clock moved
		// while the plan ran).
		w.acceptDue = workflow.Now(ctx).Add(w.scaled(w.acceptHours()))
	} else {
		w.acceptDue = plan.AcceptDue
	}
	if w.clockWaiting {
		if w.wallClock() {
			if err := w.provisionalDue(ctx); err != nil {
				return err
			}
		} else {
			w.due = plan.ProvisionalDue
		}
	}
	route := w.apply(ctx, w.routed(plan.Agency, cds.Actor{Name: "Hệ thống định tuyến"}, "route", ""))
	route.DueAt = w.due
	if err := w.exec(ctx, acts.RecordFeedbackEvents, []activities.FeedbackEvent{submit, route}, nil); err != nil {
		return err
	}
	return w.tell(ctx, route)
}
