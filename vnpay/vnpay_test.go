package vnpay

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testSecret = "SECRETKEYCAOBANG2026"

// payCanonical is written by hand from the protocol description: keys sorted,
// values URL-encoded (space as "+", UTF-8 percent-encoded), no empty values,
// amount × 100, dates yyyyMMddHHmmss in GMT+7 (10:30 here is 03:30 UTC).
const payCanonical = "vnp_Amount=10000000&vnp_Command=pay&vnp_CreateDate=20260523103000&vnp_CurrCode=VND" +
	"&vnp_ExpireDate=20260523104500&vnp_IpAddr=127.0.0.1&vnp_Locale=vn" +
	"&vnp_OrderInfo=Thanh+to%C3%A1n+h%C3%B3a+%C4%91%C6%A1n+PC01+th%C3%A1ng+05%2F2026&vnp_OrderType=billpayment" +
	"&vnp_ReturnUrl=https%3A%2F%2Fcds.caobang.gov.vn%2Fapi%2Fv1%2Fpayments%2Fvnpay%2Freturn" +
	"&vnp_TmnCode=CDSCB001&vnp_TxnRef=P260523000001&vnp_Version=2.1.0"

// payHash was computed outside Go: printf '%s' "$payCanonical" | openssl dgst -sha512 -hmac SECRETKEYCAOBANG2026
const payHash = "4965ccc6b628542e7b30ea8ddaa1677acbf4c221d377b96bdecd492cd0dffc9d139c14005755a6e4cd46739a2e9127269ff6c80f680252dd454aaec580d4fddb"

func independentHMAC(secret, data string) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

func testConfig() Config {
	return Config{TmnCode: "CDSCB001", HashSecret: testSecret, PayURL: "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"}
}

