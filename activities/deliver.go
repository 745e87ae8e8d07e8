package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/notify"
	"github.com/caobang/congdanso/postgres"
)

// ChannelSet holds the configured delivery channels (issue 20). A channel
// missing from ByName fails its deliveries with "channel not configured".
type ChannelSet struct {
	ByName  map[string]notify.Channel
	Metrics *notify.Metrics
	// StartDelivery starts the delivery workflow of one delivery row; cmd
	// sets it (activities cannot import workflows). Nil: nothing is dispatched.
	StartDelivery func(ctx context.Context, c client.Client, id int64, key string, notBefore time.Time) error
}

// DeliveryWorkflowID is the workflow ID of a delivery: its dedupe key, so
// the server refuses to start a second one for the same step and channel.
func DeliveryWorkflowID(key string) string { return "notify/" + key }

// channelsFor picks the channels of one message: a forced channel (a code
// by SMS), else the defaults overridden by the person's choices for the topic.
func channelsFor(t postgres.NotifyTarget, kind, forced string) []string {
	for _, ch := range notify.Channels {
		if forced == ch {
			return []string{ch}
		}
	}
	topic := notify.TopicOf(kind)
	defaults := notify.DefaultChannels(t.Staff, topic)
	var out []string
	for _, ch := range notify.Channels {
		on := false
		for _, d := range defaults {
			on = on || d == ch
		}
		if v, ok := t.Prefs[topic+"/"+ch]; ok && topic != notify.TopicAccount && topic != notify.TopicStaff {
			on = v
		}
		if on {
			out = append(out, ch)
		}
	}
	return out
}

// quietUntil returns the end of the person's quiet hours when now falls in
// them and the topic is not urgent, else nil. Hours are Vietnam time.
func quietUntil(t postgres.NotifyTarget, topic string, now time.Time) *time.Time {
	if !t.Quiet || notify.Urgent(topic) || t.QuietStart == t.QuietEnd {
		return nil
	}
	local := now.In(cds.VietnamTZ)
	m := local.Hour()*60 + local.Minute()
	in := (t.QuietStart < t.QuietEnd && m >= t.QuietStart && m < t.QuietEnd) ||
		(t.QuietStart > t.QuietEnd && (m >= t.QuietStart || m < t.QuietEnd))
	if !in {
		return nil
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, cds.VietnamTZ)
	end := day.Add(time.Duration(t.QuietEnd) * time.Minute)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return &end
}

// DispatchDeliveries starts the delivery workflow of up to limit queued
// deliveries. It runs in every worker's outbox loop.
func (a *Activities) DispatchDeliveries(ctx context.Context, limit int) (int, error) {
	if a.Channels.StartDelivery == nil || a.Temporal == nil {
		return 0, nil
	}
	return a.DB.DispatchDeliveries(ctx, limit, func(id int64, key string, nb time.Time) error {
		err := a.Channels.StartDelivery(ctx, a.Temporal, id, key, nb)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return nil // dispatched before a crash; the workflow runs already
		}
		return err
	})
}

// DeliveryReuse is the ID reuse policy of delivery workflows: never a second
// run for one dedupe key, even after the first one closed.
const DeliveryReuse = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE

// Deliver sends one delivery row on its channel. A delivery already sent
// or failed is not sent again. A permanent failure (no device, template
// refused) marks it failed at once; a transient one is counted and returned,
// so Temporal retries it with backoff until the workflow gives up.
func (a *Activities) Deliver(ctx context.Context, id int64) error {
	j, err := a.DB.DeliveryJob(ctx, id)
	if err != nil {
		return err
	}
	if j.Status != "queued" {
		return nil
	}
	m := a.Channels.Metrics
	ch := a.Channels.ByName[j.Channel]
	if ch == nil {
		m.Count(j.Channel, "failed", 1)
		return a.DB.DeliveryFailed(ctx, id, "Kênh chưa được cấu hình / channel not configured")
	}
	title, body, data := notify.Render(j.Channel, notify.Source{ID: j.NotificationID, Kind: j.Kind, Title: j.Title, Body: j.Body, Payload: j.Payload})
	msg := notify.Message{Key: j.DedupeKey, UserID: j.UserID, Kind: j.Kind, Title: title, Body: body, Data: data,
		Phone: j.Phone, Email: j.Email, Tokens: j.Tokens}
	res, sendErr := ch.Send(ctx, msg)
	if len(res.DropTokens) > 0 {
		if err := a.DB.DropDeviceTokens(ctx, res.DropTokens); err != nil {
			return err
		}
		m.Count(j.Channel, "token_dropped", len(res.DropTokens))
	}
	switch {
	case sendErr == nil:
		m.Count(j.Channel, "sent", 1)
		if err := a.DB.DeliverySent(ctx, id, res.ProviderID); err != nil {
			return err
		}
		if notify.TopicOf(j.Kind) == notify.TopicAccount {
			return a.DB.ScrubSentCode(ctx, j.NotificationID)
		}
		return nil
	case notify.IsPermanent(sendErr):
		m.Count(j.Channel, "failed", 1)
		if err := a.DB.DeliveryAttempt(ctx, id, sendErr.Error()); err != nil {
			return err
		}
		return a.DB.DeliveryFailed(ctx, id, sendErr.Error())
	}
	m.Count(j.Channel, "retry", 1)
	a.log().Warn("delivery failed, will retry", "deliveryID", id, "channel", j.Channel,
		"attempt", activity.GetInfo(ctx).Attempt, "err", sendErr)
	if err := a.DB.DeliveryAttempt(ctx, id, sendErr.Error()); err != nil {
		return err
	}
	return temporal.NewApplicationError(sendErr.Error(), "DeliveryTransient")
}

// GiveUpDelivery marks a delivery failed after its retries ran out.
func (a *Activities) GiveUpDelivery(ctx context.Context, id int64, reason string) error {
	j, err := a.DB.DeliveryJob(ctx, id)
	if err != nil {
		return err
	}
	if j.Status == "queued" {
		a.Channels.Metrics.Count(j.Channel, "failed", 1)
	}
	return a.DB.DeliveryFailed(ctx, id, "Đã thử lại nhiều lần, dừng gửi / gave up after retries: "+reason)
}

// notifyAssignee tells the officer a feedback case was assigned to them.
func (a *Activities) notifyAssignee(ctx context.Context, ev FeedbackEvent) error {
	id, _ := ev.Detail["assignee_id"].(int64)
	if f, ok := ev.Detail["assignee_id"].(float64); ok {
		id = int64(f)
	}
	if ev.Action != "assign" || id == 0 {
		return nil
	}
	return a.enqueue(ctx, NotifyInput{DedupeKey: fmt.Sprintf("%s/%d/assigned/%d", ev.WorkflowID, ev.Seq, id), UserID: id,
		Kind: "feedback.assigned", Title: fmt.Sprintf("Bạn được phân công xử lý phản ánh %s.", ev.CaseCode),
		Payload: map[string]any{"code": ev.CaseCode, "due_at": ev.DueAt}})
}
