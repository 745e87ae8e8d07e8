package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	cds "github.com/caobang/congdanso"
)

// HTTPBiller talks to a real biller (or an aggregator) over HTTP/JSON:
//
//	GET  {BaseURL}/bills?provider=&customer_code=  → 200 {"bills":[Bill…]}
//	POST {BaseURL}/confirm  BillerConfirm          → 200 BillerReceipt
//	                                               → 409 or 422: permanent refusal {"error":{"message":…}}
//	                                               → anything else: transient, retried
//
// The same payment_ref must be answered with the same receipt.
type HTTPBiller struct {
	BaseURL string
	Token   string // sent as a bearer token; never logged
	Client  *http.Client
}

func (b *HTTPBiller) do(ctx context.Context, method, path string, body any, out any) (int, string, error) {
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(b.BaseURL, "/")+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.Token != "" {
		req.Header.Set("Authorization", "Bearer "+b.Token)
	}
	cl := b.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %v", ErrBillerUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, "", err
	}
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, "", fmt.Errorf("biller: bad JSON: %w", err)
		}
	}
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error.Message, nil
}

// OpenBills implements congdanso.Biller.
func (b *HTTPBiller) OpenBills(ctx context.Context, provider, customerCode string) ([]cds.Bill, error) {
	var out struct {
		Bills []cds.Bill `json:"bills"`
	}
	q := url.Values{"provider": {provider}, "customer_code": {customerCode}}
	status, msg, err := b.do(ctx, http.MethodGet, "/bills?"+q.Encode(), nil, &out)
	if err != nil {
		return nil, err
	}
	switch status {
	case http.StatusOK:
		return out.Bills, nil
	case http.StatusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("%w: HTTP %d %s", ErrBillerUnavailable, status, msg)
	}
}

// Confirm implements congdanso.Biller.
func (b *HTTPBiller) Confirm(ctx context.Context, c cds.BillerConfirm) (cds.BillerReceipt, error) {
	var r cds.BillerReceipt
	status, msg, err := b.do(ctx, http.MethodPost, "/confirm", c, &r)
	if err != nil {
		return r, err
	}
	switch status {
	case http.StatusOK:
		if r.ReceiptNo == "" {
			return r, fmt.Errorf("%w: empty receipt", ErrBillerUnavailable)
		}
		return r, nil
	case http.StatusConflict, http.StatusUnprocessableEntity:
		return r, fmt.Errorf("%w: %s", cds.ErrBillerRefused, msg)
	default:
		return r, fmt.Errorf("%w: HTTP %d %s", ErrBillerUnavailable, status, msg)
	}
}
