package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/reports"
	"github.com/caobang/congdanso/vnpay"
	"github.com/caobang/congdanso/workflows"
)

// Config is the payment feature's wiring, built in cmd.
type Config struct {
	VNPay     vnpay.Config
	Biller    cds.Biller    // nil: bill look-up and payments answer 503
	Expiry    time.Duration // how long the citizen has to pay (vnp_ExpireDate)
	Grace     time.Duration // extra wait for a late IPN before cancelling
	Simulator bool          // serve the gateway simulator under /paysim (demo and tests only)
	// FinanceAgency is the agency whose leaders reconcile payments (Sở Tài chính).
	FinanceAgency string
}

func (s *Handler) payments(c *gin.Context) (*Config, bool) {
	pc := s.Payments
	if pc == nil || pc.Biller == nil || pc.VNPay.HashSecret == "" {
		api.WriteError(c, cds.Errorf(cds.EUNAVAILABLE, "Chức năng thanh toán chưa được cấu hình.", "Payments are not configured."))
		return nil, false
	}
	return pc, true
}

func (s *Handler) registerPayments(r *api.Server) {
	r.Handle(http.MethodPost, "/api/v1/payments", api.Can("payments", "create"), s.createPayment)
	r.Handle(http.MethodGet, "/api/v1/payments", api.Can("payments", "read"), s.listPayments)
	r.Handle(http.MethodGet, "/api/v1/payments/:id", api.Can("payments", "read"), s.getPayment)
	r.Handle(http.MethodGet, "/api/v1/payments/:id/receipt", api.Can("payments", "read"), s.paymentReceipt)
	r.Handle(http.MethodGet, "/api/v1/payments/reconciliation", api.Can("payments", "reconcile"), s.reconciliation)
	r.Handle(http.MethodGet, "/api/v1/payments/reconciliation.xlsx", api.Can("payments", "reconcile"), s.reconciliationXLSX)
}

type createPaymentReq struct {
	BillID        string   `json:"bill_id"`
	BillIDs       []string `json:"bill_ids"`
	ApplicationID string   `json:"application_id"`
}

// paymentView is a payment as the citizen sees it.
type paymentView struct {
	postgres.Payment
	PaymentURL string `json:"payment_url,omitempty"`
}

// createPayment locks the amount of the chosen bills (re-read from the
// biller, never taken from the client) or of an application's fee, records
// the payment, starts its BillPayment saga and answers with the signed
// gateway URL.
func (s *Handler) createPayment(c *gin.Context) {
	pc, ok := s.payments(c)
	if !ok {
		return
	}
	var req createPaymentReq
	if !api.BindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	me := api.Actor(c)
	ids := req.BillIDs
	if req.BillID != "" {
		ids = append([]string{req.BillID}, ids...)
	}
	if (len(ids) == 0) == (req.ApplicationID == "") {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Chọn hóa đơn hoặc hồ sơ cần nộp phí.", "Give bill_id(s) or application_id.").
			WithField("bill_id", "Chọn hóa đơn hoặc hồ sơ (một trong hai) / bills or application, one of them"))
		return
	}
	var spec postgres.NewPayment
	var err error
	if req.ApplicationID != "" {
		spec, err = s.feeSpec(ctx, me, req.ApplicationID)
	} else {
		spec, err = s.billSpec(ctx, pc, me, ids)
	}
	if err != nil {
		api.WriteError(c, err)
		return
	}
	status, body, _, err := s.DB.Idempotent(ctx, "payments.create", me.UserID, c.GetHeader("Idempotency-Key"), func() (int, any, error) {
		v, err := s.startPayment(ctx, pc, spec, c.ClientIP())
		return http.StatusCreated, v, err
	})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// billSpec checks the bills against the biller's open bills.
func (s *Handler) billSpec(ctx context.Context, pc *Config, me cds.Actor, ids []string) (postgres.NewPayment, error) {
	var provider, code string
	refs := map[string]bool{}
	for i, id := range ids {
		p, cc, ref, ok := parseBillID(id)
		if !ok || (i > 0 && (p != provider || cc != code)) {
			return postgres.NewPayment{}, cds.Errorf(cds.EINVALID, "Mã hóa đơn không hợp lệ (các hóa đơn phải cùng một khách hàng).",
				"Invalid bill ID (all bills must belong to one customer).").WithField("bill_id", id)
		}
		provider, code, refs[ref] = p, cc, true
	}
	open, err := pc.Biller.OpenBills(ctx, provider, code)
	if err != nil {
		return postgres.NewPayment{}, billerDown(err)
	}
	spec := postgres.NewPayment{Kind: "bill", UserID: me.UserID, Provider: provider, CustomerCode: code}
	for _, b := range open {
		if refs[b.ID] {
			spec.Items = append(spec.Items, postgres.PaymentItem{BillID: b.ID, Provider: provider, CustomerCode: code,
				Period: b.Period, Description: b.Description, Amount: b.Amount})
			spec.Amount += b.Amount
			delete(refs, b.ID)
		}
	}
	if len(refs) > 0 {
		return spec, cds.Errorf(cds.ECONFLICT, "Hóa đơn đã được thanh toán hoặc không còn nợ.", "The bill is paid or no longer open.")
	}
	spec.Description = fmt.Sprintf("Thanh toán %s khách hàng %s (%d hóa đơn)", providerName(provider), code, len(spec.Items))
	return spec, nil
}

