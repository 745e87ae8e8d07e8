package workflows

import (
	cds "github.com/caobang/congdanso"
)

// AppMove is one action allowed in a dossier status. Guard names the extra
// condition the workflow checks (the procedure's step, a pending apology…).
type AppMove struct {
	Action string
	By     string // ByStaff or ByCitizen
	To     cds.AppStatus
	Guard  string // "" : none
}

// ApplicationState is one row of the dossier state machine.
type ApplicationState struct {
	Status   cds.AppStatus
	Task     string // the staff task open in this status ("" : none)
	Notice   string // the citizen notification sent on entering ("" : none)
	Clock    bool   // the resolution clock runs (it starts at acceptance and pauses for a supplement)
	Terminal bool
	Moves    []AppMove
}

// Moves shared by every accepted, open dossier.
var appOpenMoves = []AppMove{
	{Action: ActTransfer, By: ByStaff, To: cds.AppTransferred, Guard: "another agency; from application-interagency-handoff only from new/processing, and the receiving agency gets its own step (before it: the current step moves there, status kept)"},
	{Action: ActDraftApology, By: ByStaff, Guard: "no apology pending; the new date in the future (before the due time only in dossiers started before application-apology-when-overdue)"},
	{Action: ActApproveApology, By: ByStaff, Guard: "an apology pending; leader"},
	{Action: ActRejectApology, By: ByStaff, Guard: "an apology pending; leader"},
	{Action: ActStop, By: ByStaff, To: cds.AppUnresolved, Guard: "leader"},
	{Action: ActWithdraw, By: ByCitizen, To: cds.AppCancelled},
}

func withOpen(moves ...AppMove) []AppMove { return append(moves, appOpenMoves...) }

// withOpenExcept is withOpen without some shared moves.
func withOpenExcept(skip string, moves ...AppMove) []AppMove {
	for _, m := range appOpenMoves {
		if m.Action != skip {
			moves = append(moves, m)
		}
	}
	return moves
}

// ApplicationStates is the dossier state machine (the ten national
// statuses, and the local "transferred", reported nationally as processing): the table the workflow's validator, the docs
// (docs/application-states.md) and the console read. An empty To keeps the
// status; mark_paid returns to the status the fee was asked in.
var ApplicationStates = []ApplicationState{
	{Status: cds.AppReceiving, Task: "accept (officer of the desk)", Moves: []AppMove{
		{Action: ActAccept, By: ByStaff, To: cds.AppNew},
		{Action: ActRefuse, By: ByStaff, To: cds.AppDenied},
		{Action: ActWithdraw, By: ByCitizen, To: cds.AppCancelled}}},
	{Status: cds.AppNew, Task: "the procedure's step (its role)", Notice: "accepted", Clock: true, Moves: withOpen(
		AppMove{Action: ActForward, By: ByStaff, To: cds.AppProcessing, Guard: "a processing step"},
		AppMove{Action: ActReturn, By: ByStaff, To: cds.AppProcessing, Guard: "from step 2 on"},
		AppMove{Action: ActRequestSupplement, By: ByStaff, To: cds.AppWaiting, Guard: "once per dossier"},
		AppMove{Action: ActRequestFee, By: ByStaff, To: cds.AppPaying})},
	{Status: cds.AppDenied, Notice: "refused", Terminal: true},
	{Status: cds.AppProcessing, Task: "the procedure's step (its role)", Clock: true, Moves: withOpen(
		AppMove{Action: ActForward, By: ByStaff, To: cds.AppProcessing, Guard: "a processing step"},
		AppMove{Action: ActReturn, By: ByStaff, To: cds.AppProcessing, Guard: "from step 2 on"},
		AppMove{Action: ActApprove, By: ByStaff, To: cds.AppProcessing, Guard: "an approval step; its role"},
		AppMove{Action: ActIssueResult, By: ByStaff, To: cds.AppReleasing, Guard: "the result step"},
		AppMove{Action: ActRequestSupplement, By: ByStaff, To: cds.AppWaiting, Guard: "once per dossier"},
		AppMove{Action: ActRequestFee, By: ByStaff, To: cds.AppPaying})},
	{Status: cds.AppWaiting, Notice: "supplement", Moves: withOpen(
		AppMove{Action: ActSupplement, By: ByCitizen, To: cds.AppProcessing},
		AppMove{Action: ActRefuse, By: ByStaff, To: cds.AppDenied, Guard: "the supplement deadline passed"})},
	{Status: cds.AppPaying, Notice: "fee", Clock: true, Moves: withOpen(
		AppMove{Action: ActMarkPaid, By: ByStaff, Guard: "back to the status before the fee"})},
	{Status: cds.AppTransferred, Task: "complete_transfer (officer of the receiving agency)", Clock: true, Moves: withOpenExcept(ActTransfer,
		AppMove{Action: ActCompleteTransfer, By: ByStaff, Guard: "back to the sending agency's step and the status before the transfer"})},
	{Status: cds.AppCancelled, Terminal: true},
	{Status: cds.AppUnresolved, Notice: "stopped", Terminal: true},
	{Status: cds.AppReleasing, Task: "return_result (officer)", Notice: "resolved", Moves: []AppMove{
		{Action: ActReturnResult, By: ByStaff, To: cds.AppDone}}},
	{Status: cds.AppDone, Terminal: true, Moves: []AppMove{
		{Action: ActRate, By: ByCitizen, Guard: "not rated yet"}}},
}

// appAllows reports whether the table allows action in status (the
// guards are the validator's).
func appAllows(status cds.AppStatus, action string) bool {
	for _, s := range ApplicationStates {
		if s.Status != status {
			continue
		}
		for _, m := range s.Moves {
			if m.Action == action {
				return true
			}
		}
	}
	return false
}
