// Package cases holds the operations on cases that every interface reaches
// (the JSON API, Open311, the staff console, bench): submitting and acting
// on feedback and applications, task hand-offs and exports. Each operation
// is written once here, with its idempotency, its Temporal calls and the one
// mapping of Temporal errors to cds.Error; the interfaces parse their input,
// call an operation and render the result.
package cases

import (
	"context"

	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// Service runs the operations. Its fields are the clients built in cmd.
type Service struct {
	DB       *postgres.DB
	Temporal client.Client
	Authz    cds.Authorizer // case-level permissions (the route's Perm is checked at the edge)
	// Queue is the worker's task queue (default workflows.TaskQueue).
	Queue string
	// SLAScale divides case deadlines (demo and tests); 1 or less is real time.
	SLAScale float64
	// Notify enqueues a notification (the outbox of activities.Notify); nil:
	// hand-offs outside a workflow (AssignTask) tell nobody.
	Notify func(ctx context.Context, in activities.NotifyInput) error
}

// TaskQueue is the queue new case workflows start on.
func (s *Service) TaskQueue() string {
	if s.Queue != "" {
		return s.Queue
	}
	return workflows.TaskQueue
}

// SLA is the divisor of deadlines a new case carries (0: real time).
func (s *Service) SLA() float64 {
	if s.SLAScale > 1 {
		return s.SLAScale
	}
	return 0
}
