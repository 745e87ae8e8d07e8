package freeport

import (
	"net"
	"strconv"
	"testing"
)

// Pick's ports lie below this machine's ephemeral range (Linux's default
// starts at 32768; read here from /proc, as an operator would check it) and
// can be bound.
func TestPickBelowEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	if low <= lowest+100 {
		t.Skipf("ephemeral range starts at %d: no room below it", low)
	}
	for range 20 {
		p, err := Pick("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if p < lowest || p >= low {
			t.Fatalf("port %d; want one in [%d, %d)", p, lowest, low)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d not free: %v", p, err)
		}
		l.Close()
	}
}
