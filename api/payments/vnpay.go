package payments

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/vnpay"
	"github.com/caobang/congdanso/workflows"
)

func (s *Handler) registerVnpay(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/payments/vnpay/ipn", api.Public, s.vnpayIPN)
	r.Handle(http.MethodGet, "/api/v1/payments/vnpay/return", api.Public, s.vnpayReturn)
}

// vnpayIPN is the gateway's server-to-server callback, the authority on a
// payment's outcome. Checks in the protocol's order: signature (97), order
// (01), amount (04), already confirmed (02). The first valid IPN is recorded
// in PostgreSQL in one transaction before the answer "00"; only then is the
// workflow signalled, so a crash after the answer loses nothing (the
// workflow re-reads the database at its expiry timer).
func (s *Handler) vnpayIPN(c *gin.Context) {
	pc := s.Payments
	if pc == nil || pc.VNPay.HashSecret == "" {
		c.JSON(http.StatusOK, vnpay.ReplyUnknownError)
		return
	}
	q := c.Request.URL.Query()
	res, err := vnpay.ParseResult(pc.VNPay.HashSecret, q)
	switch {
	case errors.Is(err, vnpay.ErrSignature):
		s.Logger.Warn("vnpay ipn: bad signature", "txnRef", q.Get("vnp_TxnRef"))
		c.JSON(http.StatusOK, vnpay.ReplyInvalidSignature)
		return
	case err != nil:
		c.JSON(http.StatusOK, vnpay.ReplyInvalidAmount)
		return
	case res.TmnCode != pc.VNPay.TmnCode:
		c.JSON(http.StatusOK, vnpay.ReplyOrderNotFound)
		return
	}
	params := make(map[string]string, len(q))
	for k := range q {
		params[k] = q.Get(k)
	}
	ctx := c.Request.Context()
	outcome, p, err := s.DB.RecordIPN(ctx, postgres.IPN{
		TxnRef: res.TxnRef, Amount: res.Amount, ResponseCode: res.ResponseCode, TransactionStatus: res.TransactionStatus,
		TransactionNo: res.TransactionNo, BankCode: res.BankCode, PayDate: res.PayDate, Success: res.Success(), Params: params,
	})
	if err != nil {
		s.Logger.Error("vnpay ipn: record", "txnRef", res.TxnRef, "err", err)
		c.JSON(http.StatusOK, vnpay.ReplyUnknownError)
		return
	}
	switch outcome {
	case postgres.IPNNotFound:
		c.JSON(http.StatusOK, vnpay.ReplyOrderNotFound)
	case postgres.IPNWrongAmount:
		s.Logger.Warn("vnpay ipn: wrong amount", "txnRef", res.TxnRef, "amount", res.Amount, "want", p.Amount)
		c.JSON(http.StatusOK, vnpay.ReplyInvalidAmount)
	case postgres.IPNDuplicate, postgres.IPNNotPending:
		// A repeat (the gateway did not get our first answer, perhaps
		// because we died right after recording it): nothing changes, but
		// the workflow is woken again in case the first signal was lost.
		if p.Status == cds.PaymentPaid || p.Status == cds.PaymentFailed {
			s.signalPayment(ctx, pc, p, res)
		}
		c.JSON(http.StatusOK, vnpay.ReplyAlreadyConfirmed)
	default:
		s.signalPayment(ctx, pc, p, res)
		c.JSON(http.StatusOK, vnpay.ReplyOK)
	}
}