func TestPaymentURLFixedVector(t *testing.T) {
	if got := independentHMAC(testSecret, payCanonical); got != payHash {
		t.Fatalf("vector self-check: %s", got)
	}
	created := time.Date(2026, 5, 23, 3, 30, 0, 0, time.UTC)
	u, err := testConfig().PaymentURL(PayRequest{
		TxnRef: "P260523000001", Amount: 100000, OrderInfo: "Thanh toán hóa đơn PC01 tháng 05/2026",
		OrderType: "billpayment", ReturnURL: "https://cds.caobang.gov.vn/api/v1/payments/vnpay/return",
		IPAddr: "127.0.0.1", CreateDate: created, ExpireDate: created.Add(15 * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?" + payCanonical + "&vnp_SecureHash=" + payHash
	if u != want {
		t.Fatalf("payment URL\n got %s\nwant %s", u, want)
	}
	// The gateway's side: parse the URL and verify.
	pu, _ := url.Parse(u)
	if !Verify(testSecret, pu.Query()) {
		t.Fatal("the built URL does not verify")
	}
}

// The IPN vector: the gateway's parameters plus vnp_SecureHashType (never
// signed) and an empty vnp_CardHolder (dropped), hash in upper case.
const ipnCanonical = "vnp_Amount=10000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14422574&vnp_CardType=ATM" +
	"&vnp_OrderInfo=Thanh+toan+P260523000001&vnp_PayDate=20260523103512&vnp_ResponseCode=00&vnp_TmnCode=CDSCB001" +
	"&vnp_TransactionNo=14422574&vnp_TransactionStatus=00&vnp_TxnRef=P260523000001"

const ipnHash = "f5572408c9c4c4904ad75633c18bab66435f4f9cb9fdc8929fd2e93df3251bfff6c17c17d6bc379591c9c17a14133571ce85f586566a101f25da632a0c8837e2"

func TestVerifyIPNFixedVector(t *testing.T) {
	if independentHMAC(testSecret, ipnCanonical) != ipnHash {
		t.Fatal("vector self-check")
	}
	q, err := url.ParseQuery(ipnCanonical + "&vnp_CardHolder=&vnp_SecureHashType=HmacSHA512&vnp_SecureHash=" + strings.ToUpper(ipnHash))
	if err != nil {
		t.Fatal(err)
	}
	if got := Canonical(q); got != ipnCanonical {
		t.Fatalf("canonical\n got %s\nwant %s", got, ipnCanonical)
	}
	r, err := ParseResult(testSecret, q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Amount != 100000 || r.TxnRef != "P260523000001" || !r.Success() || r.TransactionNo != "14422574" {
		t.Fatalf("result %+v", r)
	}
	// Any change breaks the signature.
	for _, tamper := range []struct{ k, v string }{{"vnp_Amount", "20000000"}, {"vnp_ResponseCode", "24"}, {"vnp_SecureHash", ipnHash[:127] + "0"}} {
		q2, _ := url.ParseQuery(q.Encode())
		q2.Set(tamper.k, tamper.v)
		if _, err := ParseResult(testSecret, q2); err != ErrSignature {
			t.Errorf("tampered %s: err = %v, want ErrSignature", tamper.k, err)
		}
	}
	// A wrong secret fails; a missing hash fails.
	if Verify("other", q) {
		t.Error("verified with the wrong secret")
	}
	q.Del("vnp_SecureHash")
	if Verify(testSecret, q) {
		t.Error("verified without a hash")
	}
}

func TestParseResultRejectsFractionalAmount(t *testing.T) {
	q := url.Values{"vnp_Amount": {"10000050"}, "vnp_TxnRef": {"X"}}
	q.Set("vnp_SecureHash", Sign(testSecret, q))
	if _, err := ParseResult(testSecret, q); err == nil || err == ErrSignature {
		t.Fatalf("err = %v, want an amount error", err)
	}
}

// refundHashData is written from the documented field order.
const refundHashData = "RF-P260523000001|2.1.0|refund|CDSCB001|02|P260523000001|10000000|14422574|20260523103512|system|20260523110000|127.0.0.1|Hoan tien P260523000001"
const refundHash = "2137586f14da567554d84bcac2d00ee349bb36b49af48693ca282d06ade68c449503d7ba6f2ad6a66e9cce3255a052825d6fd20d030b15ed7628281e040f63d4"

func TestRefundFixedVector(t *testing.T) {
	if independentHMAC(testSecret, refundHashData) != refundHash {
		t.Fatal("vector self-check")
	}
	r := testConfig().NewRefund("RF-P260523000001", "P260523000001", 100000, "14422574", "20260523103512", "system", "127.0.0.1",
		"Hoan tien P260523000001", time.Date(2026, 5, 23, 4, 0, 0, 0, time.UTC))
	if r.HashData() != refundHashData || r.SecureHash != refundHash {
		t.Fatalf("refund\n got %s %s", r.HashData(), r.SecureHash)
	}
	if !VerifyRefund(testSecret, r) {
		t.Fatal("refund does not verify")
	}
	r.Amount = "1"
	if VerifyRefund(testSecret, r) {
		t.Fatal("tampered refund verifies")
	}
	resp := RefundResponse{ResponseID: "x", Command: "refund", ResponseCode: APIOK, TxnRef: "P260523000001", Amount: "10000000"}
	SignRefundResponse(testSecret, &resp)
	if !VerifyRefundResponse(testSecret, resp) {
		t.Fatal("response does not verify")
	}
	resp.ResponseCode = APIOther
	if VerifyRefundResponse(testSecret, resp) {
		t.Fatal("tampered response verifies")
	}
}

func TestTimeFormat(t *testing.T) {
	tm := time.Date(2026, 12, 31, 17, 59, 58, 0, time.UTC)
	if s := FormatTime(tm); s != "20270101005958" {
		t.Fatalf("FormatTime = %s", s)
	}
	back, err := ParseTime("20270101005958")
	if err != nil || !back.Equal(tm) {
		t.Fatalf("ParseTime = %v %v", back, err)
	}
}

func FuzzVerifyNeverPanics(f *testing.F) {
	f.Add(ipnCanonical + "&vnp_SecureHash=" + ipnHash)
	f.Add("vnp_Amount=&&=x")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		_, _ = ParseResult(testSecret, q)
	})
}
