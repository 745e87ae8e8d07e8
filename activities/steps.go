package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caobang/congdanso/notify"
	"github.com/caobang/congdanso/postgres"
)

// Every notice goes out as a step: one read (is the step queued, whom does
// it reach, with their consent and choices) and one write (every inbox row,
// every delivery row and the step's mark), so a step costs two PostgreSQL
// round trips however many people it reaches, and is queued whole or not
// at all (postgres.QueueStep).

// Notify queues one step of a case or campaign for the person it names and,
// for a citizen's public feedback step, for the case's followers and (on
// publication) the reporters of its duplicates (issues 20, 21). The step's
// mark is its dedupe key: a later run of the same step (the activity
// retried, or the workflow's safety net after the API: EnqueueNotices)
// does nothing, so consent and choices apply as they stood when the step
// was first queued, and someone who followed after it is not told of it.
// Delivery is done by the DeliverNotification workflow that
// DispatchDeliveries starts, and the integration notifier (log/webhook)
// still gets every row from DrainOutbox.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	sel := postgres.Recipients{Users: []int64{in.UserID}}
	code, _ := in.Payload["code"].(string)
	// Followers get a citizen's public feedback step, without the staff's
	// note; staff notices and the reporter's own reminder are not repeated.
	if strings.HasPrefix(in.Kind, "feedback.") && notify.TopicOf(in.Kind) == notify.TopicCase && code != "" &&
		in.Kind != "feedback.info_reminder" {
		sel.FollowersOf = "feedback/" + code // workflows.FeedbackWorkflowID (workflows imports this package)
		if in.Kind == "feedback.published" {
			sel.DuplicatesOf = code
		}
	}
	told := map[int64]bool{in.UserID: true}
	return a.queueStep(ctx, in.DedupeKey, sel, func(r postgres.Recipient) (NotifyInput, bool) {
		switch {
		case r.Via == postgres.ViaUser:
			return in, true
		case told[r.UserID]:
			return NotifyInput{}, false
		case r.Via == postgres.ViaDuplicate:
			// The reporter of a duplicate gets this instead of the
			// follower's copy (consent is still checked per recipient).
			told[r.UserID] = true
			return NotifyInput{DedupeKey: fmt.Sprintf("%s/duplicate/%d", in.DedupeKey, r.UserID), UserID: r.UserID,
				Kind:    "feedback.duplicate_answered",
				Title:   fmt.Sprintf("Phản ánh %s, trùng với phản ánh của bạn, đã có kết quả trả lời.", code),
				Payload: map[string]any{"code": code, "status": in.Payload["status"], "duplicate": true}}, true
		case r.Via == postgres.ViaFollower:
			return NotifyInput{DedupeKey: fmt.Sprintf("%s/follower/%d", in.DedupeKey, r.UserID), UserID: r.UserID, Kind: in.Kind,
				Title: in.Title, Payload: map[string]any{"code": code, "status": in.Payload["status"], "following": true}}, true
		}
		return NotifyInput{}, false
	})
}

// StaffNotice notifies every holder of Roles in Agency.
type StaffNotice struct {
	DedupePrefix string         `json:"dedupe_prefix"`
	Agency       string         `json:"agency"`
	Roles        []string       `json:"roles"`
	Kind         string         `json:"kind"`
	Title        string         `json:"title"`
	Payload      map[string]any `json:"payload,omitempty"`
}

// staffStep is the mark of a staff step. The prefix alone does not name
// it: it may be a citizen's key (a dossier's "workflow#seq"), and one
// transition may tell two agencies (an overdue dossier: the agency's
// leaders and the one-stop coordinators) under the same prefix.
func (in StaffNotice) staffStep() string {
	return in.DedupePrefix + "/staff/" + in.Agency + "/" + strings.Join(in.Roles, "+")
}

