// Package replaytrace replays a recorded workflow history and returns the
// timeline events the workflow code writes on the way (the read-model writes
// it schedules), with the updates and signals it handles. The replay tests
// use it to prove that every transition is covered by a recorded history,
// and the crash test to compare case_events with what each workflow did.
package replaytrace

import (
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/caobang/congdanso/activities"
)

// Event is one timeline event the workflow wrote (RecordFeedback,
// RecordApplication or RecordApplicationStep), in the order it was scheduled.
type Event struct {
	Seq          int
	Action       string
	From, To     string
	WorkflowID   string
	ScheduledVia string // "local" or "activity"
}

// Trace is what one or more replays saw.
type Trace struct {
	Events   []Event
	Updates  []string // update names, and "action" of an application-action update
	Signals  []string
	actionOf func(arg any) (string, bool)
}

// Replay replays the history of a workflow registered under name and
// appends what it wrote to tr. actionOf names the action carried by an
// update argument (nil: update names only).
func (tr *Trace) Replay(h *historypb.History, name string, wf any, actionOf func(any) (string, bool)) error {
	tr.actionOf = actionOf
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{&workerI{tr: tr}}})
	if err != nil {
		return err
	}
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	return r.ReplayWorkflowHistory(nil, h)
}

// ReplayFile is Replay of a JSON history file (workflows/testdata).
func (tr *Trace) ReplayFile(path, name string, wf any, actionOf func(any) (string, bool)) error {
	tr.actionOf = actionOf
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: []interceptor.WorkerInterceptor{&workerI{tr: tr}}})
	if err != nil {
		return err
	}
	r.RegisterWorkflowWithOptions(wf, workflow.RegisterOptions{Name: name})
	return r.ReplayWorkflowHistoryFromJSONFile(nil, path)
}

type workerI struct {
	interceptor.WorkerInterceptorBase
	tr *Trace
}

func (w *workerI) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &inbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, tr: w.tr}
}

type inbound struct {
	interceptor.WorkflowInboundInterceptorBase
	tr *Trace
}

func (i *inbound) Init(out interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&outbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: out}, tr: i.tr})
}

func (i *inbound) ExecuteUpdate(ctx workflow.Context, in *interceptor.UpdateInput) (any, error) {
	i.tr.Updates = append(i.tr.Updates, in.Name)
	if i.tr.actionOf != nil {
		for _, a := range in.Args {
			if act, ok := i.tr.actionOf(a); ok {
				i.tr.Updates = append(i.tr.Updates, act)
			}
		}
	}
	return i.Next.ExecuteUpdate(ctx, in)
}

func (i *inbound) HandleSignal(ctx workflow.Context, in *interceptor.HandleSignalInput) error {
	i.tr.Signals = append(i.tr.Signals, in.SignalName)
	return i.Next.HandleSignal(ctx, in)
}

type outbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	tr *Trace
}

func (o *outbound) note(args []any, via string) {
	for _, a := range args {
		switch ev := a.(type) {
		case []activities.FeedbackEvent: // RecordFeedbackEvents (feedback-local-writes v4)
			for _, e := range ev {
				o.note([]any{e}, via)
			}
		case activities.FeedbackEvent:
			o.tr.Events = append(o.tr.Events, Event{Seq: ev.Seq, Action: ev.Action, From: ev.From, To: ev.To, WorkflowID: ev.WorkflowID, ScheduledVia: via})
		case activities.RecordStepInput: // RecordApplicationStep (application-local-writes v6)
			o.note([]any{ev.Record}, via)
		case activities.ApplicationRecord:
			o.tr.Events = append(o.tr.Events, Event{Seq: ev.Seq, Action: ev.Action, From: string(ev.FromStatus), To: string(ev.ToStatus), WorkflowID: ev.WorkflowID, ScheduledVia: via})
		}
	}
}

func (o *outbound) ExecuteActivity(ctx workflow.Context, name string, args ...any) workflow.Future {
	o.note(args, "activity")
	return o.Next.ExecuteActivity(ctx, name, args...)
}

func (o *outbound) ExecuteLocalActivity(ctx workflow.Context, name string, args ...any) workflow.Future {
	o.note(args, "local")
	return o.Next.ExecuteLocalActivity(ctx, name, args...)
}