// feeSpec checks that the application is the caller's and waits for its fee.
func (s *Handler) feeSpec(ctx context.Context, me cds.Actor, appID string) (postgres.NewPayment, error) {
	fc, err := s.DB.ApplicationFeeCase(ctx, appID, me.UserID)
	if err != nil {
		return postgres.NewPayment{}, err
	}
	if fc.Status != "paying" || fc.FeeDue <= 0 {
		return postgres.NewPayment{}, cds.Errorf(cds.ECONFLICT, "Hồ sơ không ở trạng thái chờ nộp phí.", "The application is not awaiting a fee.")
	}
	return postgres.NewPayment{
		Kind: "fee", UserID: me.UserID, CustomerCode: fc.Code, NotifyWorkflowID: fc.WorkflowID, Amount: fc.FeeDue,
		Description: "Nộp phí, lệ phí hồ sơ " + fc.Code,
		Items:       []postgres.PaymentItem{{BillID: fc.Code, Description: "Phí, lệ phí: " + fc.Title, Amount: fc.FeeDue}},
	}, nil
}

// startPayment allocates the vnp_TxnRef, records the payment and starts its
// saga. The row is written before the workflow starts, so an IPN can never
// arrive for a payment we do not know.
func (s *Handler) startPayment(ctx context.Context, pc *Config, spec postgres.NewPayment, ip string) (paymentView, error) {
	now := time.Now()
	day := now.In(cds.VietnamTZ).Format("060102")
	n, err := s.DB.NextCode(ctx, "PAY"+day)
	if err != nil {
		return paymentView{}, err
	}
	spec.TxnRef = fmt.Sprintf("P%s%06d", day, n)
	spec.WorkflowID = workflows.PaymentWorkflowID(spec.TxnRef)
	spec.ExpireAt = now.Add(pc.Expiry).Truncate(time.Second)
	p, err := s.DB.CreatePayment(ctx, spec)
	if err != nil {
		return paymentView{}, err
	}
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: spec.WorkflowID, TaskQueue: s.Config.TaskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.BillPaymentWorkflowName, workflows.BillPaymentInput{Payment: spec, Grace: pc.Grace})
	if err != nil {
		// Nobody will watch this payment: cancel it so it cannot be paid.
		_, _ = s.DB.ExpirePayment(context.Background(), spec.TxnRef)
		return paymentView{}, err
	}
	if ip == "" || strings.Contains(ip, ":") {
		ip = "127.0.0.1" // VNPay expects an IPv4 address
	}
	orderType := "billpayment"
	if spec.Kind == "fee" {
		orderType = "other"
	}
	u, err := pc.VNPay.PaymentURL(vnpay.PayRequest{
		TxnRef: spec.TxnRef, Amount: spec.Amount, OrderInfo: "Thanh toan " + spec.TxnRef, OrderType: orderType,
		ReturnURL: strings.TrimRight(s.Config.PublicBaseURL, "/") + "/api/v1/payments/vnpay/return",
		IPAddr:    ip, CreateDate: now, ExpireDate: spec.ExpireAt,
	})
	if err != nil {
		return paymentView{}, err
	}
	return paymentView{Payment: p, PaymentURL: u}, nil
}

func (s *Handler) listPayments(c *gin.Context) {
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "20"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	cursor, _ := strconv.ParseInt(c.Query("cursor"), 10, 64)
	list, err := s.DB.PaymentsOfUser(c.Request.Context(), api.ActorID(c), limit, cursor)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var next any
	if len(list) == limit {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	if list == nil {
		list = []postgres.Payment{}
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "next_cursor": next})
}

// ownPayment loads a payment of the caller; another citizen's is 404.
func (s *Handler) ownPayment(c *gin.Context) (postgres.Payment, bool) {
	id, ok := api.PathID(c, "id")
	if !ok {
		return postgres.Payment{}, false
	}
	p, err := s.DB.PaymentByID(c.Request.Context(), id)
	if err == nil && p.UserID != api.ActorID(c) {
		err = cds.Errorf(cds.ENOTFOUND, "Không tìm thấy giao dịch.", "Payment not found.")
	}
	if err != nil {
		api.WriteError(c, err)
		return p, false
	}
	return p, true
}

func (s *Handler) getPayment(c *gin.Context) {
	if p, ok := s.ownPayment(c); ok {
		c.JSON(http.StatusOK, p)
	}
}