// to is the notice for one staff member (dedupe key: prefix + user).
func (in StaffNotice) to(r postgres.Recipient) (NotifyInput, bool) {
	return NotifyInput{DedupeKey: fmt.Sprintf("%s/%d", in.DedupePrefix, r.UserID), UserID: r.UserID,
		Kind: in.Kind, Title: in.Title, Payload: in.Payload}, true
}

// NotifyAgencyStaff queues one notification per staff member of the agency
// with one of the roles, as one step.
func (a *Activities) NotifyAgencyStaff(ctx context.Context, in StaffNotice) error {
	return a.queueStep(ctx, in.staffStep(), postgres.Recipients{Agency: in.Agency, Roles: in.Roles}, in.to)
}

// TaskNotice is a notice for whoever handles one open task of a case.
type TaskNotice struct {
	WorkflowID string `json:"workflow_id"`
	StepKey    string `json:"step_key"`
	StaffNotice
}

// NotifyTaskHolder tells the officer holding the task (claimed or assigned)
// or, while nobody holds it, the staff of its agency with the step's role
// (StaffNotice), as one step.
func (a *Activities) NotifyTaskHolder(ctx context.Context, in TaskNotice) error {
	return a.queueStep(ctx, in.holderStep(), postgres.Recipients{HolderOf: postgres.TaskRef{WorkflowID: in.WorkflowID, StepKey: in.StepKey},
		Agency: in.Agency, Roles: in.Roles}, in.to)
}

// holderStep is the mark of a task holder's step.
func (in TaskNotice) holderStep() string { return in.staffStep() + "/" + in.StepKey }

// enqueue queues one message to the person it names, without a step mark:
// a repeat is kept out by its dedupe key.
func (a *Activities) enqueue(ctx context.Context, in NotifyInput) error {
	return a.queueStep(ctx, "", postgres.Recipients{Users: []int64{in.UserID}}, func(postgres.Recipient) (NotifyInput, bool) { return in, true })
}

// queueStep queues the step mark: unless it is queued already, the notice
// msg makes for each person sel reaches (false: none for them), as each
// one's consent and choices allow.
func (a *Activities) queueStep(ctx context.Context, mark string, sel postgres.Recipients, msg func(postgres.Recipient) (NotifyInput, bool)) error {
	// A step already queued reaches nobody here, and its mark makes the
	// write below a no-op.
	rs, err := a.DB.NoticeRecipients(ctx, mark, sel)
	if err != nil {
		return err
	}
	now := time.Now()
	ns := make([]postgres.NewNotification, 0, len(rs))
	for _, r := range rs {
		in, ok := msg(r)
		if !ok {
			continue
		}
		if n, ok := a.notification(in, r.Target, now); ok {
			ns = append(ns, n)
		}
	}
	if mark == "" && len(ns) == 0 {
		return nil
	}
	_, err = a.DB.QueueStep(ctx, mark, ns)
	return err
}

// notification is one person's message and its channels: every recipient
// (case owner, follower, assignee) comes through here, so this is where
// consent is checked. Nothing is queued for a deleted account, nor an
// optional message (notify.Optional) for someone who withdrew consent
// (docs/personal-data.md). A channel this deployment has not configured
// gets no delivery row (and no workflow): the message stays in the inbox
// only. One-time codes do not come this way (postgres.CreateOTP).
func (a *Activities) notification(in NotifyInput, t postgres.NotifyTarget, now time.Time) (postgres.NewNotification, bool) {
	n := postgres.NewNotification{DedupeKey: in.DedupeKey, UserID: in.UserID, Kind: in.Kind,
		Title: in.Title, Body: in.Body, Payload: in.Payload}
	if in.UserID == 0 || !t.Exists {
		return n, true
	}
	if t.Deleted || (t.Withdrawn && notify.Optional(notify.TopicOf(in.Kind))) {
		return n, false
	}
	for _, ch := range channelsFor(t, in.Kind, in.Channel) {
		if a.Channels.ByName[ch] != nil {
			n.Channels = append(n.Channels, ch)
		}
	}
	n.NotBefore = quietUntil(t, notify.TopicOf(in.Kind), now)
	return n, true
}
