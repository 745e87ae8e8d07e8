// Package vnpay implements the merchant side of the VNPay payment gateway
// protocol, version 2.1.0: the signed payment URL, the verification of the
// return and IPN requests, the IPN reply codes and the refund request of the
// merchant web API. It is pure code (standard library only): no I/O, no clock.
//
// Protocol facts (shared/docs/domain-research.md §5.2): parameters sorted by
// key, empty values dropped, URL-encoded into a query string, signed with
// HMAC-SHA512 under the merchant's HashSecret; vnp_Amount is VND × 100; dates
// are yyyyMMddHHmmss in GMT+7.
package vnpay

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Version is the protocol version this package speaks.
const Version = "2.1.0"

// Sandbox addresses of VNPay (the production hosts are given by VNPay at onboarding).
const (
	SandboxPayURL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
	SandboxAPIURL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)

// IPN reply codes (RspCode) the merchant answers to the gateway.
const (
	RspConfirmSuccess   = "00"
	RspOrderNotFound    = "01"
	RspAlreadyConfirmed = "02"
	RspIPProhibited     = "03"
	RspInvalidAmount    = "04"
	RspInvalidSignature = "97"
	RspUnknownError     = "99"
)

// IPNReply is the JSON body of the merchant's answer to an IPN.
type IPNReply struct {
	RspCode string `json:"RspCode"`
	Message string `json:"Message"`
}

// Replies with the messages VNPay's integration guide uses.
var (
	ReplyOK               = IPNReply{RspConfirmSuccess, "Confirm Success"}
	ReplyOrderNotFound    = IPNReply{RspOrderNotFound, "Order not found"}
	ReplyAlreadyConfirmed = IPNReply{RspAlreadyConfirmed, "Order already confirmed"}
	ReplyInvalidAmount    = IPNReply{RspInvalidAmount, "Invalid amount"}
	ReplyInvalidSignature = IPNReply{RspInvalidSignature, "Invalid signature"}
	ReplyUnknownError     = IPNReply{RspUnknownError, "Unknown error"}
)

// Payment result codes (vnp_ResponseCode) and transaction status.
const (
	ResponseApproved        = "00"
	ResponseCancelled       = "24" // cancelled by the customer
	TransactionStatusOK     = "00"
	TransactionStatusFailed = "02"
)

// GMT7 is the gateway's time zone for every date parameter.
var GMT7 = time.FixedZone("GMT+7", 7*60*60)

// FormatTime renders t as yyyyMMddHHmmss in GMT+7.
func FormatTime(t time.Time) string { return t.In(GMT7).Format("20060102150405") }

// ParseTime parses a yyyyMMddHHmmss GMT+7 date.
func ParseTime(s string) (time.Time, error) { return time.ParseInLocation("20060102150405", s, GMT7) }

// Config is the merchant's account at the gateway.
type Config struct {
	TmnCode    string // vnp_TmnCode, the merchant (terminal) code
	HashSecret string // the shared HMAC key; never logged
	PayURL     string // the payment page, e.g. SandboxPayURL
	APIURL     string // the merchant web API (querydr, refund)
}

// Canonical is the string that is signed: the parameters sorted by key,
// empty values dropped, each key and value URL-encoded (space as "+", as
// VNPay's reference code does) and joined as a query string. vnp_SecureHash
// and vnp_SecureHashType are never part of it.
func Canonical(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if k == "vnp_SecureHash" || k == "vnp_SecureHashType" || len(v) == 0 || v[0] == "" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(params.Get(k)))
	}
	return b.String()
}

// HMAC returns the lowercase hex HMAC-SHA512 of data under secret.
func HMAC(secret, data string) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns vnp_SecureHash for params.
func Sign(secret string, params url.Values) string { return HMAC(secret, Canonical(params)) }

// Verify checks vnp_SecureHash of a return or IPN request in constant time.
func Verify(secret string, params url.Values) bool {
	got := strings.ToLower(params.Get("vnp_SecureHash"))
	if got == "" {
		return false
	}
	want := Sign(secret, params)
	return hmac.Equal([]byte(got), []byte(want))
}