// Receipt is the e-receipt (biên lai điện tử) of a completed payment.
type Receipt struct {
	ReceiptNo       string                 `json:"receipt_no"`
	IssuedAt        time.Time              `json:"issued_at"`
	Issuer          string                 `json:"issuer"`
	TxnRef          string                 `json:"txn_ref"`
	Kind            string                 `json:"kind"`
	Payer           string                 `json:"payer"`
	Description     string                 `json:"description"`
	Items           []postgres.PaymentItem `json:"items"`
	Amount          int64                  `json:"amount"`
	Currency        string                 `json:"currency"`
	PaidAt          time.Time              `json:"paid_at"`
	Gateway         string                 `json:"gateway"`
	GatewayTxnNo    string                 `json:"gateway_txn_no"`
	BankCode        string                 `json:"bank_code"`
	BillerReceiptNo string                 `json:"biller_receipt_no"`
}

func (s *Handler) paymentReceipt(c *gin.Context) {
	p, ok := s.ownPayment(c)
	if !ok {
		return
	}
	if p.ReceiptNo == "" || p.ReceiptIssuedAt == nil {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Giao dịch chưa có biên lai điện tử.", "No e-receipt for this payment yet."))
		return
	}
	r := Receipt{ReceiptNo: p.ReceiptNo, IssuedAt: p.ReceiptIssuedAt.In(cds.VietnamTZ), Issuer: "Nền tảng Công dân số Cao Bằng",
		TxnRef: p.TxnRef, Kind: p.Kind, Payer: api.Actor(c).Name, Description: p.Description, Items: p.Items, Amount: p.Amount,
		Currency: "VND", Gateway: "VNPAY", GatewayTxnNo: p.GatewayTxnNo, BankCode: p.BankCode, BillerReceiptNo: p.BillerReceiptNo}
	if p.PaidAt != nil {
		r.PaidAt = p.PaidAt.In(cds.VietnamTZ)
	}
	c.JSON(http.StatusOK, r)
}

// reconDay parses ?date=YYYY-MM-DD (default today, GMT+7) and checks that
// the caller reconciles for the finance agency (its leaders, a leader above
// it, or an admin).
func (s *Handler) reconDay(c *gin.Context) (time.Time, *Config, bool) {
	pc := s.Payments
	fin := "STC"
	if pc != nil && pc.FinanceAgency != "" {
		fin = pc.FinanceAgency
	}
	if !s.AllowedOn(c, fin, "payments", "reconcile") {
		return time.Time{}, nil, false
	}
	day := time.Now().In(cds.VietnamTZ)
	if q := c.Query("date"); q != "" {
		d, err := time.ParseInLocation("2006-01-02", q, cds.VietnamTZ)
		if err != nil {
			api.WriteError(c, cds.Errorf(cds.EINVALID, "Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).").WithField("date", q))
			return time.Time{}, nil, false
		}
		day = d
	}
	return day, pc, true
}

func (s *Handler) reconRows(c *gin.Context, day time.Time) ([]postgres.ReconciliationRow, []reports.PaymentRow, bool) {
	rows, err := s.DB.Reconciliation(c.Request.Context(), day)
	if err != nil {
		api.WriteError(c, err)
		return nil, nil, false
	}
	out := make([]reports.PaymentRow, len(rows))
	for i, r := range rows {
		out[i] = reports.PaymentRow{TxnRef: r.TxnRef, GatewayTxnNo: r.GatewayTxnNo, BankCode: r.BankCode, PaidAt: r.PaidAt,
			Kind: r.Kind, Provider: r.Provider, CustomerCode: r.CustomerCode, Description: r.Description, Amount: r.Amount,
			Status: string(r.Status), BillerReceiptNo: r.BillerReceiptNo, ReceiptNo: r.ReceiptNo, Refunded: r.RefundedAt != nil}
	}
	if rows == nil {
		rows = []postgres.ReconciliationRow{}
	}
	return rows, out, true
}

func (s *Handler) reconciliation(c *gin.Context) {
	day, _, ok := s.reconDay(c)
	if !ok {
		return
	}
	rows, rep, ok := s.reconRows(c, day)
	if !ok {
		return
	}
	t := reports.SumPayments(rep)
	c.JSON(http.StatusOK, gin.H{"date": day.Format("2006-01-02"), "items": rows, "count": t.Count,
		"total_paid": t.Paid, "total_refunded": t.Refunded, "net": t.Net})
}

func (s *Handler) reconciliationXLSX(c *gin.Context) {
	day, _, ok := s.reconDay(c)
	if !ok {
		return
	}
	_, rep, ok := s.reconRows(c, day)
	if !ok {
		return
	}
	b, err := reports.PaymentReconciliation(day, "SỞ TÀI CHÍNH", rep, time.Now())
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="doi-soat-thanh-toan-%s.xlsx"`, day.Format("2006-01-02")))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

func billerDown(err error) error {
	if e, ok := cds.AsError(err); ok {
		return e
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return cds.Errorf(cds.EUNAVAILABLE, "Không kết nối được nhà cung cấp dịch vụ, vui lòng thử lại sau.", "The biller is unreachable; retry later.")
}
