package blob

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	cds "github.com/caobang/congdanso"
)

// S3Config configures an S3-compatible bucket (AWS S3, MinIO, Ceph RGW…).
type S3Config struct {
	Endpoint  string // e.g. https://s3.ap-southeast-1.amazonaws.com or http://127.0.0.1:9000
	Bucket    string
	Region    string // default us-east-1
	AccessKey string
	SecretKey string
	Client    *http.Client
}

// S3Store is a BlobStore on an S3-compatible bucket with path-style URLs and
// AWS Signature Version 4. It is deliberately small: Put, Get, Delete.
type S3Store struct {
	S3Config
	base *url.URL
	now  func() time.Time
}

// NewS3Store validates the config.
func NewS3Store(c S3Config) (*S3Store, error) {
	u, err := url.Parse(strings.TrimRight(c.Endpoint, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("blob: bad S3 endpoint %q", c.Endpoint)
	}
	if c.Bucket == "" || c.AccessKey == "" || c.SecretKey == "" {
		return nil, errors.New("blob: S3 bucket, access key and secret key are required")
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 60 * time.Second}
	}
	return &S3Store{S3Config: c, base: u, now: time.Now}, nil
}

func (s *S3Store) do(ctx context.Context, method, key string, body []byte, ctype string) (*http.Response, error) {
	if !validKey.MatchString(key) {
		return nil, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp.", "File not found.")
	}
	u := *s.base
	u.Path = u.Path + "/" + s.Bucket + "/" + key
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	sum := sha256.Sum256(body)
	signV4(req, hex.EncodeToString(sum[:]), s.AccessKey, s.SecretKey, s.Region, "s3", s.now())
	return s.Client.Do(req)
}

// Put uploads the whole object (photos are ≤10 MB, so one PUT).
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, _ int64, contentType string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	resp, err := s.do(ctx, http.MethodPut, key, b, contentType)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("blob: S3 PUT %s: status %d", key, resp.StatusCode)
	}
	return nil
}

// Get opens the object.
func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	resp, err := s.do(ctx, http.MethodGet, key, nil, "")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp.", "File not found.")
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("blob: S3 GET %s: status %d", key, resp.StatusCode)
	}
	return resp.Body, nil
}

// Delete removes the object (missing is fine).
func (s *S3Store) Delete(ctx context.Context, key string) error {
	resp, err := s.do(ctx, http.MethodDelete, key, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("blob: S3 DELETE %s: status %d", key, resp.StatusCode)
	}
	return nil
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// uriEncode encodes per SigV4 (RFC 3986 unreserved kept; '/' kept in paths).
func uriEncode(s string, keepSlash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// signV4 adds x-amz-date, x-amz-content-sha256 and Authorization to req. It
// signs host, range, content-type and every x-amz-* header.
func signV4(req *http.Request, payloadHash, accessKey, secretKey, region, service string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("x-amz-date", amzDate)
	req.Header.Set("x-amz-content-sha256", payloadHash)
	headers := map[string]string{"host": req.URL.Host}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || lk == "range" || lk == "content-type" {
			headers[lk] = strings.TrimSpace(strings.Join(v, ","))
		}
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")
	q := req.URL.Query()
	qk := make([]string, 0, len(q))
	for k := range q {
		qk = append(qk, k)
	}
	sort.Strings(qk)
	var qs []string
	for _, k := range qk {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			qs = append(qs, uriEncode(k, false)+"="+uriEncode(v, false))
		}
	}
	path := req.URL.Path
	if path == "" {
		path = "/"
	}
	canon := strings.Join([]string{req.Method, uriEncode(path, true), strings.Join(qs, "&"), canonHeaders.String(), signed, payloadHash}, "\n")
	scope := day + "/" + region + "/" + service + "/aws4_request"
	sum := sha256.Sum256([]byte(canon))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+secretKey), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}
