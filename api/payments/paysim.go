package payments

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/vnpay"
)

// The gateway simulator plays VNPay's side over HTTP, for demo mode and
// tests only (Config.Simulator; 404 otherwise): a pay page, the IPN
// call to our server, the browser's redirect to the return URL, and the
// merchant web API's refund call. It signs with the merchant's secret, as
// VNPay does, so our handlers verify it exactly as they would the real one.
func (s *Handler) registerPaysim(r *api.Server) {
	r.Handle(http.MethodGet, "/paysim/paymentv2/vpcpay.html", api.Public, s.paysimPage)
	r.Handle(http.MethodPost, "/paysim/pay", api.Public, s.paysimPay)
	r.Handle(http.MethodPost, "/paysim/merchant_webapi/api/transaction", api.Public, s.paysimTransaction)
}

func (s *Handler) paysim(c *gin.Context) (*Config, bool) {
	pc := s.Payments
	if pc == nil || !pc.Simulator {
		api.WriteError(c, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy đường dẫn.", "No such route."))
		return nil, false
	}
	return pc, true
}

var paysimPage = template.Must(template.New("paysim").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thanh toán mô phỏng / Gateway simulator</title>
<style>body{font-family:Arial,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
button{font-size:1.1rem;padding:.5rem 1rem;margin-right:1rem}button:focus{outline:3px solid #fd0}</style></head>
<body><main><h1>Cổng thanh toán mô phỏng (VNPAY 2.1.0)</h1>
<p><strong>Chỉ dùng để trình diễn và kiểm thử — không trừ tiền thật.</strong> / Demo and tests only — no real money.</p>
{{if .Error}}<div role="alert"><h2>Không thể thanh toán / Cannot pay</h2><p>{{.Error}}</p></div>{{else}}
<dl><dt>Đơn vị / Merchant</dt><dd>{{.TmnCode}}</dd><dt>Mã giao dịch / Reference</dt><dd id="txn-ref">{{.TxnRef}}</dd>
<dt>Nội dung / Order</dt><dd>{{.OrderInfo}}</dd><dt>Số tiền / Amount</dt><dd id="amount">{{.Amount}} đ</dd>
<dt>Hết hạn / Expires</dt><dd>{{.Expire}}</dd></dl>
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.K}}" value="{{.V}}">
{{end}}<button type="submit" name="outcome" value="pay">Thanh toán / Pay</button>
<button type="submit" name="outcome" value="cancel">Hủy giao dịch / Cancel</button></form>{{end}}
</main></body></html>`))

type kv struct{ K, V string }

// paysimCheck verifies a payment request as the gateway would.
func paysimCheck(pc *Config, q url.Values) (int64, string) {
	if !vnpay.Verify(pc.VNPay.HashSecret, q) {
		return 0, "Sai chữ ký (mã 97). / Invalid signature (code 97)."
	}
	if q.Get("vnp_TmnCode") != pc.VNPay.TmnCode || q.Get("vnp_Version") != vnpay.Version || q.Get("vnp_Command") != "pay" {
		return 0, "Sai mã đơn vị hoặc phiên bản. / Wrong merchant code or version."
	}
	exp, err := vnpay.ParseTime(q.Get("vnp_ExpireDate"))
	if err != nil || time.Now().After(exp) {
		return 0, "Giao dịch đã quá thời gian chờ thanh toán (mã 11). / The payment window has expired (code 11)."
	}
	p, err := vnpay.ParseResult(pc.VNPay.HashSecret, q)
	if err != nil || p.Amount <= 0 {
		return 0, "Số tiền không hợp lệ. / Invalid amount."
	}
	return p.Amount, ""
}

func (s *Handler) paysimPage(c *gin.Context) {
	pc, ok := s.paysim(c)
	if !ok {
		return
	}
	q := c.Request.URL.Query()
	amount, problem := paysimCheck(pc, q)
	data := map[string]any{"Error": problem, "TmnCode": q.Get("vnp_TmnCode"), "TxnRef": q.Get("vnp_TxnRef"),
		"OrderInfo": q.Get("vnp_OrderInfo"), "Amount": formatVND(amount), "Expire": q.Get("vnp_ExpireDate"), "Action": "/paysim/pay"}
	fields := []kv{}
	for k := range q {
		fields = append(fields, kv{k, q.Get(k)})
	}
	data["Fields"] = fields
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	_ = paysimPage.Execute(c.Writer, data)
}

// paysimPay is the citizen pressing Pay or Cancel: the simulator records the
// transaction, calls our IPN with a signed GET, then redirects the browser
// to the return URL with the same signed parameters.
func (s *Handler) paysimPay(c *gin.Context) {
	pc, ok := s.paysim(c)
	if !ok {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		api.WriteError(c, api.BadRequest(err))
		return
	}
	q := url.Values{}
	for k, v := range c.Request.PostForm {
		if strings.HasPrefix(k, "vnp_") && len(v) > 0 {
			q.Set(k, v[0])
		}
	}
	amount, problem := paysimCheck(pc, q)
	if problem != "" {
		c.Data(http.StatusBadRequest, "text/plain; charset=utf-8", []byte(problem))
		return
	}
	ctx := c.Request.Context()
	resp, status := vnpay.ResponseApproved, vnpay.TransactionStatusOK
	if c.PostForm("outcome") != "pay" {
		resp, status = vnpay.ResponseCancelled, vnpay.TransactionStatusFailed
	}
	payDate := vnpay.FormatTime(time.Now())
	txn, err := s.DB.PaysimRecord(ctx, q.Get("vnp_TxnRef"), amount, payDate, resp)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	ipn := url.Values{
		"vnp_Amount": {q.Get("vnp_Amount")}, "vnp_BankCode": {"NCB"}, "vnp_BankTranNo": {"VNP" + txn.TransactionNo},
		"vnp_CardType": {"ATM"}, "vnp_OrderInfo": {q.Get("vnp_OrderInfo")}, "vnp_PayDate": {txn.PayDate},
		"vnp_ResponseCode": {txn.ResponseCode}, "vnp_TmnCode": {pc.VNPay.TmnCode}, "vnp_TransactionNo": {txn.TransactionNo},
		"vnp_TransactionStatus": {status}, "vnp_TxnRef": {q.Get("vnp_TxnRef")},
	}
	if txn.ResponseCode != vnpay.ResponseApproved {
		ipn.Set("vnp_TransactionStatus", vnpay.TransactionStatusFailed)
	}
	ipn.Set("vnp_SecureHashType", "HmacSHA512")
	ipn.Set("vnp_SecureHash", vnpay.Sign(pc.VNPay.HashSecret, ipn))
	ipnURL := strings.TrimRight(s.Config.PublicBaseURL, "/") + "/api/v1/payments/vnpay/ipn?" + ipn.Encode()
	cl := &http.Client{Timeout: 15 * time.Second}
	// VNPay retries an IPN that got no valid answer; the simulator tries thrice.
	for try := 0; try < 3; try++ {
		r, err := cl.Get(ipnURL)
		if err == nil {
			var reply vnpay.IPNReply
			_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&reply)
			r.Body.Close()
			s.Logger.Info("paysim: ipn answered", "txnRef", q.Get("vnp_TxnRef"), "rspCode", reply.RspCode)
			if reply.RspCode != vnpay.RspUnknownError && reply.RspCode != "" {
				break
			}
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	ret := q.Get("vnp_ReturnUrl")
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusFound, ret+sep+ipn.Encode())
}

// paysimTransaction is the merchant web API (refund only).
func (s *Handler) paysimTransaction(c *gin.Context) {
	pc, ok := s.paysim(c)
	if !ok {
		return
	}
	var req vnpay.RefundRequest
	if !api.BindJSON(c, &req) {
		return
	}
	out := vnpay.RefundResponse{ResponseID: req.RequestID, Command: req.Command, TmnCode: pc.VNPay.TmnCode, TxnRef: req.TxnRef,
		Amount: req.Amount, TransactionType: req.TransactionType, OrderInfo: req.OrderInfo}
	switch {
	case !vnpay.VerifyRefund(pc.VNPay.HashSecret, req):
		out.ResponseCode, out.Message = vnpay.APIChecksum, "Invalid checksum"
	case req.Command != "refund" || req.TmnCode != pc.VNPay.TmnCode:
		out.ResponseCode, out.Message = "02", "Invalid TmnCode or command"
	default:
		var amount int64
		for _, ch := range req.Amount {
			if ch < '0' || ch > '9' {
				amount = -1
				break
			}
			amount = amount*10 + int64(ch-'0')
		}
		if amount < 0 || amount%100 != 0 {
			out.ResponseCode, out.Message = "03", "Invalid amount"
			break
		}
		code, txn, err := s.DB.PaysimRefund(c.Request.Context(), req.RequestID, req.TxnRef, req.TransactionNo, amount/100)
		if err != nil {
			out.ResponseCode, out.Message = vnpay.APIOther, "Error"
			break
		}
		out.ResponseCode, out.TransactionNo, out.PayDate, out.BankCode = code, txn.TransactionNo, txn.PayDate, "NCB"
		out.Message = map[string]string{"00": "Refund success", "91": "Transaction not found", "94": "Duplicate request",
			"95": "Transaction not successful", "03": "Invalid amount"}[code]
		if code == vnpay.APIOK || code == vnpay.APIDuplicate {
			out.TransactionStatus = "05" // refund in progress, as VNPay reports it
		}
	}
	vnpay.SignRefundResponse(pc.VNPay.HashSecret, &out)
	c.JSON(http.StatusOK, out)
}
