package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	cds "github.com/caobang/congdanso"
)

// TestPaymentKillBetweenIPNAndConfirmation runs the real binary in demo
// mode with a demo biller that answers 8 s after committing a confirmation.
// The process is SIGKILLed after the IPN was recorded and the biller
// committed, before our side recorded the biller's answer. After a restart
// the saga retries the confirmation and completes: the biller has exactly
// one confirmation and the payment exactly one receipt.
func TestPaymentKillBetweenIPNAndConfirmation(t *testing.T) {
	dir := t.TempDir()
	tport, hport := freePort(t), freePort(t)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", hport)
	logPath := filepath.Join(dir, "serve.log")
	dbName := fmt.Sprintf("cds_paykill_%d", time.Now().UnixNano())
	dsn := "postgres://postgres@127.0.0.1:5432/" + dbName + "?sslmode=disable"
	const secret = "kill-test-token-secret-0123456789abcdef"
	env := []string{"DATABASE_URL=" + dsn, "CONGDANSO_TOKEN_SECRET=" + secret, "CONGDANSO_DEMO_BILLER_CONFIRM_DELAY=8s"}
	t.Cleanup(func() { dropDatabase(dbName) })
	p := startProc(t, logPath, env, httpAddr, "serve", "--demo", "--data-dir", dir, "--http", httpAddr,
		"--temporal-port", fmt.Sprint(tport), "--temporal-ui-port", "0")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var uid int64
	if err := db.QueryRow(ctx, `INSERT INTO users (kind, phone, full_name) VALUES ('citizen', '+84912999001', 'Hoàng Thị Bình') RETURNING id`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO user_roles (user_id, role, agency_code) VALUES ($1, 'citizen', '*')`, uid); err != nil {
		t.Fatal(err)
	}
	// A token signed with the process's secret.
	tok := newChildSigner(t, dsn, secret, 0).token(cds.Actor{UserID: uid, Name: "Hoàng Thị Bình", Roles: []cds.Role{cds.RoleCitizen}})
	req, _ := http.NewRequest(http.MethodPost, p.HTTP+"/api/v1/payments", strings.NewReader(`{"bill_id":"EVN:PC01CB0002:PC01CB0002-202605"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var pay created
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &pay) != nil {
		t.Fatalf("create payment = %d %s", resp.StatusCode, raw)
	}

	payAtSimulator(t, pay.PaymentURL, "pay")
	count := func(q string) int {
		var n int
		if err := db.QueryRow(ctx, q, pay.TxnRef).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	// Wait until the biller has committed (and is sitting on its answer).
	deadline := time.Now().Add(60 * time.Second)
	for count(`SELECT count(*) FROM demo_biller_confirmations WHERE payment_ref = $1`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the biller never got the confirmation")
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.kill()
	var status string
	if err := db.QueryRow(ctx, `SELECT status FROM payments WHERE txn_ref = $1`, pay.TxnRef).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "paid" {
		t.Fatalf("the kill did not land between IPN and confirmation: status %s", status)
	}
	t.Log("killed after the IPN and the biller's commit, before the confirmation was recorded")

	p.restart(logPath)
	deadline = time.Now().Add(3 * time.Minute)
	for {
		if err := db.QueryRow(ctx, `SELECT status FROM payments WHERE txn_ref = $1`, pay.TxnRef).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("payment still %s after restart", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := count(`SELECT count(*) FROM demo_biller_confirmations WHERE payment_ref = $1`); n != 1 {
		t.Fatalf("%d biller confirmations, want exactly 1", n)
	}
	if n := count(`SELECT count(*) FROM demo_biller_calls WHERE payment_ref = $1`); n < 2 {
		t.Fatalf("%d confirmation calls: the retry after the restart did not happen", n)
	}
	if n := count(`SELECT count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id WHERE p.txn_ref = $1 AND e.kind IN ('biller_confirmed', 'receipt_issued')`); n != 2 {
		t.Fatalf("%d confirmation/receipt events, want 2", n)
	}
	var billerNo, ourNo, receipt string
	if err := db.QueryRow(ctx, `SELECT c.receipt_no, p.biller_receipt_no, p.receipt_no FROM demo_biller_confirmations c
		JOIN payments p ON p.txn_ref = c.payment_ref WHERE c.payment_ref = $1`, pay.TxnRef).Scan(&billerNo, &ourNo, &receipt); err != nil {
		t.Fatal(err)
	}
	if billerNo != ourNo || receipt == "" {
		t.Fatalf("biller receipt %q, ours %q, e-receipt %q", billerNo, ourNo, receipt)
	}
}