// signalPayment wakes the payment's workflow. If the workflow does not exist
// (its start failed after the row was written) it is started with the
// signal. Errors are logged only: the IPN is already durable.
func (s *Handler) signalPayment(ctx context.Context, pc *Config, p postgres.Payment, res vnpay.Result) {
	sig := workflows.PaymentIPN{TxnRef: p.TxnRef, Success: res.Success(), ResponseCode: res.ResponseCode, TransactionNo: res.TransactionNo}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := s.Temporal.SignalWorkflow(ctx, p.WorkflowID, "", workflows.SignalPaymentIPN, sig)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		full, ferr := s.DB.PaymentByID(ctx, p.ID)
		if ferr != nil {
			err = ferr
		} else {
			in := workflows.BillPaymentInput{Grace: pc.Grace, Payment: postgres.NewPayment{
				TxnRef: p.TxnRef, WorkflowID: p.WorkflowID, UserID: p.UserID, Kind: p.Kind, Provider: p.Provider,
				CustomerCode: p.CustomerCode, NotifyWorkflowID: p.NotifyWorkflowID, Description: p.Description,
				Amount: p.Amount, ExpireAt: p.ExpireAt, Items: full.Items,
			}}
			_, err = s.Temporal.SignalWithStartWorkflow(ctx, p.WorkflowID, workflows.SignalPaymentIPN, sig, client.StartWorkflowOptions{
				ID: p.WorkflowID, TaskQueue: s.Config.TaskQueue, WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			}, workflows.BillPaymentWorkflowName, in)
		}
	}
	if err != nil {
		s.Logger.Warn("vnpay ipn: signal not delivered; the workflow will read the database at expiry", "txnRef", p.TxnRef, "err", err)
	}
}

var returnPage = template.Must(template.New("return").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c}
.panel{border:5px solid {{.Colour}};padding:1rem 1.5rem}h1{margin-top:0}</style></head>
<body><main><div class="panel"><h1>{{.Title}}</h1><p>{{.Body}}</p>
{{if .TxnRef}}<p>Mã giao dịch / Payment reference: <strong>{{.TxnRef}}</strong></p>{{end}}
{{if .Amount}}<p>Số tiền / Amount: <strong>{{.Amount}} đ</strong></p>{{end}}</div>
<p>Kết quả cuối cùng được cập nhật trong ứng dụng Công dân số Cao Bằng, mục Thanh toán. /
The final result appears in the app under Payments.</p></main></body></html>`))

// vnpayReturn is the page the gateway sends the citizen's browser back to.
// It only shows the result; the IPN alone changes a payment.
func (s *Handler) vnpayReturn(c *gin.Context) {
	pc := s.Payments
	data := struct{ Title, Body, TxnRef, Colour, Amount string }{Colour: "#d4351c"}
	status := http.StatusOK
	var res vnpay.Result
	var err error = vnpay.ErrSignature
	if pc != nil && pc.VNPay.HashSecret != "" {
		res, err = vnpay.ParseResult(pc.VNPay.HashSecret, c.Request.URL.Query())
	}
	switch {
	case err != nil:
		status = http.StatusBadRequest
		data.Title, data.Body = "Dữ liệu không hợp lệ / Invalid data", "Chữ ký của cổng thanh toán không đúng. / The gateway's signature does not match."
	case res.Success():
		data.Title, data.Colour, data.TxnRef = "Giao dịch thành công / Payment received", "#00703c", res.TxnRef
		data.Body = "Cổng thanh toán đã ghi nhận giao dịch. Hệ thống đang xác nhận với nhà cung cấp và sẽ gửi biên lai điện tử. / The gateway accepted your payment; we are confirming it with the biller and will send your e-receipt."
		data.Amount = formatVND(res.Amount)
	default:
		data.Title, data.TxnRef = "Giao dịch không thành công / Payment not completed", res.TxnRef
		data.Body = "Giao dịch chưa được thanh toán (mã " + res.ResponseCode + "). Bạn chưa bị trừ tiền. / The payment was not made (code " + res.ResponseCode + "); nothing was charged."
	}
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	_ = returnPage.Execute(c.Writer, data)
}

// formatVND groups thousands with dots, as Vietnamese amounts are written.
func formatVND(n int64) string {
	s := []byte{}
	neg := n < 0
	if neg {
		n = -n
	}
	for i := 0; n > 0 || i == 0; i++ {
		if i > 0 && i%3 == 0 {
			s = append(s, '.')
		}
		s = append(s, byte('0'+n%10))
		n /= 10
	}
	if neg {
		s = append(s, '-')
	}
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return string(s)
}
