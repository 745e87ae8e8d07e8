package activities

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/postgres"
)

// DemoBiller is the biller inside the binary (demo mode and tests): the bills
// of electricity, water and telecom customers live in PostgreSQL, so a
// confirmation is idempotent across restarts.
type DemoBiller struct {
	DB *postgres.DB
	// ConfirmDelay makes each confirmation answer late, after the biller has
	// committed it (the kill-and-restart test lands a SIGKILL in that gap).
	ConfirmDelay time.Duration
	// FailFirst makes the first N confirmation calls fail as "unavailable".
	FailFirst int64

	calls atomic.Int64
}

// ErrBillerUnavailable is a transient failure: the call is retried.
var ErrBillerUnavailable = errors.New("biller temporarily unavailable")

// OpenBills implements congdanso.Biller.
func (b *DemoBiller) OpenBills(ctx context.Context, provider, customerCode string) ([]cds.Bill, error) {
	return b.DB.DemoOpenBills(ctx, provider, customerCode)
}

// Confirm implements congdanso.Biller. Every call is logged in demo_biller_calls.
func (b *DemoBiller) Confirm(ctx context.Context, c cds.BillerConfirm) (cds.BillerReceipt, error) {
	if n := b.calls.Add(1); n <= b.FailFirst {
		_ = b.DB.DemoBillerCall(ctx, c.PaymentRef, "unavailable")
		return cds.BillerReceipt{}, ErrBillerUnavailable
	}
	r, err := b.DB.DemoConfirm(ctx, c)
	outcome := "confirmed"
	if errors.Is(err, cds.ErrBillerRefused) {
		outcome = "refused"
	} else if err != nil {
		outcome = "error"
	}
	if lerr := b.DB.DemoBillerCall(ctx, c.PaymentRef, outcome); lerr != nil && err == nil {
		err = lerr
	}
	if err == nil && b.ConfirmDelay > 0 {
		select {
		case <-time.After(b.ConfirmDelay):
		case <-ctx.Done():
			return cds.BillerReceipt{}, ctx.Err()
		}
	}
	return r, err
}

// DemoBills are the demo biller's seeded bills: customers of Công ty Điện lực
// Cao Bằng (PCCB), the water company and VNPT Cao Bằng. The customer
// "PC01CB0099" is refused by the biller (a closed contract) to show the refund path.
func DemoBills() []postgres.DemoBill {
	due := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, cds.VietnamTZ) }
	b := func(provider, id, code, name, period, desc string, amount int64, dd time.Time, refuse string) postgres.DemoBill {
		return postgres.DemoBill{Bill: cds.Bill{ID: id, Provider: provider, CustomerCode: code, CustomerName: name, Period: period,
			Description: desc, Amount: amount, DueDate: dd}, RefuseReason: refuse}
	}
	return []postgres.DemoBill{
		b(cds.ProviderElectricity, "PC01CB0001-202604", "PC01CB0001", "Nông Văn An", "2026-04", "Tiền điện tháng 04/2026 (PCCB)", 412500, due(5, 15), ""),
		b(cds.ProviderElectricity, "PC01CB0001-202605", "PC01CB0001", "Nông Văn An", "2026-05", "Tiền điện tháng 05/2026 (PCCB)", 386000, due(6, 15), ""),
		b(cds.ProviderElectricity, "PC01CB0002-202605", "PC01CB0002", "Hoàng Thị Bình", "2026-05", "Tiền điện tháng 05/2026 (PCCB)", 251300, due(6, 15), ""),
		b(cds.ProviderElectricity, "PC01CB0099-202605", "PC01CB0099", "Lục Văn Cường", "2026-05", "Tiền điện tháng 05/2026 (PCCB)", 199000, due(6, 15),
			"Hợp đồng mua bán điện đã thanh lý / contract terminated"),
		b(cds.ProviderWater, "CBW-10023-202605", "CBW-10023", "Nông Văn An", "2026-05", "Tiền nước tháng 05/2026", 96000, due(6, 10), ""),
		b(cds.ProviderWater, "CBW-10024-202605", "CBW-10024", "Đàm Thị Dung", "2026-05", "Tiền nước tháng 05/2026", 128500, due(6, 10), ""),
		b(cds.ProviderTelecom, "VNPT-02063851234-202605", "02063851234", "Nông Văn An", "2026-05", "Cước Internet cáp quang + truyền hình MyTV tháng 05/2026", 245000, due(6, 20), ""),
		b(cds.ProviderTelecom, "VNPT-0912000111-202605", "0912000111", "Triệu Văn Em", "2026-05", "Cước di động trả sau tháng 05/2026", 157000, due(6, 20), ""),
	}
}
