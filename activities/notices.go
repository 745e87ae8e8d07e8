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

// EnqueueNotices runs each notice's enqueue, in order. Each is a step
// queued once (queueStep), so running the list again (a retry, or the API
// and the workflow both) queues nothing twice and costs one round trip a
// notice. cases calls it with the notices of an Update's answer; the case
// workflows run it as a local activity for notices handed out in an
// earlier workflow task, and as a regular activity for what is left when
// they close.
func (a *Activities) EnqueueNotices(ctx context.Context, ns []Notice) error {
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
