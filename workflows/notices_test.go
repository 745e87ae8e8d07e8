package workflows

import (
	"context"
	"fmt"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/caobang/congdanso/activities"
)

// noticeSink is the outbox of the test harnesses: it takes the notices the
// workflow enqueues by activity and those an Update's answer carries (as
// cases does from appAnswerNotices/fbAnswerNotices on), and keeps each once
// by its dedupe key, as the notifications table's unique key does.
type noticeSink struct {
	seen    map[string]bool
	citizen func(activities.NotifyInput)
	staff   func(activities.StaffNotice)
	holder  func(activities.TaskNotice)
}

func (s *noticeSink) take(n activities.Notice) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	// The staff enqueues key each message by prefix + person; who the
	// persons are follows from the agency and roles (and the task).
	staffKey := func(n activities.StaffNotice) string {
		return fmt.Sprint(n.DedupePrefix, "|", n.Agency, "|", n.Roles)
	}
	var key string
	switch {
	case n.Citizen != nil:
		key = "c/" + n.Citizen.DedupeKey
	case n.Staff != nil:
		key = "s/" + staffKey(*n.Staff)
	case n.Holder != nil:
		key = "h/" + n.Holder.WorkflowID + "|" + n.Holder.StepKey + "|" + staffKey(n.Holder.StaffNotice)
	}
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	switch {
	case n.Citizen != nil:
		s.citizen(*n.Citizen)
	case n.Staff != nil:
		s.staff(*n.Staff)
	case n.Holder != nil:
		s.holder(*n.Holder)
	}
}

// mock routes the three enqueues and EnqueueNotices of env into the sink.
func (s *noticeSink) mock(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(acts.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, n activities.NotifyInput) error {
		s.take(activities.Notice{Citizen: &n})
		return nil
	})
	env.OnActivity(acts.NotifyAgencyStaff, mock.Anything, mock.Anything).Return(func(_ context.Context, n activities.StaffNotice) error {
		s.take(activities.Notice{Staff: &n})
		return nil
	})
	env.OnActivity(acts.NotifyTaskHolder, mock.Anything, mock.Anything).Return(func(_ context.Context, n activities.TaskNotice) error {
		s.take(activities.Notice{Holder: &n})
		return nil
	})
	env.OnActivity(acts.EnqueueNotices, mock.Anything, mock.Anything).Return(func(_ context.Context, ns []activities.Notice) error {
		for _, n := range ns {
			s.take(n)
		}
		return nil
	})
}

// answered takes the notices an Update's answer carries.
func (s *noticeSink) answered(ns []activities.Notice) {
	for _, n := range ns {
		s.take(n)
	}
}
