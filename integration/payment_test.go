package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/cmd/app"
	"github.com/caobang/congdanso/cmd/app/apptest"
	"github.com/caobang/congdanso/vnpay"
	"github.com/caobang/congdanso/workflows"
)

// demoSecret is the demo merchant secret (cmd/app/payments.go), used here
// to play the gateway in the rejection tests.
const (
	demoSecret  = "CDS-DEMO-SECRET-CAOBANG-NOT-FOR-PRODUCTION"
	demoTmnCode = "CDSCB001"
)

func newPaymentEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, func(o *app.Options) { o.API.Demo = true })
}

type created struct {
	ID         int64  `json:"id"`
	TxnRef     string `json:"txn_ref"`
	Amount     int64  `json:"amount"`
	Status     string `json:"status"`
	PaymentURL string `json:"payment_url"`
}

func createPayment(t *testing.T, env *apptest.Env, token string, body any, headers ...string) created {
	t.Helper()
	r := env.Do(http.MethodPost, "/api/v1/payments", token, body, headers...)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/payments = %d %s", r.Status, r.Body)
	}
	var c created
	r.JSON(t, &c)
	if c.PaymentURL == "" || c.TxnRef == "" || c.Status != "pending" {
		t.Fatalf("created %+v", c)
	}
	return c
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}

