// Package cases holds the operations on cases that every interface reaches
// (the JSON API, Open311, the staff console, bench): submitting and acting
// on feedback and applications, task hand-offs and exports. Each operation
// is written once here, with its idempotency, its Temporal calls and the one
// mapping of Temporal errors to cds.Error; the interfaces parse their input,
// call an operation and render the result.
package cases

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
	"github.com/caobang/congdanso/worktime"
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
	// TaskAssigned tells the assignee of a task handed over by AssignTask
	// (activities.NotifyTaskAssigned; nil: nobody is told).
	TaskAssigned func(ctx context.Context, taskID, userID int64, caseKind, caseCode string) error
	// Enqueue queues the notices an Update's answer carries
	// (activities.EnqueueAnswer; nil: the workflow's safety net queues
	// them in its next task, or when it closes).
	Enqueue func(ctx context.Context, ns []activities.Notice) error
	// Calendar is the working-time calendar for a new dossier's reception
	// deadline (activities.Calendar, the worker's cache; nil: read from
	// PostgreSQL each time).
	Calendar func(ctx context.Context) (*worktime.Calendar, error)
	// Logger reports a failed enqueue (nil: slog.Default()).
	Logger *slog.Logger
}

// settle ends the wait for an Update's answer (workflow wfID, Update ID
// updID, err from the wait). An answer's notices are queued and taken out
// of it (no interface shows them). If the caller stopped waiting first
// (ctx done: a client that went away, a route wait that ran out), a
// goroutine goes on waiting for the answer, up to two minutes, and queues
// its notices then, so they do not wait for the workflow's next task.
func (s *Service) settle(ctx context.Context, wfID, updID string, err error, notices *[]activities.Notice) {
	if err == nil {
		s.enqueue(ctx, *notices)
		*notices = nil
		return
	}
	if ctx.Err() == nil || updID == "" || s.Enqueue == nil {
		return
	}
	go func() {
		lctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var answer struct {
			Notices []activities.Notice `json:"notices"`
		}
		h := s.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: wfID, UpdateID: updID})
		if h.Get(lctx, &answer) == nil {
			s.enqueue(lctx, answer.Notices)
		}
	}()
}

// newUpdateID draws an Update ID for a request without an Idempotency-Key
// (settle needs to know it).
func newUpdateID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "u-" + hex.EncodeToString(b)
}

// enqueue queues the notices of an answer before the request is answered,
// so a notice is in the outbox when the person who acted sees the result.
// The answer is in hand, so the enqueue runs even if the caller has gone
// (its own 10 s bound). A failure is logged, not returned: the step has
// happened, and the workflow enqueues what it held in its next task.
func (s *Service) enqueue(ctx context.Context, ns []activities.Notice) {
	if len(ns) == 0 || s.Enqueue == nil {
		return
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Enqueue(ectx, ns); err != nil {
		log := s.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("notices of an answer not queued; the workflow will queue them", "err", err)
	}
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

// calendar is the working-time calendar (Calendar, or PostgreSQL).
func (s *Service) calendar(ctx context.Context) (*worktime.Calendar, error) {
	if s.Calendar != nil {
		return s.Calendar(ctx)
	}
	return s.DB.Calendar(ctx)
}
