package main

import (
	"testing"

	"go.temporal.io/sdk/client"
)

// TestGRPCCompression: gzip is off for a loopback frontend (the embedded
// server) and on across a network, unless the setting names one; any other
// setting is an error at start-up, never a silent default.
func TestGRPCCompression(t *testing.T) {
	for _, c := range []struct {
		addr, setting string
		gzip, bad     bool
	}{
		{"127.0.0.1:7233", "", false, false},
		{"127.0.0.2:7233", "", false, false},
		{"[::1]:7233", "", false, false},
		{"localhost:7233", "", false, false},
		{"temporal:7233", "", true, false},
		{"10.0.0.5:7233", "", true, false},
		{"temporal.caobang.gov.vn:7233", "", true, false},
		{"127.0.0.1:7233", "gzip", true, false},
		{"temporal:7233", "none", false, false},
		{"temporal:7233", "zstd", false, true},
		{"temporal:7233", "GZIP", false, true},
	} {
		got, err := grpcCompression(c.addr, c.setting)
		if c.bad {
			if err == nil {
				t.Errorf("%s %q: want an error", c.addr, c.setting)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", c.addr, c.setting, err)
			continue
		}
		_, isGzip := got.(*client.GrpcCompressionGzip)
		_, isNone := got.(*client.GrpcCompressionNone)
		if isGzip != c.gzip || isNone == c.gzip {
			t.Errorf("%s %q: got %T, want gzip=%v", c.addr, c.setting, got, c.gzip)
		}
	}
}
