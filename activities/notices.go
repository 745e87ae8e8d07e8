package activities

import (
	"context"
	"errors"
)

// Notice is one outbox enqueue a case workflow hands back in an Update's
// answer (workflows/outbox.go, "notices carried by the answer"): exactly
// one of its fields is set, and it names the enqueue that runs it (Notify,
// NotifyAgencyStaff or NotifyTaskHolder). The dedupe keys are the
// workflow's, so whoever enqueues it (the API holding the answer, the
// workflow's own safety net, or both) queues it once.
type Notice struct {
	Citizen *NotifyInput `json:"citizen,omitempty"`
	Staff   *StaffNotice `json:"staff,omitempty"`
	Holder  *TaskNotice  `json:"holder,omitempty"`
}

// NoticeOf wraps the argument of one of the three enqueues; ok is false for
// anything else.
func NoticeOf(arg any) (n Notice, ok bool) {
	switch x := arg.(type) {
	case NotifyInput:
		return Notice{Citizen: &x}, true
	case StaffNotice:
		return Notice{Staff: &x}, true
	case TaskNotice:
		return Notice{Holder: &x}, true
	}
	return Notice{}, false
}

// EnqueueNotices is the case workflows' run of notices handed out in an
// earlier workflow task (a local activity), or left when they close (a
// regular activity). The API has usually queued them already from the
// Update's answer (EnqueueAnswer), so one read first asks which of the
// steps are marked queued, and only the others run: a safety net that finds
// everything done costs one statement, not one round trip a notice.
func (a *Activities) EnqueueNotices(ctx context.Context, ns []Notice) error {
	marks := make([]string, len(ns)) // marks[i] is ns[i]'s, "" for none
	asked := make([]string, 0, len(ns))
	for i, n := range ns {
		if marks[i] = n.mark(); marks[i] != "" {
			asked = append(asked, marks[i])
		}
	}
	queued, err := a.DB.QueuedSteps(ctx, asked)
	if err != nil {
		return err
	}
	left := make([]Notice, 0, len(ns))
	for i, n := range ns {
		if marks[i] == "" || !queued[marks[i]] {
			left = append(left, n)
		}
	}
	return a.EnqueueAnswer(ctx, left)
}

// EnqueueAnswer runs each notice's enqueue, in order: cases calls it with
// the notices of an Update's answer. Each is a step queued once
// (queueStep), so running the list again (a retried request, or the
// workflow's safety net, EnqueueNotices) queues nothing twice.
func (a *Activities) EnqueueAnswer(ctx context.Context, ns []Notice) error {
	for _, n := range ns {
		var err error
		switch {
		case n.Citizen != nil:
			err = a.Notify(ctx, *n.Citizen)
		case n.Staff != nil:
			err = a.NotifyAgencyStaff(ctx, *n.Staff)
		case n.Holder != nil:
			err = a.NotifyTaskHolder(ctx, *n.Holder)
		default:
			err = errors.New("activities: an empty notice")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mark is the step mark the notice's enqueue writes (queueStep); "" for an
// empty notice, which EnqueueAnswer refuses.
func (n Notice) mark() string {
	switch {
	case n.Citizen != nil:
		return n.Citizen.DedupeKey
	case n.Staff != nil:
		return n.Staff.staffStep()
	case n.Holder != nil:
		return n.Holder.holderStep()
	}
	return ""
}