// PayRequest is one payment to send the citizen to.
type PayRequest struct {
	TxnRef     string // unique per merchant
	Amount     int64  // VND (the URL carries Amount × 100)
	OrderInfo  string
	OrderType  string // e.g. "billpayment", "other"
	Locale     string // "vn" or "en"
	ReturnURL  string
	IPAddr     string
	BankCode   string // optional
	CreateDate time.Time
	ExpireDate time.Time
}

// Params returns the signed parameters of r, vnp_SecureHash included.
func (c Config) Params(r PayRequest) (url.Values, error) {
	if r.Amount <= 0 {
		return nil, errors.New("vnpay: amount must be positive")
	}
	if r.TxnRef == "" || c.TmnCode == "" || c.HashSecret == "" {
		return nil, errors.New("vnpay: missing TxnRef, TmnCode or HashSecret")
	}
	locale := r.Locale
	if locale == "" {
		locale = "vn"
	}
	orderType := r.OrderType
	if orderType == "" {
		orderType = "other"
	}
	v := url.Values{}
	v.Set("vnp_Version", Version)
	v.Set("vnp_Command", "pay")
	v.Set("vnp_TmnCode", c.TmnCode)
	v.Set("vnp_Amount", strconv.FormatInt(r.Amount*100, 10))
	v.Set("vnp_CurrCode", "VND")
	v.Set("vnp_TxnRef", r.TxnRef)
	v.Set("vnp_OrderInfo", r.OrderInfo)
	v.Set("vnp_OrderType", orderType)
	v.Set("vnp_Locale", locale)
	v.Set("vnp_ReturnUrl", r.ReturnURL)
	v.Set("vnp_IpAddr", r.IPAddr)
	v.Set("vnp_CreateDate", FormatTime(r.CreateDate))
	v.Set("vnp_ExpireDate", FormatTime(r.ExpireDate))
	if r.BankCode != "" {
		v.Set("vnp_BankCode", r.BankCode)
	}
	v.Set("vnp_SecureHash", Sign(c.HashSecret, v))
	return v, nil
}

// PaymentURL builds the signed payment page URL: the canonical query string
// followed by vnp_SecureHash.
func (c Config) PaymentURL(r PayRequest) (string, error) {
	v, err := c.Params(r)
	if err != nil {
		return "", err
	}
	sep := "?"
	if strings.Contains(c.PayURL, "?") {
		sep = "&"
	}
	return c.PayURL + sep + Canonical(v) + "&vnp_SecureHash=" + v.Get("vnp_SecureHash"), nil
}

// Result is what a return or IPN request says about a payment.
type Result struct {
	TxnRef            string
	Amount            int64 // VND (vnp_Amount ÷ 100)
	ResponseCode      string
	TransactionStatus string
	TransactionNo     string
	BankCode          string
	PayDate           string // yyyyMMddHHmmss GMT+7
	TmnCode           string
}

// Success reports whether the gateway approved the payment.
func (r Result) Success() bool {
	return r.ResponseCode == ResponseApproved && (r.TransactionStatus == "" || r.TransactionStatus == TransactionStatusOK)
}

// ErrSignature means vnp_SecureHash did not match.
var ErrSignature = errors.New("vnpay: invalid signature")

// ParseResult verifies the signature of a return or IPN request and reads it.
// An amount that is not a whole number of VND is an error.
func ParseResult(secret string, params url.Values) (Result, error) {
	if !Verify(secret, params) {
		return Result{}, ErrSignature
	}
	raw, err := strconv.ParseInt(params.Get("vnp_Amount"), 10, 64)
	if err != nil || raw < 0 || raw%100 != 0 {
		return Result{}, fmt.Errorf("vnpay: bad vnp_Amount %q", params.Get("vnp_Amount"))
	}
	return Result{
		TxnRef: params.Get("vnp_TxnRef"), Amount: raw / 100,
		ResponseCode: params.Get("vnp_ResponseCode"), TransactionStatus: params.Get("vnp_TransactionStatus"),
		TransactionNo: params.Get("vnp_TransactionNo"), BankCode: params.Get("vnp_BankCode"),
		PayDate: params.Get("vnp_PayDate"), TmnCode: params.Get("vnp_TmnCode"),
	}, nil
}
