package cases

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/caobang/congdanso/activities"
)

// answerClient is a Temporal client whose only call is the handle of an
// Update that completed with answer (as JSON, as the data converter sends it).
type answerClient struct {
	client.Client
	answer any
	asked  chan client.GetWorkflowUpdateHandleOptions
}

func (c *answerClient) GetWorkflowUpdateHandle(o client.GetWorkflowUpdateHandleOptions) client.WorkflowUpdateHandle {
	c.asked <- o
	return answerHandle{o: o, answer: c.answer}
}

type answerHandle struct {
	o      client.GetWorkflowUpdateHandleOptions
	answer any
}

func (h answerHandle) WorkflowID() string { return h.o.WorkflowID }
func (h answerHandle) RunID() string      { return h.o.RunID }
func (h answerHandle) UpdateID() string   { return h.o.UpdateID }
func (h answerHandle) Get(_ context.Context, ptr any) error {
	b, err := json.Marshal(h.answer)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

func notice(key string) activities.Notice {
	return activities.Notice{Citizen: &activities.NotifyInput{DedupeKey: key, UserID: 7, Kind: "feedback.accepted"}}
}

// An answer in hand: its notices are queued before the caller gets the
// view, and the view no longer carries them.
func TestSettleQueuesTheAnswersNotices(t *testing.T) {
	var got []activities.Notice
	s := &Service{Enqueue: func(_ context.Context, ns []activities.Notice) error { got = append(got, ns...); return nil }}
	ns := []activities.Notice{notice("feedback/PA-1/3/7")}
	s.settle(context.Background(), "feedback/PA-1", "u-1", nil, &ns)
	if len(got) != 1 || got[0].Citizen.DedupeKey != "feedback/PA-1/3/7" || ns != nil {
		t.Fatalf("queued %+v, left %+v", got, ns)
	}
}

// The caller stopped waiting (its context ended): the answer is fetched by
// the Update's ID and its notices queued, without the caller.
func TestSettleWaitsOnWhenTheCallerGaveUp(t *testing.T) {
	queued := make(chan []activities.Notice, 1)
	c := &answerClient{answer: map[string]any{"code": "PA-1", "notices": []activities.Notice{notice("feedback/PA-1/2/7")}},
		asked: make(chan client.GetWorkflowUpdateHandleOptions, 1)}
	s := &Service{Temporal: c, Enqueue: func(_ context.Context, ns []activities.Notice) error { queued <- ns; return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var none []activities.Notice
	s.settle(ctx, "feedback/PA-1", "submitted:PA-1", context.Canceled, &none)
	select {
	case o := <-c.asked:
		if o.WorkflowID != "feedback/PA-1" || o.UpdateID != "submitted:PA-1" {
			t.Fatalf("asked for %+v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the answer was never asked for")
	}
	select {
	case ns := <-queued:
		if len(ns) != 1 || ns[0].Citizen.DedupeKey != "feedback/PA-1/2/7" {
			t.Fatalf("queued %+v", ns)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the notices were never queued")
	}
}

// A refused or failed Update while the caller still waits: nothing to
// queue, nothing fetched (the workflow keeps what it held).
func TestSettleLeavesAFailedUpdate(t *testing.T) {
	c := &answerClient{asked: make(chan client.GetWorkflowUpdateHandleOptions, 1)}
	s := &Service{Temporal: c, Enqueue: func(context.Context, []activities.Notice) error { t.Error("queued"); return nil }}
	var none []activities.Notice
	s.settle(context.Background(), "feedback/PA-1", "u-2", errors.New("conflict"), &none)
	select {
	case o := <-c.asked:
		t.Fatalf("asked for %+v", o)
	case <-time.After(100 * time.Millisecond):
	}
}
