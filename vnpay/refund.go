package vnpay

import (
	"strconv"
	"strings"
	"time"
)

// Refund transaction types.
const (
	RefundFull    = "02"
	RefundPartial = "03"
)

// Merchant web API response codes (querydr, refund).
const (
	APIOK        = "00"
	APINotFound  = "91"
	APIDuplicate = "94" // duplicate request, or a refund was already requested
	APIChecksum  = "97"
	APIOther     = "99"
)

// RefundRequest is the JSON body of a refund call (POST to the merchant web
// API, vnp_Command=refund). Unlike the payment URL it is signed over a
// "|"-joined list of fields in a fixed order (see RefundRequest.HashData).
// The order follows VNPay's 2.1.0 integration guide as implemented by the
// public client libraries; it is not in our verified notes, so treat it as
// to be confirmed with VNPay at onboarding.
type RefundRequest struct {
	RequestID       string `json:"vnp_RequestId"`
	Version         string `json:"vnp_Version"`
	Command         string `json:"vnp_Command"`
	TmnCode         string `json:"vnp_TmnCode"`
	TransactionType string `json:"vnp_TransactionType"`
	TxnRef          string `json:"vnp_TxnRef"`
	Amount          string `json:"vnp_Amount"` // VND × 100, as a decimal string
	OrderInfo       string `json:"vnp_OrderInfo"`
	TransactionNo   string `json:"vnp_TransactionNo"`
	TransactionDate string `json:"vnp_TransactionDate"` // the original payment's date, yyyyMMddHHmmss
	CreateBy        string `json:"vnp_CreateBy"`
	CreateDate      string `json:"vnp_CreateDate"`
	IPAddr          string `json:"vnp_IpAddr"`
	SecureHash      string `json:"vnp_SecureHash"`
}

// HashData is the signed string of a refund request.
func (r RefundRequest) HashData() string {
	return strings.Join([]string{r.RequestID, r.Version, r.Command, r.TmnCode, r.TransactionType, r.TxnRef,
		r.Amount, r.TransactionNo, r.TransactionDate, r.CreateBy, r.CreateDate, r.IPAddr, r.OrderInfo}, "|")
}

// NewRefund builds and signs a full refund of amount VND.
func (c Config) NewRefund(requestID, txnRef string, amount int64, transactionNo, transactionDate, createBy, ip, info string, now time.Time) RefundRequest {
	r := RefundRequest{
		RequestID: requestID, Version: Version, Command: "refund", TmnCode: c.TmnCode,
		TransactionType: RefundFull, TxnRef: txnRef, Amount: strconv.FormatInt(amount*100, 10),
		OrderInfo: info, TransactionNo: transactionNo, TransactionDate: transactionDate,
		CreateBy: createBy, CreateDate: FormatTime(now), IPAddr: ip,
	}
	r.SecureHash = HMAC(c.HashSecret, r.HashData())
	return r
}

// VerifyRefund checks the signature of a refund request (the gateway's side).
func VerifyRefund(secret string, r RefundRequest) bool {
	return equalHex(r.SecureHash, HMAC(secret, r.HashData()))
}

// RefundResponse is the gateway's JSON answer to a refund request.
type RefundResponse struct {
	ResponseID        string `json:"vnp_ResponseId"`
	Command           string `json:"vnp_Command"`
	ResponseCode      string `json:"vnp_ResponseCode"`
	Message           string `json:"vnp_Message"`
	TmnCode           string `json:"vnp_TmnCode"`
	TxnRef            string `json:"vnp_TxnRef"`
	Amount            string `json:"vnp_Amount"`
	BankCode          string `json:"vnp_BankCode"`
	PayDate           string `json:"vnp_PayDate"`
	TransactionNo     string `json:"vnp_TransactionNo"`
	TransactionType   string `json:"vnp_TransactionType"`
	TransactionStatus string `json:"vnp_TransactionStatus"`
	OrderInfo         string `json:"vnp_OrderInfo"`
	SecureHash        string `json:"vnp_SecureHash"`
}

// HashData is the signed string of a refund response.
func (r RefundResponse) HashData() string {
	return strings.Join([]string{r.ResponseID, r.Command, r.ResponseCode, r.Message, r.TmnCode, r.TxnRef,
		r.Amount, r.BankCode, r.PayDate, r.TransactionNo, r.TransactionType, r.TransactionStatus, r.OrderInfo}, "|")
}

// SignRefundResponse sets the response's signature (the gateway's side).
func SignRefundResponse(secret string, r *RefundResponse) { r.SecureHash = HMAC(secret, r.HashData()) }

// VerifyRefundResponse checks the signature of the gateway's answer.
func VerifyRefundResponse(secret string, r RefundResponse) bool {
	return equalHex(r.SecureHash, HMAC(secret, r.HashData()))
}

func equalHex(got, want string) bool {
	got = strings.ToLower(got)
	if len(got) != len(want) {
		return false
	}
	var d byte
	for i := 0; i < len(got); i++ {
		d |= got[i] ^ want[i]
	}
	return d == 0
}