// payAtSimulator plays the citizen's browser at the gateway simulator: it
// opens the pay page, submits the form with outcome, and returns the URL the
// browser is redirected to (our return URL).
func payAtSimulator(t *testing.T, paymentURL, outcome string) string {
	t.Helper()
	resp, err := http.Get(paymentURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(paymentURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), u.Query().Get("vnp_TxnRef")) {
		t.Fatalf("pay page = %d %s", resp.StatusCode, page)
	}
	form := u.Query()
	form.Set("outcome", outcome)
	resp, err = noRedirect.PostForm(u.Scheme+"://"+u.Host+"/paysim/pay", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("simulator pay = %d %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func paymentStatus(t *testing.T, env *apptest.Env, token string, id int64) map[string]any {
	t.Helper()
	r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", id), token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET payment = %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func waitStatus(t *testing.T, env *apptest.Env, token string, id int64, want string) map[string]any {
	t.Helper()
	var last map[string]any
	apptest.Eventually(t, 60*time.Second, "payment status "+want, func() bool {
		last = paymentStatus(t, env, token, id)
		return last["status"] == want
	})
	return last
}

func countRows(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.DB.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// sendIPN plays the gateway: a signed (or not) IPN GET to our server.
func sendIPN(t *testing.T, base string, params url.Values, secret string) vnpay.IPNReply {
	t.Helper()
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	p.Del("vnp_SecureHash")
	p.Set("vnp_SecureHash", vnpay.Sign(secret, p))
	resp, err := http.Get(base + "/api/v1/payments/vnpay/ipn?" + p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r vnpay.IPNReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ipn answer %d: %v", resp.StatusCode, err)
	}
	return r
}

func ipnParams(txnRef string, amount int64, code string) url.Values {
	status := "00"
	if code != "00" {
		status = "02"
	}
	return url.Values{"vnp_Amount": {fmt.Sprint(amount * 100)}, "vnp_BankCode": {"NCB"}, "vnp_OrderInfo": {"Thanh toan " + txnRef},
		"vnp_PayDate": {vnpay.FormatTime(time.Now())}, "vnp_ResponseCode": {code}, "vnp_TmnCode": {demoTmnCode},
		"vnp_TransactionNo": {"99000001"}, "vnp_TransactionStatus": {status}, "vnp_TxnRef": {txnRef}}
}

// recordPaymentHistory records a payment workflow's history when
// CDS_RECORD_PAYMENT_HISTORY names the directory (record_test.go).
func recordPaymentHistory(t *testing.T, tc client.Client, workflowID, name string) {
	if dir := os.Getenv("CDS_RECORD_PAYMENT_HISTORY"); dir != "" {
		writeRecording(t, tc, workflowID, dir, "payment_"+name+".json")
	}
}

// TestPaymentFullFlowWithSimulator: look-up → pay → simulator pay page →
// IPN → biller confirmation → e-receipt, then the repeated IPN (02, nothing
// changes), privacy and the finance reconciliation.
func TestPaymentFullFlowWithSimulator(t *testing.T) {
	env := newPaymentEnv(t)
	ctx := context.Background()
	citizen, tok := env.Citizen("Nông Văn An")
	_, otherTok := env.Citizen("Hoàng Thị Bình")

	r := env.Do(http.MethodGet, "/api/v1/bills?provider=PCCB&customer_code=PC01CB0001", tok, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("bills = %d %s", r.Status, r.Body)
	}
	var bills struct {
		Items []struct {
			ID           string `json:"id"`
			CustomerName string `json:"customer_name"`
			Amount       int64  `json:"amount"`
		} `json:"items"`
		Total int64 `json:"total"`
	}
	r.JSON(t, &bills)
	if len(bills.Items) != 2 || bills.Total != 412500+386000 || bills.Items[0].CustomerName != "N. V. An" {
		t.Fatalf("bills %s", r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/bills?provider=GAS&customer_code=x", tok, nil); r.Status != http.StatusBadRequest {
		t.Fatalf("bad look-up = %d", r.Status)
	}

	body := map[string]any{"bill_ids": []string{bills.Items[0].ID, bills.Items[1].ID}}
	p := createPayment(t, env, tok, body, "Idempotency-Key", "pay-1")
	if p.Amount != 798500 {
		t.Fatalf("locked amount %d", p.Amount)
	}
	if again := createPayment(t, env, tok, body, "Idempotency-Key", "pay-1"); again.TxnRef != p.TxnRef {
		t.Fatalf("idempotent create gave %s then %s", p.TxnRef, again.TxnRef)
	}
	// The same bills cannot be put in a second payment while this one is open.
	if r := env.Do(http.MethodPost, "/api/v1/payments", tok, map[string]any{"bill_id": bills.Items[0].ID}); r.Status != http.StatusConflict {
		t.Fatalf("double payment = %d %s", r.Status, r.Body)
	}
	pu, _ := url.Parse(p.PaymentURL)
	q := pu.Query()
	if q.Get("vnp_Amount") != "79850000" || q.Get("vnp_TxnRef") != p.TxnRef || !vnpay.Verify(demoSecret, q) {
		t.Fatalf("payment URL %s", p.PaymentURL)
	}

	ret := payAtSimulator(t, p.PaymentURL, "pay")
	if !strings.HasPrefix(ret, env.URL+"/api/v1/payments/vnpay/return?") {
		t.Fatalf("redirect to %s", ret)
	}
	resp, err := http.Get(ret)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Giao dịch thành công") || !strings.Contains(string(page), "798.500") {
		t.Fatalf("return page %d %s", resp.StatusCode, page)
	}

	done := waitStatus(t, env, tok, p.ID, "completed")
	kinds := []string{}
	for _, e := range done["events"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	if strings.Join(kinds, ",") != "created,paid,biller_confirmed,receipt_issued" {
		t.Fatalf("events %v", kinds)
	}
	r = env.Do(http.MethodGet, fmt.Sprintf("/api/v1/payments/%d/receipt", p.ID), tok, nil)
	var rc struct {
		ReceiptNo, BillerReceiptNo, TxnRef, Payer, GatewayTxnNo string
		Amount                                                  int64
		Items                                                   []any
	}
	if r.Status != http.StatusOK {
		t.Fatalf("receipt = %d %s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &struct {
		ReceiptNo       *string `json:"receipt_no"`
		BillerReceiptNo *string `json:"biller_receipt_no"`
		TxnRef          *string `json:"txn_ref"`
		Payer           *string `json:"payer"`
		GatewayTxnNo    *string `json:"gateway_txn_no"`
		Amount          *int64  `json:"amount"`
		Items           *[]any  `json:"items"`
	}{&rc.ReceiptNo, &rc.BillerReceiptNo, &rc.TxnRef, &rc.Payer, &rc.GatewayTxnNo, &rc.Amount, &rc.Items}); err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(cds.VietnamTZ).Year()
	if !strings.HasPrefix(rc.ReceiptNo, fmt.Sprintf("BL-%d-", year)) || rc.BillerReceiptNo != "HD-EVN-"+p.TxnRef || rc.Amount != 798500 ||
		rc.TxnRef != p.TxnRef || rc.Payer != citizen.Name || rc.GatewayTxnNo == "" || len(rc.Items) != 2 {
		t.Fatalf("receipt %s", r.Body)
	}
	if n := countRows(t, env, `SELECT count(*) FROM demo_biller_confirmations WHERE payment_ref = $1`, p.TxnRef); n != 1 {
		t.Fatalf("%d biller confirmations", n)
	}
	if n := countRows(t, env, `SELECT count(*) FROM demo_biller_bills WHERE paid_ref = $1`, p.TxnRef); n != 2 {
		t.Fatalf("%d bills settled", n)
	}
	if r := env.Do(http.MethodGet, "/api/v1/bills?provider=EVN&customer_code=PC01CB0001", tok, nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Fatalf("bills after payment %s", r.Body)
	}
	apptest.Eventually(t, 10*time.Second, "success notification", func() bool {
		return countRows(t, env, `SELECT count(*) FROM notifications WHERE dedupe_key = $1 AND user_id = $2`,
			workflows.PaymentWorkflowID(p.TxnRef)+"/completed", citizen.UserID) == 1
	})

	// The gateway repeats its IPN: 02, and nothing changes.
	var stored map[string]string
	var updated time.Time
	if err := env.DB.Pool.QueryRow(ctx, `SELECT i.params, p.updated_at FROM payment_ipns i JOIN payments p USING (txn_ref) WHERE txn_ref = $1`, p.TxnRef).
		Scan(&stored, &updated); err != nil {
		t.Fatal(err)
	}
	again := url.Values{}
	for k, v := range stored {
		again.Set(k, v)
	}
	if rep := sendIPN(t, env.URL, again, demoSecret); rep.RspCode != "02" {
		t.Fatalf("repeated IPN = %+v", rep)
	}
	var updated2 time.Time
	_ = env.DB.Pool.QueryRow(ctx, `SELECT updated_at FROM payments WHERE txn_ref = $1`, p.TxnRef).Scan(&updated2)
	if !updated2.Equal(updated) || countRows(t, env, `SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id WHERE txn_ref = $1`, p.TxnRef) != 4 ||
		countRows(t, env, `SELECT count(*) FROM demo_biller_calls WHERE payment_ref = $1`, p.TxnRef) != 1 {
		t.Fatal("the repeated IPN changed something")
	}

	// Privacy: another citizen sees nothing; the owner's list has it.
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", p.ID), otherTok, nil); r.Status != http.StatusNotFound {
		t.Fatalf("other citizen = %d", r.Status)
	}
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/payments/%d/receipt", p.ID), otherTok, nil); r.Status != http.StatusNotFound {
		t.Fatalf("other citizen receipt = %d", r.Status)
	}
	if r := env.Do(http.MethodGet, "/api/v1/payments", otherTok, nil); !strings.Contains(string(r.Body), `"items":[]`) {
		t.Fatalf("other list %s", r.Body)
	}
	if r := env.Do(http.MethodGet, "/api/v1/payments", tok, nil); !strings.Contains(string(r.Body), p.TxnRef) {
		t.Fatalf("own list %s", r.Body)
	}

	// Finance reconciliation: STC leader yes; an officer, a leader of
	// another department and a citizen no.
	_, fin := env.Staff("Lãnh đạo Sở Tài chính", "STC", cds.RoleLeader)
	_, officer := env.Staff("Chuyên viên", "STC", cds.RoleOfficer)
	_, otherLeader := env.Staff("Lãnh đạo Sở Xây dựng", "SXD", cds.RoleLeader)
	today := time.Now().In(cds.VietnamTZ).Format("2006-01-02")
	r = env.Do(http.MethodGet, "/api/v1/payments/reconciliation?date="+today, fin, nil)
	var rec struct {
		Count     int   `json:"count"`
		TotalPaid int64 `json:"total_paid"`
		Net       int64 `json:"net"`
	}
	r.JSON(t, &rec)
	if r.Status != http.StatusOK || rec.Count != 1 || rec.TotalPaid != 798500 || rec.Net != 798500 {
		t.Fatalf("reconciliation %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{officer, otherLeader, tok} {
		if r := env.Do(http.MethodGet, "/api/v1/payments/reconciliation", bad, nil); r.Status != http.StatusForbidden {
			t.Fatalf("reconciliation by non-finance = %d", r.Status)
		}
	}
	r = env.Do(http.MethodGet, "/api/v1/payments/reconciliation.xlsx?date="+today, fin, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("xlsx = %d %s", r.Status, r.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Doi soat", "B10"); v != p.TxnRef {
		t.Fatalf("xlsx B10 = %q", v)
	}
	if v, _ := f.GetCellValue("Doi soat", "J11", excelize.Options{RawCellValue: true}); v != "798500" {
		t.Fatalf("xlsx total J11 = %q", v)
	}
	recordPaymentHistory(t, env.Temporal, workflows.PaymentWorkflowID(p.TxnRef), "completed")
}

// TestPaymentIPNRejections: bad signature (97), wrong amount (04), unknown
// order (01); none changes the payment. A cancelled payment at the gateway
// ends the saga as failed.
func TestPaymentIPNRejections(t *testing.T) {
	env := newPaymentEnv(t)
	_, tok := env.Citizen("Đàm Thị Dung")
	p := createPayment(t, env, tok, map[string]any{"bill_id": "NUOC:CBW-10024:CBW-10024-202605"})
	if p.Amount != 128500 {
		t.Fatalf("amount %d", p.Amount)
	}
	if rep := sendIPN(t, env.URL, ipnParams(p.TxnRef, p.Amount, "00"), "wrong-secret"); rep.RspCode != "97" {
		t.Fatalf("bad signature = %+v", rep)
	}
	if rep := sendIPN(t, env.URL, ipnParams(p.TxnRef, p.Amount+1000, "00"), demoSecret); rep.RspCode != "04" {
		t.Fatalf("wrong amount = %+v", rep)
	}
	if rep := sendIPN(t, env.URL, ipnParams("P000000999999", p.Amount, "00"), demoSecret); rep.RspCode != "01" {
		t.Fatalf("unknown order = %+v", rep)
	}
	if st := paymentStatus(t, env, tok, p.ID); st["status"] != "pending" ||
		countRows(t, env, `SELECT count(*) FROM payment_ipns WHERE txn_ref = $1`, p.TxnRef) != 0 {
		t.Fatalf("a rejected IPN changed the payment: %v", st["status"])
	}
	// The citizen cancels at the gateway: IPN with code 24 → failed.
	ret := payAtSimulator(t, p.PaymentURL, "cancel")
	resp, err := http.Get(ret)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "không thành công") {
		t.Fatalf("return page %s", page)
	}
	waitStatus(t, env, tok, p.ID, "failed")
	if n := countRows(t, env, `SELECT count(*) FROM demo_biller_calls WHERE payment_ref = $1`, p.TxnRef); n != 0 {
		t.Fatalf("a failed payment reached the biller %d times", n)
	}
	// A tampered return URL is refused by the return page.
	if r := env.Do(http.MethodGet, "/api/v1/payments/vnpay/return?vnp_TxnRef="+p.TxnRef+"&vnp_ResponseCode=00&vnp_Amount=12850000&vnp_SecureHash=00", "", nil); r.Status != http.StatusBadRequest {
		t.Fatalf("tampered return = %d", r.Status)
	}
}

// TestPaymentExpires: nobody pays; at expiry the saga cancels the payment,
// the simulator refuses the stale URL, and a late IPN is kept but gets 02.
func TestPaymentExpires(t *testing.T) {
	t.Setenv("CONGDANSO_PAYMENT_EXPIRY", "3s")
	t.Setenv("CONGDANSO_PAYMENT_GRACE", "0s")
	env := newPaymentEnv(t)
	_, tok := env.Citizen("Triệu Văn Em")
	p := createPayment(t, env, tok, map[string]any{"bill_id": "VNPT:0912000111:VNPT-0912000111-202605"})
	waitStatus(t, env, tok, p.ID, "expired")
	resp, err := http.Get(p.PaymentURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "quá thời gian") {
		t.Fatalf("stale pay page = %d %s", resp.StatusCode, page)
	}
	if rep := sendIPN(t, env.URL, ipnParams(p.TxnRef, p.Amount, "00"), demoSecret); rep.RspCode != "02" {
		t.Fatalf("late IPN = %+v", rep)
	}
	st := paymentStatus(t, env, tok, p.ID)
	if st["status"] != "expired" || countRows(t, env, `SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id
		WHERE txn_ref = $1 AND e.kind = 'late_ipn'`, p.TxnRef) != 1 {
		t.Fatalf("after late IPN %v", st)
	}
	if n := countRows(t, env, `SELECT count(*) FROM demo_biller_calls WHERE payment_ref = $1`, p.TxnRef); n != 0 {
		t.Fatalf("an expired payment reached the biller")
	}
	// The bill is open again and can be paid anew.
	createPayment(t, env, tok, map[string]any{"bill_id": "VNPT:0912000111:VNPT-0912000111-202605"})
	recordPaymentHistory(t, env.Temporal, workflows.PaymentWorkflowID(p.TxnRef), "expired")
}

// TestPaymentBillerRefusalRefunds: the biller permanently refuses; the saga
// refunds through the gateway (simulator's merchant API) and tells the citizen.
func TestPaymentBillerRefusalRefunds(t *testing.T) {
	env := newPaymentEnv(t)
	citizen, tok := env.Citizen("Lục Văn Cường")
	p := createPayment(t, env, tok, map[string]any{"bill_id": "EVN:PC01CB0099:PC01CB0099-202605"})
	payAtSimulator(t, p.PaymentURL, "pay")
	st := waitStatus(t, env, tok, p.ID, "refunded")
	if !strings.Contains(fmt.Sprint(st["refused_reason"]), "thanh lý") {
		t.Fatalf("refused reason %v", st["refused_reason"])
	}
	var refunded int64
	var reqs []string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT refunded_amount, refund_request_ids FROM paysim_transactions WHERE txn_ref = $1`, p.TxnRef).
		Scan(&refunded, &reqs); err != nil {
		t.Fatal(err)
	}
	if refunded != p.Amount || len(reqs) != 1 {
		t.Fatalf("gateway refunded %d with %v", refunded, reqs)
	}
	apptest.Eventually(t, 10*time.Second, "refund notification", func() bool {
		return countRows(t, env, `SELECT count(*) FROM notifications WHERE dedupe_key = $1 AND user_id = $2`,
			workflows.PaymentWorkflowID(p.TxnRef)+"/refunded", citizen.UserID) == 1
	})
	if r := env.Do(http.MethodGet, fmt.Sprintf("/api/v1/payments/%d/receipt", p.ID), tok, nil); r.Status != http.StatusNotFound {
		t.Fatalf("receipt of a refunded payment = %d", r.Status)
	}
	recordPaymentHistory(t, env.Temporal, workflows.PaymentWorkflowID(p.TxnRef), "refunded")
}

// waitFeePaid stands in for a ServiceApplication waiting for its fee.
func waitFeePaid(ctx workflow.Context) (workflows.FeePaid, error) {
	var paid workflows.FeePaid
	workflow.GetSignalChannel(ctx, workflows.SignalFeePaid).Receive(ctx, &paid)
	return paid, nil
}

// TestPaymentApplicationFee: an application in status 'paying' is paid; the
// saga signals fee-paid to the application's workflow.
func TestPaymentApplicationFee(t *testing.T) {
	env := newPaymentEnv(t)
	ctx := context.Background()
	citizen, tok := env.Citizen("Nông Thị Hoa")
	_, otherTok := env.Citizen("Người khác")
	const wfID, code = "application/SXD-260523-0042", "SXD-260523-0042"
	if _, err := env.DB.Pool.Exec(ctx, `INSERT INTO cases (workflow_id, kind, code, title, field, agency_code, citizen_id, status, received_at, fee_due)
		VALUES ($1, 'application', $2, 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 'xay-dung', 'SXD', $3, 'paying', now(), 150000)`, wfID, code, citizen.UserID); err != nil {
		t.Fatal(err)
	}
	w := worker.New(env.Temporal, "fee-test", worker.Options{})
	w.RegisterWorkflowWithOptions(waitFeePaid, workflow.RegisterOptions{Name: "WaitFeePaid"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: "fee-test"}, "WaitFeePaid")
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodPost, "/api/v1/payments", otherTok, map[string]any{"application_id": code}); r.Status != http.StatusNotFound {
		t.Fatalf("someone else's application = %d", r.Status)
	}
	p := createPayment(t, env, tok, map[string]any{"application_id": code})
	if p.Amount != 150000 {
		t.Fatalf("fee amount %d", p.Amount)
	}
	if r := env.Do(http.MethodPost, "/api/v1/payments", tok, map[string]any{"application_id": code}); r.Status != http.StatusConflict {
		t.Fatalf("second fee payment = %d", r.Status)
	}
	payAtSimulator(t, p.PaymentURL, "pay")
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var paid workflows.FeePaid
	if err := run.Get(wctx, &paid); err != nil {
		t.Fatal(err)
	}
	if paid.PaymentID != p.TxnRef || paid.Amount != 150000 || paid.PaidAt.IsZero() {
		t.Fatalf("fee-paid %+v", paid)
	}
	waitStatus(t, env, tok, p.ID, "completed")
	// The fee_signalled event is recorded by the step after the signal, so
	// it may land a moment after the status turns completed.
	apptest.Eventually(t, 30*time.Second, "fee_signalled event", func() bool {
		return strings.Contains(fmt.Sprint(paymentStatus(t, env, tok, p.ID)["events"]), "fee_signalled")
	})
	if _, err := env.DB.Pool.Exec(ctx, `UPDATE cases SET status = 'processing' WHERE workflow_id = $1`, wfID); err != nil {
		t.Fatal(err)
	}
	if r := env.Do(http.MethodPost, "/api/v1/payments", tok, map[string]any{"application_id": code}); r.Status != http.StatusConflict {
		t.Fatalf("fee for a non-paying application = %d", r.Status)
	}
	recordPaymentHistory(t, env.Temporal, workflows.PaymentWorkflowID(p.TxnRef), "fee")
}
